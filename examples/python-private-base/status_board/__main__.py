"""python3 -m status_board [--port N] [--config FILE]"""

from __future__ import annotations

import argparse
import logging
import signal
import sys

from . import config, server


def _stop(signum, frame):
    # `docker stop` sends SIGTERM: leave serve_forever as on Ctrl-C.
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="status_board", description=__doc__)
    parser.add_argument("--config", help="an .ini file over the defaults")
    parser.add_argument("--port", type=int, help="overrides [server] port")
    parser.add_argument("--log-level", default="INFO")
    args = parser.parse_args(argv)

    logging.basicConfig(
        level=args.log_level.upper(),
        stream=sys.stdout,
        format="%(asctime)s %(levelname)s %(name)s %(message)s",
    )
    settings = config.load(args.config)
    if args.port is not None:
        settings = config.Settings(**{**settings.__dict__, "port": args.port})
    signal.signal(signal.SIGTERM, _stop)
    server.serve(settings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
