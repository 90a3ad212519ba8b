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


# the documented exit codes
EXIT_FAILED = 1  # anything unexpected
EXIT_INPUT = 2  # bad input, configuration or state
EXIT_LOCKED = 3  # another run holds the state file


def exit_code(exc: BaseException) -> int:
    """The exit code of a failure."""
    if isinstance(exc, InputError):
        return EXIT_INPUT
    if isinstance(exc, RunLockedError):
        return EXIT_LOCKED
    return EXIT_FAILED
