"""RQ entry points of campaigns. A job gets ids only and is safe to run twice."""


def start_due_campaign(campaign_id: int) -> None:
    from campaigns.services import campaign_start_due
    campaign_start_due(campaign_id=campaign_id)
