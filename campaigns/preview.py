"""A campaign as one subscriber would read it: subject, HTML and text with that subscriber's merge values.

For the back office's preview (and issue 21's preview endpoint): links keep their targets and the open pixel
is empty, so a preview is never counted as an open or a click. The sample subscriber is the campaign's first
active recipient; without one, the fields' fallbacks show.
"""

from dataclasses import dataclass

from campaigns.content import compile_campaign, render
from campaigns.models import Campaign
from campaigns.services import field_names
from subscribers.models import Status, Subscriber

EMPTY_PIXEL = "data:,"


@dataclass(frozen=True)
class Preview:
    to: str
    subject: str
    html: str
    text: str


def sample_recipient(campaign: Campaign) -> Subscriber | None:
    """The first active subscriber of the campaign's lists, by id."""
    return (
        Subscriber.objects.filter(
            account_id=campaign.account_id,
            status=Status.ACTIVE,
            memberships__list__in=campaign.lists.values("pk"),
        )
        .order_by("id")
        .first()
    )


def campaign_preview(campaign: Campaign, subscriber: Subscriber | None = None) -> Preview:
    subscriber = subscriber or sample_recipient(campaign)
    compiled = compile_campaign(
        subject=campaign.subject,
        html_part=campaign.html,
        text_part=campaign.text,
        preheader=campaign.preheader,
        fields=field_names(campaign.account),
    )
    to = subscriber.email if subscriber else ""
    values = {**(subscriber.fields if subscriber else {}), "emailAddress": to, "unsubscribeUrl": "#unsubscribe"}
    urls = {("link", position): target for position, target in enumerate(compiled.links)}
    urls["open"] = EMPTY_PIXEL
    return Preview(
        to=to,
        subject=render(compiled.subject, values, escape=False),
        html=render(compiled.html, values, escape=True, urls=urls),
        text=render(compiled.text, values, escape=False),
    )
