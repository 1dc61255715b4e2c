"""How an import file's first row maps onto the account: which column holds the address, which field each other
column fills, and what refuses the file. The one resolution: the submission's checks (``sources.prepare``) and
the back office's preview (``imports.preview``) both read a header through it, so the preview says what the
import will do."""

from dataclasses import dataclass

from django.conf import settings

from imports.spreadsheets import header_names

EMAIL_COLUMNS = {"email", "emailaddress", "email address", "e-mail"}


@dataclass
class Column:
    number: int  # 1-based, as a spreadsheet shows it
    name: str
    email: bool = False  # the column of addresses
    field: str | None = None  # the account's field it fills
    problem: str | None = None  # why the import refuses the file because of this column


def header_columns(header, known_fields: set[str]) -> tuple[list[Column], list[str]]:
    """Each named column of the first row as the import maps it, and every problem that refuses the file, in the
    order the import checks them: the first is what the API answers (``400.40``)."""
    names = header_names(header)
    problems = []
    if len(names) > settings.IMPORT_MAX_COLUMNS:
        problems.append(f"The file has {len(names)} columns; the maximum is {settings.IMPORT_MAX_COLUMNS}.")
    emails = [i for i, name in enumerate(names) if name.lower() in EMAIL_COLUMNS]
    if not emails:
        problems.append("The first row must name the email column ('email' or 'emailAddress').")
    elif len(emails) > 1:
        problems.append("The first row names more than one email column.")
    columns, filled = [], set()
    for index, name in enumerate(names):
        column = Column(index + 1, name)
        columns.append(column)
        if index in emails:
            column.email = True
            if index != emails[0]:
                column.problem = "The first row names more than one email column."
        elif not name:
            column.problem = f"Column {index + 1} has no name in the first row."
        elif name not in known_fields:
            column.problem = (
                f"Column '{name}' is not a field of the account; create the field first or remove the column."
            )
        elif name in filled:
            column.problem = f"Column '{name}' appears twice."
        else:
            column.field = name
            filled.add(name)
    problems += [column.problem for column in columns if column.problem and not column.email]
    return columns, problems
