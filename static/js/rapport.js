// Follows a report's build without reloading the page; without JavaScript the
// page offers a refresh link instead.
(function () {
  "use strict";
  var bloc = document.getElementById("etat-rapport");
  if (!bloc || bloc.dataset.suivre !== "oui") return;
  function champ(nom) { return bloc.querySelector('[data-champ="' + nom + '"]'); }
  var actualiser = champ("actualiser");
  if (actualiser) actualiser.hidden = true;
  function suivre() {
    fetch(bloc.dataset.url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (reponse) { return reponse.json(); })
      .then(function (etat) {
        champ("libelle").textContent = etat.libelle;
        if (!etat.termine) { window.setTimeout(suivre, 1500); return; }
        champ("attente").textContent = "";
        if (etat.erreur) { champ("erreur").textContent = etat.erreur; champ("erreur").hidden = false; }
        if (etat.telechargement) {
          champ("telechargement").querySelector("a").href = etat.telechargement;
          champ("telechargement").hidden = false;
        }
      })
      .catch(function () { if (actualiser) actualiser.hidden = false; });
  }
  window.setTimeout(suivre, 1000);
})();
