"""What the structures app tells the apps above it, which it must not import.

`structures_creees` is sent with `structures`, a list of (pk, SIRET), when a bulk
import creates structures (a bulk insert sends no `post_save`); a structure created
one by one sends Django's own `post_save`. The contracts app links to them the holders
that already carry their SIRET, whatever came first, the contracts or the structures.
"""

from django.dispatch import Signal

structures_creees = Signal()
