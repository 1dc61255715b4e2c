"""An export task's statement, from what its submission stored (``exports.services.export_submit``)."""

from exports import sql
from exports.models import CAMPAIGN_REPORT
from fields.selectors import field_types
from segments.selectors import segment_where

# The task's source_options: what the export was asked for.
KIND, LIST, SEGMENT, SEGMENT_TREE, STATUS, CAMPAIGN = "kind", "listId", "segmentId", "segment", "status", "campaignId"


def plan_for(task) -> sql.Plan:
    options = task.source_options or {}
    if options.get(KIND) == CAMPAIGN_REPORT:
        return sql.report_plan(account_id=task.account_id, campaign_id=options[CAMPAIGN])
    account = task.account
    tree = options.get(SEGMENT_TREE)
    return sql.subscribers_plan(
        account_id=account.pk,
        # Each field of the account as it is now: a field added since the submission is a column too.
        fields=[name for name, _ in field_types(account=account)],
        list_id=options.get(LIST),
        status=options.get(STATUS),
        # The segment's condition as it was when the export was asked for, compiled for this run.
        segment=segment_where(account=account, tree=tree) if tree is not None else None,
    )
