"""HTTP API on http.server: JSON in, JSON out."""

from __future__ import annotations

import json
import logging
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from . import __version__, db
from .config import Settings

log = logging.getLogger("status_board.http")


def make_handler(settings: Settings) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = f"status-board/{__version__}"
        timeout = settings.request_timeout

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            url = urlsplit(self.path)
            query = parse_qs(url.query)
            routes = {
                "/healthz": lambda: {"status": "ok", "version": __version__},
                "/api/summary": lambda: self._with_db(db.summary),
                "/api/components": lambda: self._with_db(lambda c: {"components": db.components(c)}),
                "/api/incidents": lambda: self._with_db(
                    lambda c: {"incidents": db.incidents(c, only_open=query.get("open") == ["1"])}
                ),
            }
            route = routes.get(url.path.rstrip("/") or "/")
            if route is None:
                self._send(HTTPStatus.NOT_FOUND, {"error": f"no route {url.path}"})
                return
            try:
                self._send(HTTPStatus.OK, route())
            except Exception:
                log.exception("GET %s failed", self.path)
                self._send(HTTPStatus.INTERNAL_SERVER_ERROR, {"error": "internal error"})

        def _with_db(self, fn):
            with db.connect(settings.db_path) as conn:
                return fn(conn)

        def _send(self, status: HTTPStatus, body: dict) -> None:
            data = json.dumps(body, separators=(",", ":")).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, fmt: str, *args) -> None:
            log.info("%s %s", self.address_string(), fmt % args)

    return Handler


def serve(settings: Settings) -> None:
    db.migrate(settings.db_path, settings.seed)
    httpd = ThreadingHTTPServer((settings.host, settings.port), make_handler(settings))
    httpd.daemon_threads = True
    log.info("status-board %s on %s:%d (db %s)", __version__, settings.host, settings.port, settings.db_path)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        httpd.server_close()
