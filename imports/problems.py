from api.registry import problem

IMPORT_FILE_INVALID = problem(
    400,
    40,
    "invalid-import-file",
    "The import file cannot be read.",
    "The file is not what its content type says, is corrupt, is not UTF-8 text, has no email column, "
    "or has more rows or columns than the server accepts. `detail` says which.",
)


class InvalidSource(ValueError):
    """The payload cannot be imported; the message says why (a 400 before the 202, the task's reason after)."""


class InvalidColumns(InvalidSource):
    """The file reads, but its first row cannot be imported (imports.columns): no email column, a column that
    is not a field of the account… A preview can still show its rows."""
