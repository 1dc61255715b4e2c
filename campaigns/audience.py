"""Who a campaign goes to, fixed once when sending begins: the active members of its lists and the active
subscribers its segments match, minus those its excluded segments match, each once.

A campaign of lists only writes its Message rows with ``sql.RECIPIENTS``, as before segments existed. With
segments, one statement does it too: each segment's condition compiled (segments.selectors.segment_where)
into the WHERE clause. The count of each segment's active matches is kept on the campaign at that moment.
"""

from django.db import connection

from campaigns import sql
from campaigns.models import Campaign, CampaignSegment
from segments.selectors import segment_where, segments_of


def recipients_write(campaign: Campaign, now) -> int:
    """Write the queued Message rows; how many were written. Inside the transaction that marks them written."""
    uses = list(CampaignSegment.objects.filter(campaign=campaign).order_by("id"))
    with connection.cursor() as cursor:
        if not uses:
            cursor.execute(sql.RECIPIENTS, {"campaign": campaign.pk, "account": campaign.account_id, "now": now})
            return cursor.rowcount
        statement, params = _statement(campaign, uses, now)
        cursor.execute(statement, params)
        return cursor.rowcount


def _statement(campaign: Campaign, uses: list[CampaignSegment], now) -> tuple[str, list]:
    account = campaign.account
    segments = segments_of(account_id=account.pk, segment_ids=[use.segment_id for use in uses if use.segment_id])
    targets, exclusions, params = [], [], [campaign.pk, now, account.pk]
    if campaign.lists.exists():
        targets.append(sql.LIST_MEMBERS)
        params.append(campaign.pk)
    target_params, exclusion_params = [], []
    for use in uses:
        segment = segments.get(use.segment_id)
        if segment is None:  # deleted since (segment_delete refuses that while the campaign is unfinished)
            continue
        where, where_params = segment_where(account=account, tree=segment.tree)
        use.name = segment.name
        use.matched = _active_count(account.pk, where, where_params)
        use.save(update_fields=["name", "matched"])
        if use.excluded:
            exclusions.append(f"NOT COALESCE({where}, FALSE)")  # NULL (a missing value) is no match
            exclusion_params += where_params
        else:
            targets.append(where)
            target_params += where_params
    if not targets:
        targets.append("FALSE")
    where = "(" + " OR ".join(targets) + ")" + "".join(f" AND {e}" for e in exclusions)
    return sql.recipients_of(where), [*params, *target_params, *exclusion_params]


def _active_count(account_id: int, where: str, params: list) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql.active_count(where), [account_id, *params])
        return cursor.fetchone()[0]
