"""The one rule for a cell a spreadsheet could run as a formula, in Python and in SQL.

A value that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe:
the spreadsheet shows the text and never runs it (OWASP's "CSV injection"). Every CSV and workbook the server
writes goes through here: ``csv_cell`` for a value in Python, ``sql_cell`` for a column the database formats
itself (the exports, written by PostgreSQL's ``COPY``). ``tests/security/test_csv.py`` holds the two to the
same answers.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value) -> str:
    """A cell a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in FORMULA_STARTS else text


_SQL_STARTS = ", ".join(f"chr({ord(start)})" if start in "\t\r" else f"'{start}'" for start in FORMULA_STARTS)


def sql_cell(expression: str) -> str:
    """``csv_cell`` as a PostgreSQL text expression over ``expression`` (NULL stays NULL: an empty cell).

    ``expression`` appears twice: give a column, or a cheap expression over one, never a subquery."""
    return f"(CASE WHEN left({expression}, 1) IN ({_SQL_STARTS}) THEN '''' || {expression} ELSE {expression} END)"
