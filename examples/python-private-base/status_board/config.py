"""Settings: defaults.ini, then an optional --config file, then environment variables."""

from __future__ import annotations

import configparser
import os
from dataclasses import dataclass
from pathlib import Path

DEFAULTS = Path(__file__).with_name("defaults.ini")
ENV_PREFIX = "STATUS_BOARD_"


@dataclass(frozen=True)
class Settings:
    host: str
    port: int
    request_timeout: float
    db_path: str
    seed: bool
    title: str


def load(extra: str | None = None, environ: dict[str, str] | None = None) -> Settings:
    environ = os.environ if environ is None else environ
    parser = configparser.ConfigParser()
    parser.read(DEFAULTS, encoding="utf-8")
    if extra:
        if not parser.read(extra, encoding="utf-8"):
            raise FileNotFoundError(f"config file not found: {extra}")
    for section in parser.sections():
        for key in parser[section]:
            override = environ.get(f"{ENV_PREFIX}{section}_{key}".upper())
            if override is not None:
                parser[section][key] = override
    return Settings(
        host=parser["server"]["host"],
        port=parser.getint("server", "port"),
        request_timeout=parser.getfloat("server", "request_timeout"),
        db_path=parser["database"]["path"],
        seed=parser.getboolean("database", "seed"),
        title=parser["page"]["title"],
    )
