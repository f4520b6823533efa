"""Errors the CLI reports as one line: user errors exit 1, everything else exits 2."""


class UserError(Exception):
    """A problem with the user's input (bad path, unknown format, locked store): exit code 1."""
