"""`archivio serve` whose searches never end, with a 2 s worker timeout: what a client
gets when gunicorn kills a worker (tests/test_web_hostile_server.py).

    python -m tests.stubbed_serve INDEX PORT
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import web.api
import web.results
import web.server


def _forever(*args: object, **kwargs: object) -> None:
    time.sleep(3600)


if __name__ == "__main__":
    web.api.search = _forever  # type: ignore[assignment]
    web.results.search = _forever  # type: ignore[assignment]
    web.server.WORKER_TIMEOUT = 2
    web.server.serve(Path(sys.argv[1]), port=int(sys.argv[2]), workers=1)
