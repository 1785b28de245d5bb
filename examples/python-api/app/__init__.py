"""notes-api: a small JSON API on the Python standard library."""
