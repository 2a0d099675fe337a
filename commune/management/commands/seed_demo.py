from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django.utils.text import slugify
from stdnum.fr import siret as stdnum_siret

from axes.enums import Statut
from axes.models import Action, Engagement, Jalon, Preuve, Referentiel, ScoreSnapshot, Signature
from axes.scoring import ActionInput, calculer_score
from axes.services import snapshot_valeurs, snapshots_courants_marquer
from commune import demo_data as demo
from commune.demo_data import etat_anterieur, siret_mairie
from commune.models import EPCI, Commune, Departement, EluReferent, MembreCommune
from marches.enums import BaseLegale, Nature, TypeCodeLieu, TypeIdentifiant
from marches.models import ClauseSociale, Marche, SuiviHeures, Titulaire
from structures.models import (
    MembreStructure,
    Reseau,
    Secteur,
    Soutien,
    Structure,
    TypePrestation,
    TypeStructure,
)


def enregistrer(modele, cles, valeurs):
    """get_or_create on the natural key `cles`, then updates only the fields that differ.

    Saving nothing when nothing changed keeps a second run silent: no new
    history rows, no moved `updated_at`.
    """
    objet = modele.objects.filter(**cles).first()
    if objet is None:
        objet = modele(**cles, **valeurs)
        objet.save()
        return objet
    change = False
    for nom, valeur in valeurs.items():
        actuelle = getattr(objet, modele._meta.get_field(nom).attname)
        cible = valeur.pk if isinstance(valeur, models.Model) else valeur
        if actuelle != cible:
            setattr(objet, nom, valeur)
            change = True
    if change:
        objet.save()
    return objet


def toutes(modele, champ, cles):
    """The rows whose `champ` is in `cles`, failing loudly when one is missing."""
    trouvees = list(modele.objects.filter(**{f"{champ}__in": cles}))
    manquantes = set(cles) - {getattr(objet, champ) for objet in trouvees}
    if manquantes:
        raise CommandError(
            f"{modele._meta.verbose_name} introuvable : {', '.join(sorted(manquantes))}. "
            "Les données de référence sont-elles chargées (manage.py migrate) ?"
        )
    return trouvees


