"""How values look in every response (and in the public links' tokens), whichever app builds it.

Instants are ISO 8601 in UTC with the ``+00:00`` offset: the form of the received Blueprint's examples (an
offset, never a letter) and of ``apiary.apib``, and what ``datetime.fromisoformat`` reads back on any Python.
"""

import datetime as dt


def iso(moment: dt.datetime | dt.date | None) -> str | None:
    """``moment`` as ISO 8601: an instant in UTC (``2015-03-02T09:00:00+00:00``), a day as ``YYYY-MM-DD``;
    None stays None (JSON null)."""
    if moment is None:
        return None
    if isinstance(moment, dt.datetime):
        # A naive value can only come from code (the database gives aware ones): it is UTC, as TIME_ZONE is.
        aware = moment if moment.tzinfo is not None else moment.replace(tzinfo=dt.UTC)
        return aware.astimezone(dt.UTC).isoformat()
    return moment.isoformat()


def base36(number: int) -> str:
    """A non-negative integer in base 36, lower case: the short form of an id in a public link's token."""
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        number, rest = divmod(number, 36)
        out = digits[rest] + out
        if not number:
            return out
