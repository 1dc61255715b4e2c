"""The analytics page's tables as CSV: the periods (the API's members as columns, then the totals) and the
campaigns; every cell through csv_cell (a spreadsheet never runs a formula from it)."""

import csv
import io

from analytics.representations import COUNTS, RATES
from api.cells import csv_cell
from backoffice.reports import Report

CSV_HEADER = ("period", "start", "end", *COUNTS, *RATES, "subscribersAdded", "subscribersUnsubscribed")


def report_csv(board: Report) -> str:
    """The table of periods as CSV, the API's members as columns, then the totals; every cell through csv_cell
    (a spreadsheet never runs a formula from it)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_HEADER)
    for row in board.rows:
        values = [row.period, row.start, row.end, *(row.figures[k] for k in (*COUNTS, *RATES))]
        writer.writerow(map(csv_cell, [*values, row.growth["added"], row.growth["unsubscribed"]]))
    totals = [board.totals[k] for k in (*COUNTS, *RATES)]
    growth = [board.growth_totals["added"], board.growth_totals["unsubscribed"]]
    writer.writerow(map(csv_cell, ["total", board.choice.start, board.choice.end, *totals, *growth]))
    return buffer.getvalue()


CAMPAIGN_CSV_HEADER = ("campaignId", "name", "status", *COUNTS, *RATES)


def campaigns_csv(board: Report) -> str:
    """The table of campaigns as CSV (their figures within the range); names through csv_cell too."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CAMPAIGN_CSV_HEADER)
    for row in board.campaigns:
        values = [row.campaign_id, row.name, row.status, *(row.figures[k] for k in (*COUNTS, *RATES))]
        writer.writerow(map(csv_cell, values))
    return buffer.getvalue()
