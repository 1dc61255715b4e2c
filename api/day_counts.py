"""A count of rows by a time range, exact, from a table of counts per UTC day: the whole days between the bounds
summed from the day counts, an edge day's part counted in the rows (on an index that leads with the time), or,
where that part is the longer one of its day, the day's count less the rest. Used by the emails' sent days
(campaigns/tally.py) and the contacts' created days (subscribers/tally.py)."""

import datetime as dt

from django.db.models import QuerySet, Sum

DAY = dt.timedelta(days=1)


def count_between(
    rows: QuerySet, field: str, days: QuerySet, *, after: dt.datetime | None, before: dt.datetime | None
) -> int:
    """How many of ``rows`` have ``field`` at or after ``after`` and before ``before`` (either open). ``days``: the
    same rows' counts per UTC day (``day``, ``count``), kept exact beside them."""
    if after is not None and before is not None and after >= before:
        return 0
    after = after and after.astimezone(dt.UTC)
    before = before and before.astimezone(dt.UTC)
    if after is not None and before is not None and after.date() == before.date():
        return _rows_between(rows, field, after, before)
    # A bound at midnight needs no edge: its day is whole on one side.
    after_edge = after is not None and after != _midnight(after)
    before_edge = before is not None and before != _midnight(before)
    whole = days
    if after is not None:
        whole = whole.filter(day__gt=after.date()) if after_edge else whole.filter(day__gte=after.date())
    if before is not None:
        whole = whole.filter(day__lt=before.date())
    total = whole.aggregate(n=Sum("count"))["n"] or 0
    if after_edge:  # [after, the end of its day)
        total += _part_of_day(rows, field, days, after, _midnight(after) + DAY)
    if before_edge:  # [the start of its day, before)
        total += _part_of_day(rows, field, days, _midnight(before), before)
    return total


def _midnight(at: dt.datetime) -> dt.datetime:
    return dt.datetime.combine(at.date(), dt.time(), dt.UTC)


def _rows_between(rows: QuerySet, field: str, start: dt.datetime, end: dt.datetime) -> int:
    return rows.filter(**{f"{field}__gte": start, f"{field}__lt": end}).count()


def _part_of_day(rows: QuerySet, field: str, days: QuerySet, start: dt.datetime, end: dt.datetime) -> int:
    """The rows in [start, end), the part of one UTC day before or after a time: counted where it is the shorter
    part of the day, else the day's count less the other part's."""
    if start == end:
        return 0
    midnight = _midnight(start)
    if end - start <= DAY / 2:
        return _rows_between(rows, field, start, end)
    day = days.filter(day=midnight.date()).values_list("count", flat=True).first() or 0
    other = (
        _rows_between(rows, field, midnight, start)
        if start > midnight
        else _rows_between(rows, field, end, midnight + DAY)
    )
    return day - other
