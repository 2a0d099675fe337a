"""The progress bar of the import commands (on the error output, so that a summary
piped to a file stays clean; hidden when that output is not a terminal)."""

import sys

from tqdm import tqdm


def barre(elements, total, titre):
    return tqdm(elements, total=total, desc=titre, unit=" lignes", file=sys.stderr, disable=None)
