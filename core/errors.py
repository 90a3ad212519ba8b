"""Errors that stop a run with a one-line message instead of a traceback."""


class InputError(Exception):
    """Bad input that makes a run impossible (exit code 2).

    The message names the file and, where known, the row and column.
    """

    def __init__(self, message: str, *, file: str | None = None, row: int | None = None,
                 column: str | None = None):
        where = ", ".join(p for p in (file, row and f"row {row}", column and f"column {column}") if p)
        super().__init__(f"{where}: {message}" if where else message)
        self.file, self.row, self.column = file, row, column


class MissingExportError(InputError):
    """A required export is not (yet) in the inbox; a run may wait for it (`inputs.wait_until`)."""


class ConfigError(InputError):
    """A configuration key is missing, unknown or has a bad value."""


class RunLockedError(Exception):
    """Another run holds the state file."""
