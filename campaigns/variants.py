"""An A/B campaign's variants: what each one is, checked and written with the campaign, and frozen when it starts.

A variant (2 to 5, named A to E by position) may give its own subject, from name, preheader, HTML and text; a
member it leaves empty is the campaign's own. The test's settings (share of the recipients, winner metric, wait)
are an ``AbTest`` row beside them. When the campaign starts every variant is compiled once (campaigns/compiling.py,
the campaign's template around each), and their links are numbered in one sequence for the whole campaign
(variant A's first, then B's…): a tracked link's position names one URL of the campaign whatever the variant.

Per-variant counters are the campaign's counters under a prefixed name (``B:uniqueOpens``), moved in the same
statement as the campaign's own (``variant_deltas``).
"""

from collections import Counter
from dataclasses import asdict, dataclass, replace
from datetime import timedelta

from campaigns import compiling
from campaigns.content import Compiled, check
from campaigns.models import VARIANT_NAMES, AbTest, Campaign, CampaignVariant

LETTERS = VARIANT_NAMES
MIN_VARIANTS, MAX_VARIANTS = 2, len(LETTERS)
CONTENT = ("subject", "from_name", "preheader", "html", "text")
MEMBER = {"subject": "subject", "from_name": "fromName", "preheader": "preheader", "html": "html", "text": "text"}
# The counters each variant keeps (the campaign keeps these and more).
VARIANT_METRICS = (
    "recipients",
    "sent",
    "hardBounces",
    "softBounces",
    "skipped",
    "failed",
    "unknown",
    "opens",
    "uniqueOpens",
    "clicks",
    "uniqueClicks",
    "unsubscribes",
    "complaints",
)


def letter(position: int) -> str:
    return LETTERS[position]


def position_of(name: str) -> int | None:
    name = name.strip().upper()
    return LETTERS.index(name) if len(name) == 1 and name in LETTERS else None


def variant_metric(position: int, metric: str) -> str:
    return f"{LETTERS[position]}:{metric}"


def variant_deltas(position: int | None, deltas: Counter) -> Counter:
    """``deltas`` of the campaign's counters as the variant's (nothing for a message of no variant)."""
    if position is None:
        return Counter()
    return Counter({variant_metric(position, m): n for m, n in deltas.items() if m in VARIANT_METRICS and n})


def with_variant(deltas: Counter, position: int | None) -> Counter:
    """The campaign's ``deltas`` and the variant's, for one write (negative deltas kept: no Counter ``+``)."""
    combined = Counter(deltas)
    combined.update(variant_deltas(position, deltas))
    return combined


@dataclass(frozen=True)
class Content:
    """What a variant sends: its members over the campaign's (and the campaign's template)."""

    subject: str
    from_name: str
    preheader: str
    html: str
    text: str
    template: object = None


def content_of(campaign: Campaign, variant: CampaignVariant | dict | None) -> Content:
    own = variant if isinstance(variant, dict) else {m: getattr(variant, m) for m in CONTENT} if variant else {}
    return Content(
        **{member: own.get(member) or getattr(campaign, member) for member in CONTENT},
        template=campaign.template,
    )


def ab_test_errors(data: dict, fields: dict[str, str]) -> list[dict]:
    """Each variant's content (over the campaign's in ``data``) checked like a campaign's, by its path."""
    ab = data.get("ab_test")
    if not ab:
        return []
    errors = []
    for index, variant in enumerate(ab["variants"]):
        merged = {member: variant.get(member) or data[member] for member in CONTENT}
        found = check(
            subject=merged["subject"],
            html_part=merged["html"],
            text_part=merged["text"],
            preheader=merged["preheader"],
            fields=fields,
        )
        errors += [
            {"field": f"abTest.variants[{index}].{MEMBER.get(e['field'], e['field'])}", "detail": e["detail"]}
            for e in found
        ]
    return errors


def readiness_errors(campaign: Campaign, fields: dict[str, str]) -> list[dict]:
    """What keeps each variant from being sent (an empty subject, merge tags of a field deleted since)."""
    errors = []
    for variant in campaign.variants.all():
        content = content_of(campaign, variant)
        where = f"abTest.variants[{variant.position}]"
        if not content.subject.strip():
            errors.append({"field": f"{where}.subject", "detail": "the variant needs a subject"})
        found = check(
            subject=content.subject,
            html_part=content.html,
            text_part=content.text,
            preheader=content.preheader,
            fields=fields,
        )
        errors += [{"field": f"{where}.{MEMBER.get(e['field'], e['field'])}", "detail": e["detail"]} for e in found]
    return errors


def ab_test_set(campaign: Campaign, data: dict) -> None:
    """Inside the campaign's write: its test and variants as ``data['ab_test']`` says (None: no test)."""
    ab = data.get("ab_test")
    CampaignVariant.objects.filter(campaign=campaign).delete()
    if not ab:
        AbTest.objects.filter(campaign=campaign).delete()
        return
    AbTest.objects.update_or_create(
        campaign=campaign,
        defaults={
            "test_share": ab["test_share"],
            "winner_metric": ab["winner_metric"],
            "wait_seconds": ab["wait_minutes"] * 60,
        },
    )
    CampaignVariant.objects.bulk_create(
        [
            CampaignVariant(campaign=campaign, position=position, **{m: variant.get(m, "") for m in CONTENT})
            for position, variant in enumerate(ab["variants"])
        ]
    )


def ab_test_of(campaign: Campaign) -> AbTest | None:
    return AbTest.objects.filter(campaign_id=campaign.pk).first()


def variants_compiled(campaign: Campaign, variants: list[CampaignVariant], fields: dict[str, str]) -> list[Compiled]:
    """Each variant compiled, its links numbered after the earlier variants'; each carries the whole campaign's
    links (a position names the same URL whichever variant's message, or preview, it is in)."""
    compiled = [compiling.campaign_compiled(content_of(campaign, variant), fields) for variant in variants]
    links: list[str] = []
    offsets = []
    for one in compiled:
        offsets.append(len(links))
        links += one.links
    return [replace(_shifted(one, offset), links=links) for one, offset in zip(compiled, offsets, strict=True)]


def variants_freeze(campaign: Campaign, fields: dict[str, str]) -> list[str]:
    """At start: every variant compiled and frozen; the campaign's links, all variants' in one numbering."""
    variants = list(campaign.variants.all())
    compiled = variants_compiled(campaign, variants, fields)
    for variant, one in zip(variants, compiled, strict=True):
        variant.compiled = asdict(one)
        variant.save(update_fields=["compiled"])
    return compiled[0].links


def _shifted(compiled: Compiled, offset: int) -> Compiled:
    """Its link positions moved by ``offset`` (its links follow the earlier variants')."""
    if not offset:
        return compiled
    html = [
        ["link", segment[1] + offset] if segment.__class__ is list and segment[0] == "link" else segment
        for segment in compiled.html
    ]
    return replace(compiled, html=html)


def status_of(campaign: Campaign, ab: AbTest) -> str:
    """draft (not started), testing (the test share going out), waiting (for the winner), winner-chosen."""
    if ab.winner is not None:
        return "winner-chosen"
    if campaign.started_at is None:
        return "draft"
    return "waiting" if ab.test_sent_at else "testing"


def wait_of(ab: AbTest) -> timedelta:
    return timedelta(seconds=ab.wait_seconds)
