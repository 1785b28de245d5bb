"""SQLite storage for notes (an in-memory database unless NOTES_DB names a file)."""
import os
import sqlite3

SCHEMA = """
CREATE TABLE IF NOT EXISTS notes (
    id INTEGER PRIMARY KEY,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    tag TEXT NOT NULL
);
"""

SEED = [
    ("Buy beans", "Two bags of the washed Ethiopian.", "errands"),
    ("Descale kettle", "Citric acid, 15 minutes.", "home"),
    ("Write release notes", "Mention the new /api/stats endpoint.", "work"),
    ("Call the roaster", "Ask about the spring lots.", "errands"),
]


def connect(path=None):
    conn = sqlite3.connect(path or os.environ.get("NOTES_DB", ":memory:"), check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.executescript(SCHEMA)
    if conn.execute("SELECT COUNT(*) FROM notes").fetchone()[0] == 0:
        conn.executemany("INSERT INTO notes (title, body, tag) VALUES (?, ?, ?)", SEED)
        conn.commit()
    return conn


def list_notes(conn, tag=None):
    if tag:
        rows = conn.execute("SELECT * FROM notes WHERE tag = ? ORDER BY id", (tag,))
    else:
        rows = conn.execute("SELECT * FROM notes ORDER BY id")
    return [dict(row) for row in rows]


def get_note(conn, note_id):
    row = conn.execute("SELECT * FROM notes WHERE id = ?", (note_id,)).fetchone()
    return dict(row) if row else None


def stats(conn):
    rows = conn.execute("SELECT tag, COUNT(*) AS n FROM notes GROUP BY tag ORDER BY tag")
    by_tag = {row["tag"]: row["n"] for row in rows}
    return {"total": sum(by_tag.values()), "byTag": by_tag, "sqlite": sqlite3.sqlite_version_info[0]}
