"""The baseline of the load bench: pre-rendered bytes served by a minimal WSGI app."""

import os
from pathlib import Path

CORPS = Path(os.environ["BENCH_PAGE"]).read_bytes()
ENTETES = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(CORPS)))]


def application(environ, start_response):
    start_response("200 OK", ENTETES)
    return [CORPS]
