"""Errors a user can cause or meet; each is reported as one line, never a traceback."""


class XinquError(Exception):
    """Base of every error the CLI reports as a one-line reason (exit status 2)."""

    exit_code = 2


class ConfigError(XinquError):
    """A configuration file is missing or invalid; the message names file and key."""


class StoreError(XinquError):
    """The database cannot be opened or migrated."""


class DeliveryError(XinquError):
    """Mail could not be delivered (SMTP unreachable, refused, misconfigured)."""


class LockHeldError(XinquError):
    """Another process holds a lock this one needs (e.g. a second scheduler)."""

    exit_code = 3
