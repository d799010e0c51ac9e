"""localstripe, the Stripe stand-in, with its store kept in memory only.

Stock localstripe pickles its whole store to one fixed file in /tmp after every write:
two instances overwrite each other and it slows as the store grows. Development and
tests run it through this script instead:

    python deploy/local/localstripe_inmemory.py --port 8420 [--access-log]
"""

from __future__ import annotations

import logging
import sys

from localstripe import resources, server


def main() -> None:
    resources.Store.dump_to_disk = lambda self: None
    resources.Store.try_load_from_disk = lambda self: None
    access_log = "--access-log" in sys.argv
    sys.argv = [arg for arg in sys.argv if arg != "--access-log"] + ["--from-scratch"]
    if not access_log:
        # localstripe logs every request at DEBUG to stderr; keep only warnings.
        logging.getLogger("aiohttp.access").addHandler(logging.NullHandler())
        logging.getLogger("aiohttp.access").propagate = False
        original_add_handler = logging.Logger.addHandler

        def _quiet_add_handler(self: logging.Logger, handler: logging.Handler) -> None:
            if self.name == "aiohttp.access":
                return
            original_add_handler(self, handler)

        logging.Logger.addHandler = _quiet_add_handler  # type: ignore[method-assign]
    server.start()


if __name__ == "__main__":
    main()
