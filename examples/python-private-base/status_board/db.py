"""The status database: sqlite3, one connection per request."""

from __future__ import annotations

import json
import sqlite3
from contextlib import contextmanager
from datetime import datetime
from importlib import resources
from typing import Iterator

SCHEMA_VERSION = 4

SCHEMA = """
CREATE TABLE IF NOT EXISTS components (
    id     TEXT PRIMARY KEY,
    name   TEXT NOT NULL,
    grp    TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('operational', 'degraded', 'outage', 'maintenance'))
);
CREATE TABLE IF NOT EXISTS incidents (
    id        INTEGER PRIMARY KEY,
    title     TEXT NOT NULL,
    component TEXT NOT NULL REFERENCES components (id),
    severity  TEXT NOT NULL CHECK (severity IN ('minor', 'major', 'critical')),
    opened    TEXT NOT NULL,
    resolved  TEXT
);
CREATE INDEX IF NOT EXISTS incidents_open ON incidents (resolved) WHERE resolved IS NULL;
"""

STATUS_ORDER = {"operational": 0, "maintenance": 1, "degraded": 2, "outage": 3}


@contextmanager
def connect(path: str) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(path, timeout=5)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA foreign_keys = ON")
    try:
        yield conn
        conn.commit()
    finally:
        conn.close()


def migrate(path: str, seed: bool) -> None:
    with connect(path) as conn:
        conn.executescript(SCHEMA)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        empty = conn.execute("SELECT COUNT(*) FROM components").fetchone()[0] == 0
        if seed and empty:
            load_seed(conn)


def load_seed(conn: sqlite3.Connection) -> None:
    data = json.loads(resources.files("status_board").joinpath("data/seed.json").read_text("utf-8"))
    conn.executemany(
        "INSERT INTO components (id, name, grp, status) VALUES (:id, :name, :group, :status)",
        data["components"],
    )
    conn.executemany(
        "INSERT INTO incidents (id, title, component, severity, opened, resolved)"
        " VALUES (:id, :title, :component, :severity, :opened, :resolved)",
        data["incidents"],
    )


def components(conn: sqlite3.Connection) -> list[dict]:
    rows = conn.execute("SELECT id, name, grp, status FROM components ORDER BY grp, name")
    return [{"id": r["id"], "name": r["name"], "group": r["grp"], "status": r["status"]} for r in rows]


def incidents(conn: sqlite3.Connection, only_open: bool = False) -> list[dict]:
    sql = "SELECT * FROM incidents"
    if only_open:
        sql += " WHERE resolved IS NULL"
    rows = conn.execute(sql + " ORDER BY opened DESC")
    return [dict(r) | {"minutes": _minutes(r["opened"], r["resolved"])} for r in rows]


def _minutes(opened: str, resolved: str | None) -> int | None:
    if resolved is None:
        return None
    delta = datetime.fromisoformat(resolved.replace("Z", "+00:00")) - datetime.fromisoformat(
        opened.replace("Z", "+00:00")
    )
    return int(delta.total_seconds() // 60)


def summary(conn: sqlite3.Connection) -> dict:
    comps = components(conn)
    worst = max((STATUS_ORDER[c["status"]] for c in comps), default=0)
    overall = {0: "all_operational", 1: "maintenance", 2: "degraded", 3: "partial_outage"}[worst]
    by_status: dict[str, list[str]] = {}
    for c in comps:
        by_status.setdefault(c["status"], []).append(c["id"])
    open_incidents = incidents(conn, only_open=True)
    resolved = [i for i in incidents(conn) if i["minutes"] is not None]
    return {
        "status": overall,
        "components": len(comps),
        "byStatus": {k: sorted(v) for k, v in sorted(by_status.items())},
        "openIncidents": [{"id": i["id"], "component": i["component"], "severity": i["severity"]} for i in open_incidents],
        "meanMinutesToResolve": round(sum(i["minutes"] for i in resolved) / len(resolved), 1) if resolved else None,
        "schema": conn.execute("PRAGMA user_version").fetchone()[0],
    }
