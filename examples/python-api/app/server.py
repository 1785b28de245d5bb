"""HTTP routing: /health, /api/notes, /api/notes/<id>, /api/stats."""
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

from . import db


class Handler(BaseHTTPRequestHandler):
    conn = None
    lock = threading.Lock()
    server_version = "notes-api/1.0"

    def send_json(self, status, payload):
        body = json.dumps(payload, sort_keys=True).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        url = urlparse(self.path)
        parts = [p for p in url.path.split("/") if p]
        with self.lock:
            if parts == ["health"]:
                return self.send_json(200, {"status": "ok"})
            if parts == ["api", "notes"]:
                tag = parse_qs(url.query).get("tag", [None])[0]
                notes = db.list_notes(self.conn, tag)
                return self.send_json(200, {"count": len(notes), "notes": notes})
            if len(parts) == 3 and parts[:2] == ["api", "notes"] and parts[2].isdigit():
                note = db.get_note(self.conn, int(parts[2]))
                if note is None:
                    return self.send_json(404, {"error": "no note " + parts[2]})
                return self.send_json(200, note)
            if parts == ["api", "stats"]:
                return self.send_json(200, db.stats(self.conn))
        return self.send_json(404, {"error": "not found"})

    def log_message(self, fmt, *args):
        # One line per request on stderr, without the default timestamp noise.
        import sys
        sys.stderr.write("%s %s\n" % (self.command, self.path))


def serve(host="0.0.0.0", port=8000):
    Handler.conn = db.connect()
    httpd = ThreadingHTTPServer((host, port), Handler)
    print("notes-api listening on %s:%d" % (host, port), flush=True)
    httpd.serve_forever()
