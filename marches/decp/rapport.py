"""What an import did, or would do: counts, and the reasons grouped."""

import re
from dataclasses import dataclass, field

# Beyond this many, rejected records are counted but no longer described one by one: a
# report of 100,000 identical lines helps nobody and would fill the memory.
ERREURS_DETAILLEES_MAX = 1000
EXEMPLES_PAR_RAISON = 3
# The reasons are grouped once the values that differ from record to record are masked.
VALEURS = re.compile(r"« [^»]* »|\[[0-9]+\]|\([^)]*\)")


def motif(raison: str) -> str:
    """« codeCPV « 4500 » invalide (…) » → « codeCPV «…» invalide »."""
    return " ".join(
        VALEURS.sub(lambda trouve: {"«": "«…»", "[": "[n]"}.get(trouve[0][0], ""), raison).split()
    )


@dataclass
class Groupe:
    nombre: int = 0
    exemples: list[str] = field(default_factory=list)


@dataclass
class RapportDECP:
    """What an import did, or would do in a dry run."""

    strict: bool = False
    lus: int = 0
    crees: int = 0
    mis_a_jour: int = 0
    inchanges: int = 0
    incomplets: int = 0
    concessions: int = 0
    doublons: int = 0
    ignores: int = 0  # other buyers than the communes and EPCI followed here
    invalides: int = 0
    erreurs: list[str] = field(default_factory=list)
    rejets: dict[str, Groupe] = field(default_factory=dict)
    manques: dict[str, Groupe] = field(default_factory=dict)
    erreur_fichier: str = ""
    ecrit: bool = False

    @property
    def erreurs_non_detaillees(self) -> int:
        return self.invalides - len(self.erreurs)

    @property
    def refuse(self) -> bool:
        """Nothing can be written: the file is unreadable, or invalid in strict mode."""
        return bool(self.erreur_fichier) or (self.strict and self.invalides > 0)

    @staticmethod
    def _quel(index: int, id_decp: str) -> str:
        return f"marché n° {index}" + (f" (id « {id_decp} »)" if id_decp else "")

    def invalide(self, index: int, id_decp: str, raisons: list[str]) -> None:
        self.invalides += 1
        quel = self._quel(index, id_decp)
        if len(self.erreurs) < ERREURS_DETAILLEES_MAX:
            self.erreurs.append(f"{quel} : {' ; '.join(raisons)}")
        _grouper(self.rejets, quel, raisons)

    def incomplet(self, index: int, id_decp: str, manques: list[str]) -> None:
        self.incomplets += 1
        _grouper(self.manques, self._quel(index, id_decp), manques)

    def resume(self) -> dict:
        """The summary, as plain data (`--format json`)."""
        return {
            "ecrit": self.ecrit,
            "strict": self.strict,
            "refuse": self.refuse,
            "erreur_fichier": self.erreur_fichier,
            "lus": self.lus,
            "crees": self.crees,
            "mis_a_jour": self.mis_a_jour,
            "inchanges": self.inchanges,
            "incomplets": self.incomplets,
            "rejetes": self.invalides,
            "autres_acheteurs": self.ignores,
            "doublons": self.doublons,
            "concessions": self.concessions,
            "rejets_par_raison": _par_nombre(self.rejets),
            "incomplets_par_raison": _par_nombre(self.manques),
        }


def _grouper(groupes, quel, raisons):
    for raison in dict.fromkeys(motif(raison) for raison in raisons):
        groupe = groupes.setdefault(raison, Groupe())
        groupe.nombre += 1
        if len(groupe.exemples) < EXEMPLES_PAR_RAISON:
            exemples = [r for r in raisons if motif(r) == raison]
            groupe.exemples.append(f"{quel} : {exemples[0]}")


def _par_nombre(groupes):
    return [
        {"raison": raison, "nombre": groupe.nombre, "exemples": groupe.exemples}
        for raison, groupe in sorted(groupes.items(), key=lambda item: -item[1].nombre)
    ]
