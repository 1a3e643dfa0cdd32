"""Validating subscribers' addresses (email-validator, syntax only: no DNS look-ups).

Internationalised domains are stored in their ASCII (IDNA) form so any SMTP server
takes them; local parts must be ASCII (SMTPUTF8 is not assumed of the relay). The
whole address is lower-cased: one reader, one row.
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from xinqu.errors import XinquError


class AddressError(XinquError):
    """An address a user gave is not a valid e-mail address."""


def normalize_address(value: str) -> str:
    try:
        result = validate_email(value.strip(), check_deliverability=False, allow_smtputf8=False)
    except EmailNotValidError as exc:
        raise AddressError(f"{value!r} is not a valid e-mail address: {exc}") from None
    return (result.ascii_email or result.normalized).lower()
