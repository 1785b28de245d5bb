"""status-board: the internal status page's API (components, incidents)."""

__version__ = "3.2.0"
