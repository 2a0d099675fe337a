import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from commune import cache, echelle
from commune.territoires import FichierIllisible


class Command(BaseCommand):
    help = (
        "Remplit une base vide, fraîchement migrée, d'un jeu de données à l'échelle "
        "nationale, pour les mesures de performance : les territoires réels (le découpage "
        "administratif, chargé si la base n'a aucune commune, gardé tel quel sinon) et, "
        "générés sur ces communes et leurs EPCI, des structures, des marchés et des "
        "engagements. La même graine donne les mêmes données."
    )

    def add_arguments(self, parser):
        tailles = echelle.Tailles()
        parser.add_argument(
            "--communes",
            type=int,
            default=tailles.communes,
            help="Nombre de communes réelles, tirées au sort (toujours les mêmes pour une "
            "même graine), sur lesquelles portent structures, marchés et engagements ; les "
            "autres restent dans la base, sans rien. Par défaut : toutes les communes "
            "actuelles. Réduit la durée sans réduire le découpage.",
        )
        parser.add_argument(
            "--structures", type=int, default=tailles.structures, help="Nombre de structures."
        )
        parser.add_argument(
            "--marches", type=int, default=tailles.marches, help="Nombre de marchés publics."
        )
        parser.add_argument(
            "--part-engagees",
            type=float,
            default=tailles.part_engagees,
            help="Part des communes qui signent le guide, entre 0 et 1.",
        )
        parser.add_argument(
            "--seed", type=int, default=tailles.seed, help="Graine du générateur aléatoire."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Ajoute les données générées à une base qui en contient déjà. Les SIREN "
            "et SIRET déjà présents et les communes déjà signataires sont évités ; le "
            "résultat dépend alors de ce qui s'y trouve.",
        )
        parser.add_argument(
            "--territoires",
            type=Path,
            default=None,
            help="Le dossier du découpage administratif à charger quand la base n'a aucune "
            "commune (par défaut, celui du paquet npm @etalab/decoupage-administratif).",
        )

    def handle(
        self,
        *args,
        communes,
        structures,
        marches,
        part_engagees,
        seed,
        force,
        territoires,
        verbosity,
        **opts,
    ):
        try:
            tailles = echelle.Tailles(communes, structures, marches, part_engagees, seed)
        except echelle.ErreurEchelle as erreur:
            raise CommandError(str(erreur)) from erreur
        presentes = echelle.donnees_presentes()
        if presentes and not force:
            raise CommandError(
                f"La base contient déjà {en_toutes_lettres(presentes)} : seed_scale ne remplit "
                "qu'une base vide, fraîchement migrée (les territoires seuls ne comptent pas). "
                "Ajoutez --force pour ajouter les données générées à celles qui s'y trouvent."
            )

        debut = time.monotonic()
        ecrivain = echelle.Ecrivain(maintenant=timezone.now())
        try:
            # One transaction: a failure, a unique key taken under --force, writes nothing.
            with transaction.atomic():
                generateur = echelle.Generateur(tailles, ecrivain, territoires)
                for libelle, etape in generateur.etapes():
                    avant, depart = ecrivain.comptes.copy(), time.monotonic()
                    fait = etape()
                    if verbosity >= 1:
                        fait = fait or decrire(ecrivain.comptes - avant)
                        self.stdout.write(f"{libelle} : {fait} ({time.monotonic() - depart:.1f} s)")
        except (echelle.ErreurEchelle, FichierIllisible) as erreur:
            raise CommandError(str(erreur)) from erreur

        # COPY sends no signal: the cached public pages are dropped here, all at once.
        cache.invalider_tout()
        depart = time.monotonic()
        echelle.analyser(ecrivain.tables)
        if verbosity >= 1:
            if ecrivain.postgresql:
                self.stdout.write(
                    f"Statistiques (ANALYZE) de {len(ecrivain.tables)} tables "
                    f"({time.monotonic() - depart:.1f} s)"
                )
            self.stdout.write(
                self.style.SUCCESS(
                    f"Données générées (graine {seed}) : {sum(ecrivain.comptes.values())} "
                    f"lignes en {time.monotonic() - debut:.1f} s."
                )
            )


def en_toutes_lettres(elements):
    """ "a, b et c" """
    return " et ".join([", ".join(elements[:-1]), elements[-1]] if len(elements) > 1 else elements)


def decrire(comptes):
    """ "4500 structures, 200000 marchés publics, … et 70000 lignes d'historique", in
    writing order."""
    parties, historiques, liens = [], 0, 0
    for modele, nombre in comptes.items():
        if modele.__name__.startswith("Historical"):
            historiques += nombre
        elif modele._meta.auto_created:
            liens += nombre
        else:
            parties.append(f"{nombre} {modele._meta.verbose_name_plural}")
    if liens:
        parties.append(f"{liens} liens (secteurs, prestations, réseaux, zones)")
    if historiques:
        parties.append(f"{historiques} lignes d'historique")
    return ", ".join(parties)