class Command(BaseCommand):
    help = (
        "Charge les données de démonstration (communes de Rennes Métropole, structures, "
        "marchés, engagements) et les comptes de démonstration. Peut être relancée."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Accepte de s'exécuter quand DEBUG est faux (jamais en production).",
        )

    def handle(self, *args, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG est faux : seed_demo crée des comptes au mot de passe connu et refuse "
                "de tourner hors développement. Ajoutez --force si cette base n'est pas la "
                "production."
            )
        guide = Referentiel.objects.guide()
        if guide is None:
            raise CommandError("Le guide n'est pas chargé : lancez d'abord manage.py migrate.")

        with transaction.atomic():
            communes = self.charger_communes()
            comptes = self.charger_comptes()
            structures = self.charger_structures(communes)
            self.charger_membres(comptes, communes, structures)
            self.charger_signatures(guide, communes, comptes)
            self.charger_engagements(guide, communes, comptes)
            self.charger_instantanes(guide, communes)
            self.charger_soutiens(communes, structures, comptes)
            self.charger_marches(communes, structures)

        self.stdout.write(
            self.style.SUCCESS(
                f"Données de démonstration chargées : {len(communes)} communes, "
                f"{len(structures)} structures, {len(demo.MARCHES)} marchés."
            )
        )
        self.afficher_comptes()

    def charger_communes(self):
        """The real communes (manage.py import_territoires) when they are there, left as
        the official découpage has them but for the mairie's SIRET that the demo contracts
        need; otherwise the demo's own Rennes Métropole."""
        communes = {}
        for code, nom, population in demo.COMMUNES:
            commune = Commune.objects.filter(code_insee=code).first()
            if commune is None:
                commune = enregistrer(
                    Commune,
                    {"code_insee": code},
                    {
                        "nom": nom,
                        "slug": slugify(nom),
                        "departement": Departement.objects.get(code=demo.DEPARTEMENT),
                        "population": population,
                        "epci": self.epci_de_la_demo(),
                    },
                )
            if not commune.siret_mairie:
                commune.siret_mairie = siret_mairie(code, siren=commune.siren)
                commune.save()
            communes[code] = commune
        return communes

    def epci_de_la_demo(self):
        epci = EPCI.objects.filter(siren=demo.EPCI["siren"]).first()
        return epci or EPCI.objects.create(**demo.EPCI)

    def charger_comptes(self):
        User = get_user_model()
        comptes = {}
        for compte in demo.COMPTES:
            user = User.objects.filter(email__iexact=compte["email"]).first()
            user = user or User(email=compte["email"])
            user.first_name = compte["prenom"]
            user.last_name = compte["nom"]
            user.is_active = True
            user.is_staff = user.is_superuser = compte.get("staff", False)
            # Reset on every run, so that the password printed below always works.
            user.set_password(demo.MOT_DE_PASSE)
            user.save()
            comptes[compte["email"]] = user
        return comptes

    def charger_structures(self, communes):
        types = {t.code: t for t in TypeStructure.objects.all()}
        structures = {}
        for donnees in demo.STRUCTURES:
            siret = donnees["siret"]
            if not stdnum_siret.is_valid(siret):
                raise CommandError(f"SIRET de démonstration invalide : {siret}")
            if donnees["type"] not in types:
                raise CommandError(f"Type de structure inconnu : {donnees['type']}")
            maj = donnees["chiffres_maj"]
            etp, taux = donnees["etp_insertion"], donnees["taux_sorties_positives"]
            structure = enregistrer(
                Structure,
                {"siret": siret},
                {
                    "nom": donnees["nom"],
                    "type": types[donnees["type"]],
                    "forme_juridique": donnees["forme_juridique"],
                    "description": donnees["description"],
                    "adresse": donnees["adresse"],
                    "code_postal": donnees["code_postal"],
                    "commune": communes[donnees["commune"]],
                    "email": donnees["email"],
                    "email_public": True,
                    "site_web": donnees.get("site_web", ""),
                    # A figure the structure did not give has no update date either.
                    "etp_insertion": Decimal(etp) if etp else None,
                    "etp_insertion_maj": maj if etp else None,
                    "personnes_accompagnees": donnees["personnes_accompagnees"],
                    "personnes_accompagnees_maj": maj,
                    "taux_sorties_positives": Decimal(taux) if taux else None,
                    "taux_sorties_positives_maj": maj if taux else None,
                    "fin_conventionnement": donnees.get("fin_conventionnement"),
                    "verifiee": donnees["verifiee"],
                    "publiee": True,
                },
            )
            # set() adds and removes only the difference: no history row when unchanged.
            structure.secteurs.set(toutes(Secteur, "slug", donnees["secteurs"]))
            structure.types_prestation.set(toutes(TypePrestation, "code", donnees["prestations"]))
            structure.reseaux.set(toutes(Reseau, "slug", donnees["reseaux"]))
            structure.zones_communes.set(
                [communes[code] for code in donnees.get("zones_communes", ())]
            )
            structure.zones_epci.set(toutes(EPCI, "siren", donnees.get("zones_epci", ())))
            structure.zones_departements.set(
                toutes(Departement, "code", donnees.get("zones_departements", ()))
            )
            structures[siret] = structure
        return structures

    def charger_membres(self, comptes, communes, structures):
        for compte in demo.COMPTES:
            user = comptes[compte["email"]]
            if "commune" in compte:
                code, role = compte["commune"]
                enregistrer(
                    MembreCommune, {"user": user, "commune": communes[code]}, {"role": role}
                )
            if "structure" in compte:
                enregistrer(
                    MembreStructure,
                    {"user": user, "structure": structures[compte["structure"]]},
                    {"est_admin": True},
                )

    def charger_signatures(self, guide, communes, comptes):
        elu = comptes["elu@demo.test"]
        for code, signature in demo.SIGNATURES.items():
            enregistrer(
                Signature,
                {"commune": communes[code], "referentiel": guide},
                {**signature, "created_by": elu if code == demo.RENNES else None},
            )
        for code, (nom, mandat, depuis) in demo.ELUS_REFERENTS.items():
            enregistrer(
                EluReferent,
                {"commune": communes[code]},
                {"nom": nom, "mandat": mandat, "depuis": depuis},
            )

    def charger_engagements(self, guide, communes, comptes):
        actions = {a.code: a for a in Action.objects.filter(referentiel=guide)}
        for code, plan in demo.ENGAGEMENTS.items():
            commune = communes[code]
            auteur = comptes["elu@demo.test"] if code == demo.RENNES else None
            for code_action, donnees in plan.items():
                valeurs = {
                    "statut": donnees["statut"],
                    "avancement": donnees.get("avancement"),
                    "date_cible": donnees.get("date_cible"),
                    "pilote": comptes.get(donnees.get("pilote")),
                    "pilote_nom": donnees.get("pilote_nom", ""),
                    "description": donnees.get("description", ""),
                    "note_interne": donnees.get("note_interne", ""),
                    "justification": donnees.get("justification", ""),
                }
                cles = {"commune": commune, "action": actions[code_action]}
                try:
                    Engagement(**cles, **valeurs).clean()
                except ValidationError as erreur:
                    raise CommandError(f"{commune} {code_action} : {erreur.messages}") from erreur
                if donnees["statut"] == Statut.REALISE and not donnees.get("preuves"):
                    raise CommandError(f"{commune} {code_action} : réalisé sans preuve.")

                engagement = enregistrer(Engagement, cles, valeurs)
                for titre, nature, url, date, publique in donnees.get("preuves", ()):
                    enregistrer(
                        Preuve,
                        {"engagement": engagement, "titre": titre},
                        {
                            "nature": nature,
                            "url": url,
                            "date": date,
                            "publique": publique,
                            "created_by": auteur,
                        },
                    )
                for date, titre, atteint in donnees.get("jalons", ()):
                    enregistrer(
                        Jalon,
                        {"engagement": engagement, "titre": titre},
                        {"date": date, "atteint": atteint},
                    )

    def charger_instantanes(self, guide, communes):
        actions = list(Action.objects.filter(referentiel=guide).select_related("axe"))
        for code, dates in demo.INSTANTANES.items():
            plan = demo.ENGAGEMENTS.get(code, {})
            for rang, date in enumerate(dates):
                recul = len(dates) - 1 - rang
                entrees = []
                for action in actions:
                    donnees = plan.get(action.code, {"statut": Statut.NON_RENSEIGNE})
                    statut, avancement = etat_anterieur(
                        donnees["statut"], donnees.get("avancement"), recul
                    )
                    entrees.append(
                        ActionInput(
                            axe=action.axe.numero,
                            code=action.code,
                            poids=action.poids,
                            statut=statut,
                            avancement=avancement,
                            a_preuve=bool(donnees.get("preuves")),
                        )
                    )
                enregistrer(
                    ScoreSnapshot,
                    {"commune": communes[code], "referentiel": guide, "date": date},
                    snapshot_valeurs(calculer_score(entrees)),
                )
        snapshots_courants_marquer(communes=list(communes.values()), referentiel=guide)

    def charger_soutiens(self, communes, structures, comptes):
        for code, siret, type_, montant, annee, description in demo.SOUTIENS:
            enregistrer(
                Soutien,
                {
                    "commune": communes[code],
                    "structure": structures[siret],
                    "type": type_,
                    "annee": annee,
                },
                {
                    "montant": Decimal(montant) if montant is not None else None,
                    "description": description,
                    "created_by": comptes["elu@demo.test"] if code == demo.RENNES else None,
                },
            )

    def charger_marches(self, communes, structures):
        facilitateur_nom, facilitateur_organisation = demo.FACILITATEUR
        for donnees in demo.MARCHES:
            commune = communes[donnees["commune"]]
            sociales = donnees.get("sociales", ())
            environnementales = donnees.get("environnementales", ())
            marche = enregistrer(
                Marche,
                {"acheteur_siret": commune.siret_mairie, "id_decp": donnees["id_decp"]},
                {
                    "commune": commune,
                    "objet": donnees["objet"],
                    "code_cpv": donnees["code_cpv"],
                    "procedure": donnees["procedure"],
                    "nature": Nature.MARCHE,
                    "montant": Decimal(donnees["montant"]),
                    "date_notification": donnees["date_notification"],
                    "date_publication": donnees["date_notification"] + timedelta(days=21),
                    "duree_mois": donnees["duree_mois"],
                    "forme_prix": donnees["forme_prix"],
                    "lieu_code": commune.code_insee,
                    "lieu_type_code": TypeCodeLieu.CODE_COMMUNE,
                    "clause_sociale": "clause" in sociales,
                    "critere_social": "critère" in sociales,
                    "marche_reserve": "réservé" in sociales,
                    "clause_environnementale": "clause" in environnementales,
                    "critere_environnemental": "critère" in environnementales,
                },
            )
            for siret in donnees["titulaires"]:
                structure = structures.get(siret)
                enregistrer(
                    Titulaire,
                    {
                        "marche": marche,
                        "type_identifiant": TypeIdentifiant.SIRET,
                        "identifiant": siret,
                    },
                    {
                        "denomination": structure.nom if structure else demo.ENTREPRISES[siret],
                        "structure": structure,
                    },
                )
            for base_legale, heures_prevues, suivis in donnees.get("clauses", ()):
                heures = base_legale == BaseLegale.L2112_2
                clause = enregistrer(
                    ClauseSociale,
                    {"marche": marche, "base_legale": base_legale},
                    {
                        "heures_prevues": heures_prevues,
                        "facilitateur_nom": facilitateur_nom if heures else "",
                        "facilitateur_organisation": facilitateur_organisation if heures else "",
                        "description": demo.DESCRIPTIONS_CLAUSES[base_legale],
                    },
                )
                for debut, fin, realisees, embauchees, contrats in suivis:
                    enregistrer(
                        SuiviHeures,
                        {"clause": clause, "periode_debut": debut},
                        {
                            "periode_fin": fin,
                            "heures_realisees": Decimal(realisees),
                            "personnes_embauchees": embauchees,
                            "contrats_signes": contrats,
                        },
                    )

    def afficher_comptes(self):
        lignes = [("e-mail", "mot de passe", "rôle")] + [
            (compte["email"], demo.MOT_DE_PASSE, compte["role"]) for compte in demo.COMPTES
        ]
        largeurs = [max(len(ligne[i]) for ligne in lignes) for i in range(2)]
        self.stdout.write("")
        self.stdout.write("Comptes de démonstration :")
        for rang, (email, mot_de_passe, role) in enumerate(lignes):
            self.stdout.write(
                f"  {email.ljust(largeurs[0])}  {mot_de_passe.ljust(largeurs[1])}  {role}"
            )
            if rang == 0:
                self.stdout.write(f"  {'-' * largeurs[0]}  {'-' * largeurs[1]}  {'-' * 40}")
        self.stdout.write("")
        if settings.OTP_EXIGE_POUR_ADMIN:
            self.stdout.write(
                "L'administration exige la double authentification : un compte staff "
                "l'active d'abord sur /compte/deux-facteurs/."
            )
        else:
            self.stdout.write(
                "Réglages de développement : le compte staff entre dans /admin/ sans double "
                "authentification (OTP_EXIGE_POUR_ADMIN = False)."
            )
        self.stdout.write(f"Ouvrez {demo.ADRESSE_DU_SITE} et connectez-vous avec l'un d'eux.")
