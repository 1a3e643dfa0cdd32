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
import tempfile
from pathlib import Path
from urllib.parse import urlencode

from xinqu.app import App
from xinqu.errors import ConfigError

log = logging.getLogger(__name__)

SECRET_FILE = "secret.key"
PURPOSES = ("unsubscribe", "confirm")


#: Shortest secret accepted from the environment, and from the generated file (which
#: is always 43 characters: anything shorter there is a damaged file).
MIN_ENV_SECRET = 16
MIN_FILE_SECRET = 32


def secret(app: App) -> bytes:
    """The signing secret: from the environment, else the data folder's own file.

    An empty or short secret would make every link forgeable, so it is refused with
    one line (ConfigError) rather than used.
    """
    env_name = app.config.settings.web.secret_env
    from_env = app.config.settings.web.secret()
    if from_env:
        if len(from_env.strip()) < MIN_ENV_SECRET:
            raise ConfigError(
                f"the link-signing secret in {env_name} is {len(from_env.strip())} characters; "
                f"use at least {MIN_ENV_SECRET} random ones"
            )
        return from_env.encode("utf-8")
    path = app.data_dir / SECRET_FILE
    if not path.exists() and _create_secret(path):
        log.warning(
            "%s is not set: generated a link-signing secret in %s (keep it with the data)",
            env_name,
            path,
        )
    try:
        value = path.read_bytes().strip()
    except OSError as exc:
        raise ConfigError(f"cannot read the link-signing secret {path}: {exc}") from None
    if len(value) < MIN_FILE_SECRET:
        raise ConfigError(
            f"{path} holds {'no' if not value else 'a damaged'} link-signing secret "
            f"({len(value)} characters, at least {MIN_FILE_SECRET} expected): restore it from "
            f"a backup, or delete it to make a new one (links already mailed then stop working)"
        )
    return value


def _create_secret(path: Path) -> bool:
    """Write a new secret to ``path`` whole or not at all; False if another process won.

    The secret goes to a temporary file that is fsynced and then *linked* to its
    name: a link fails if the name exists, so of two processes starting together
    one wins and the other reads the winner's complete file, and a crash leaves
    either no file or a complete one, never an empty one.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temporary = tempfile.mkstemp(prefix=".secret-", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(secrets.token_urlsafe(32) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(temporary, path)
        except FileExistsError:
            return False
        _fsync_folder(path.parent)
        return True
    finally:
        Path(temporary).unlink(missing_ok=True)


def _fsync_folder(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


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
    ok = head.isascii() and head.isdigit() and len(head) < 12 and mac
    return int(head) if ok else None


def verify_token(key: bytes, purpose: str, token: str, subscriber_id: int, email: str) -> bool:
    expected = make_token(key, purpose, subscriber_id, email)
    return hmac.compare_digest(expected.encode(), token.encode("utf-8", "replace"))


def link(app: App, key: bytes, purpose: str, subscriber_id: int, email: str) -> str:
    """The absolute URL a reader follows, e.g. ``https://host/unsubscribe?t=12.abc``."""
    base = str(app.config.settings.web.base_url).rstrip("/")
    token = make_token(key, purpose, subscriber_id, email)
    return f"{base}/{purpose}?{urlencode({'t': token})}"
