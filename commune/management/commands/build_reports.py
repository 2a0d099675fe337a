from django.core.management.base import BaseCommand, CommandError

from commune.models import Commune
from commune.services import rapports_demander


class Command(BaseCommand):
    help = (
        "Met en file la construction d'un rapport PDF pour les communes données "
        "(codes INSEE), ou pour toutes les communes signataires du guide avec --all."
    )

    def add_arguments(self, parser):
        parser.add_argument("codes_insee", nargs="*", metavar="INSEE")
        parser.add_argument(
            "--all", action="store_true", help="toutes les communes signataires du guide"
        )

    def handle(self, *args, codes_insee, all, **options):
        if all == bool(codes_insee):
            raise CommandError("Donnez soit des codes INSEE, soit --all (pas les deux).")
        communes = None
        if codes_insee:
            trouvees = {c.code_insee: c for c in Commune.objects.filter(code_insee__in=codes_insee)}
            inconnus = sorted(set(codes_insee) - set(trouvees))
            if inconnus:
                raise CommandError(f"Codes INSEE inconnus : {', '.join(inconnus)}")
            communes = [trouvees[code] for code in codes_insee]
        rapports = rapports_demander(communes=communes, by=None)
        self.stdout.write(f"{len(rapports)} rapport(s) mis en file.")
