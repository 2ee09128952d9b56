"""Credentials never reach a log line or a message: URL user:password parts and `${ENV}` secrets.

`redact` is applied to every log record by `RedactingFormatter` (installed by the CLI for every
command, `serve` included) and to messages the CLI prints itself.
"""

from __future__ import annotations

import logging
import re
import threading

# scheme://user:password@host or scheme://token@host: everything between :// and the last @ of the
# authority goes; the host stays so the operator can tell which camera or database is meant.
_URL_CREDENTIALS = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)(?P<userinfo>[^/\s@]+)@")
MIN_SECRET_LENGTH = 4  # shorter values (e.g. a port number) would blank out ordinary text

_secrets: set[str] = set()
_lock = threading.Lock()


def register_secret(value: str) -> None:
    """Remember a value taken from the environment for the config (`${NAME}`), to redact it anywhere."""
    if len(value) >= MIN_SECRET_LENGTH:
        with _lock:
            _secrets.add(value)


def redact(text: str) -> str:
    out = _URL_CREDENTIALS.sub(lambda m: m.group("scheme") + "***@", text)
    with _lock:
        known = sorted(_secrets, key=len, reverse=True)
    for secret in known:
        out = out.replace(secret, "***")
    return out


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def install(level: int, fmt: str) -> None:
    """Root logging with every handler redacting (the handlers already there are converted too)."""
    logging.basicConfig(level=level, format=fmt)
    root = logging.getLogger()
    root.setLevel(level)
    for handler in root.handlers:
        handler.setFormatter(RedactingFormatter(fmt))
