"""Signed links: a reader's unsubscribe and confirm URLs carry an HMAC, not a password.

The secret comes from the environment variable named by ``web.secret_env``. When
it is unset, a random secret is generated once and kept in ``<data>/secret.key``
(mode 0600), so links in mail already sent keep working across runs; losing that
file (or changing the variable) invalidates every link sent before.

A token is ``<subscriber id>.<mac>``; the MAC covers the purpose, the id and the
stored address, so a link works only for its purpose and dies with the address
(an id reused after ``subscribers remove --purge`` does not match).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import secrets
from pathlib import Path
from urllib.parse import urlencode

from xinqu.app import App

log = logging.getLogger(__name__)

SECRET_FILE = "secret.key"
PURPOSES = ("unsubscribe", "confirm")


def secret(app: App) -> bytes:
    """The signing secret: from the environment, else the data folder's own file."""
    from_env = app.config.settings.web.secret()
    if from_env:
        return from_env.encode("utf-8")
    path = app.data_dir / SECRET_FILE
    if not path.exists():
        _create_secret(path)
        log.warning(
            "%s is not set: generated a link-signing secret in %s (keep it with the data)",
            app.config.settings.web.secret_env,
            path,
        )
    return path.read_bytes().strip()


def _create_secret(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_urlsafe(32) + "\n")


def _mac(key: bytes, purpose: str, subscriber_id: int, email: str) -> str:
    message = f"{purpose}\0{subscriber_id}\0{email.lower()}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest[:18]).decode("ascii")


def make_token(key: bytes, purpose: str, subscriber_id: int, email: str) -> str:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown token purpose {purpose!r}")
    return f"{subscriber_id}.{_mac(key, purpose, subscriber_id, email)}"


def token_subscriber_id(token: str) -> int | None:
    """The id a token claims (not yet verified), or None if it is malformed."""
    head, _, mac = token.partition(".")
    return int(head) if head.isdigit() and len(head) < 12 and mac else None


def verify_token(key: bytes, purpose: str, token: str, subscriber_id: int, email: str) -> bool:
    expected = make_token(key, purpose, subscriber_id, email)
    return hmac.compare_digest(expected.encode(), token.encode("utf-8", "replace"))


def link(app: App, key: bytes, purpose: str, subscriber_id: int, email: str) -> str:
    """The absolute URL a reader follows, e.g. ``https://host/unsubscribe?t=12.abc``."""
    base = str(app.config.settings.web.base_url).rstrip("/")
    token = make_token(key, purpose, subscriber_id, email)
    return f"{base}/{purpose}?{urlencode({'t': token})}"
