"""The contracts already met in a file, in 8 bytes each.

A national file holds millions of contracts; a Python set of their hashes costs about
60 bytes a contract (90 MiB for 1.5 million), more than the rest of the import. Here the
hashes go into a small set first, then, by slices, into one sorted array of 64-bit
integers searched by bisection: 8 bytes a contract, and a lookup that stays a few
microseconds.
"""

import bisect
import heapq
from array import array

# Hashes kept in the set before they join the sorted array.
TRANCHE = 200_000


class Vus:
    def __init__(self, tranche: int = TRANCHE):
        self.tranche = tranche
        self.recents: set[int] = set()
        self.ranges = array("q")

    def __contains__(self, empreinte: int) -> bool:
        if empreinte in self.recents:
            return True
        position = bisect.bisect_left(self.ranges, empreinte)
        return position < len(self.ranges) and self.ranges[position] == empreinte

    def add(self, empreinte: int) -> None:
        self.recents.add(empreinte)
        if len(self.recents) >= self.tranche:
            # Merged one value at a time: the old and new arrays are the only copies.
            self.ranges = array("q", heapq.merge(self.ranges, sorted(self.recents)))
            self.recents = set()

    def __len__(self) -> int:
        return len(self.recents) + len(self.ranges)
