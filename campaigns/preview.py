"""A campaign as one subscriber would read it: subject, preheader, HTML and text with that subscriber's merge
values. The one place a campaign is rendered outside its send: the preview endpoints, the back office's
preview and test sends (campaigns/testsend.py) all read it from here.

Its tracked links, open pixel, unsubscribe and preference URLs are the real ones with a preview token instead of a
message's (campaigns/tokens.py): they lead where the recipient's would, and the tracking views count nothing
for them (there is no message to count against). Without a chosen subscriber the sample is the campaign's
first active recipient; without one, the fields' fallbacks show.
"""

import re
from dataclasses import dataclass

from django.conf import settings

from api.problems import INVALID_PARAMETER, ApiProblem
from campaigns.checks import field_names
from campaigns.compiling import campaign_compiled
from campaigns.content import Compiled, TemplateError, fill_link, parse, render
from campaigns.models import Campaign, CampaignVariant
from campaigns.problems import CAMPAIGN_NOT_READY
from campaigns.tokens import PREVIEW_HEAD, make_preview_token, read_preview_token
from campaigns.variants import variants_compiled
from subscribers.emails import email_md5
from subscribers.models import Status, Subscriber
from subscribers.selectors import subscriber_find

MD5 = re.compile(r"[0-9a-fA-F]{32}")


@dataclass(frozen=True)
class Preview:
    campaign: Campaign
    subscriber: Subscriber | None  # whose merge values these are (None: nobody's, the fallbacks)
    token: str  # the preview token of its links
    compiled: Compiled
    variant: CampaignVariant | None  # an A/B campaign's variant shown (A unless another is asked for)
    from_name: str
    values: dict  # the merge values, emailAddress, unsubscribeUrl and preferencesUrl included
    subject: str
    preheader: str
    html: str
    text: str

    @property
    def to(self) -> str:
        return self.subscriber.email if self.subscriber else ""


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


def preview_subscriber(*, account, chosen: str, member: str, problem=INVALID_PARAMETER) -> Subscriber:
    """The subscriber a preview or a test is rendered for, named by its MD5 (or, in the back office, its
    address); ``problem`` (400) names ``member`` when the account has no such subscriber."""
    chosen = chosen.strip()
    key = chosen.lower() if MD5.fullmatch(chosen) else email_md5(chosen) if "@" in chosen else None
    if key is None:
        detail = "must be a subscriber's emailMd5 (32 hexadecimal digits)"
        raise ApiProblem(problem, f"'{member}' {detail}.", errors=[{"field": member, "detail": detail}])
    subscriber = subscriber_find(account=account, email_md5=key)
    if subscriber is None:
        detail = f"the account has no subscriber {chosen}"
        raise ApiProblem(problem, f"'{member}': {detail}.", errors=[{"field": member, "detail": detail}])
    return subscriber


def variant_find(campaign: Campaign, name: str | None, *, member: str, problem=INVALID_PARAMETER):
    """The A/B campaign's variant named ``name`` (A when None), or None for a campaign without variants; 400
    (``problem``) naming ``member`` when it has no such variant."""
    variants = list(CampaignVariant.objects.filter(campaign_id=campaign.pk).order_by("position"))
    if name is None:
        return variants[0] if variants else None
    found = next((v for v in variants if v.name == name.strip().upper()), None)
    if found is None:
        names = ", ".join(v.name for v in variants)
        detail = f"the campaign's variants are {names}" if variants else "the campaign has no A/B test"
        raise ApiProblem(problem, f"'{member}': {detail}.", errors=[{"field": member, "detail": detail}])
    return found


def compiled_of(campaign: Campaign, variant: CampaignVariant | None = None) -> Compiled:
    """As it is (or will be) sent: frozen when it started, else compiled from its content (and its template's
    current version) now. An A/B campaign's ``variant``: its own content over the campaign's."""
    if variant is not None and variant.compiled:
        return Compiled(**variant.compiled)
    if campaign.compiled:
        return Compiled(**campaign.compiled)
    try:
        if variant is None:
            return campaign_compiled(campaign, field_names(campaign.account))
        variants = list(CampaignVariant.objects.filter(campaign_id=campaign.pk).order_by("position"))
        return variants_compiled(campaign, variants, field_names(campaign.account))[variant.position]
    except TemplateError as exc:  # a field its merge tags name was deleted since it was written
        field = str(exc).partition(":")[0]
        raise ApiProblem(
            CAMPAIGN_NOT_READY, f"The campaign cannot be rendered: {exc}", errors=[{"field": field, "detail": str(exc)}]
        ) from None


def _preheader(campaign: Campaign, variant: CampaignVariant | None, values: dict) -> str:
    preheader = (variant.preheader if variant else "") or campaign.preheader
    try:
        segments = parse(" ".join(preheader.split()), field_names(campaign.account), where="preheader")
    except TemplateError:  # a started campaign whose field went since: the HTML keeps its frozen copy
        return preheader
    return render(segments, values, escape=False)


def _lf(text: str) -> str:
    """Line ends as a mail reader shows them (the wire's CRLF is SMTP's)."""
    return text.replace("\r\n", "\n")


def campaign_preview(
    campaign: Campaign, subscriber: Subscriber | None = None, variant: CampaignVariant | None = None
) -> Preview:
    """``subscriber``'s copy of the campaign (of its ``variant``, an A/B campaign's: A by default), or the sample
    recipient's; 400.42 when it cannot be rendered."""
    subscriber = subscriber or sample_recipient(campaign)
    variant = variant or variant_find(campaign, None, member="variant")
    compiled = compiled_of(campaign, variant)
    token = make_preview_token(campaign.pk, subscriber.pk if subscriber else None)
    base = settings.PUBLIC_BASE_URL.rstrip("/")
    values = {
        **(subscriber.fields if subscriber else {}),
        "emailAddress": subscriber.email if subscriber else "",
        "unsubscribeUrl": f"{base}/u/{token}",
        "preferencesUrl": f"{base}/p/{token}",
    }
    urls = {("link", position): f"{base}/t/c/{token}/{position}" for position in range(len(compiled.links))}
    urls["open"] = f"{base}/t/o/{token}"
    return Preview(
        campaign=campaign,
        subscriber=subscriber,
        token=token,
        compiled=compiled,
        variant=variant,
        from_name=(variant.from_name if variant else "") or campaign.from_name,
        values=values,
        subject=render(compiled.subject, values, escape=False),
        preheader=_preheader(campaign, variant, values),
        html=_lf(render(compiled.html, values, escape=True, urls=urls)),
        text=_lf(render(compiled.text, values, escape=False)),
    )


def is_preview_token(token: str) -> bool:
    return token.startswith(PREVIEW_HEAD)


def preview_link(*, token: str, position: int) -> str | None:
    """Where link ``position`` of a preview (or a test send) leads, filled in for its subscriber; None when the
    token is not valid or the campaign has no such link (only its own links: never an open redirect)."""
    found = read_preview_token(token)
    campaign = Campaign.objects.filter(pk=found[0]).select_related("account").first() if found else None
    if campaign is None:
        return None
    try:
        links = compiled_of(campaign, variant_find(campaign, None, member="variant")).links
    except ApiProblem:
        return None
    if not 0 <= position < len(links):
        return None
    subscriber = Subscriber.objects.filter(pk=found[1], account_id=campaign.account_id).first() if found[1] else None
    return fill_link(links[position], subscriber.fields if subscriber else {}, subscriber.email if subscriber else "")
