"""An A/B campaign in the back office: its test written with the campaign's form (the API's ``abTest`` member,
checked by the API's serializer), and on the campaign's page where the test stands, each variant's figures, and
buttons that choose the winner through the API's service (campaigns/winner.py).

Forms do not nest: the winner buttons belong to a form of their own that the page's template puts after the
change form (change_form_live.html), tied to them by the HTML ``form`` attribute.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from analytics.representations import metrics
from api.problems import ApiProblem
from campaigns.models import VARIANT_NAMES, Campaign, CampaignVariant, WinnerMetric
from campaigns.representations import winner_choosable
from campaigns.selectors import campaign_ab_test
from campaigns.serializers import MAX_WAIT_MINUTES
from campaigns.variants import status_of
from campaigns.winner import campaign_winner_choose

VARIANT_MEMBERS = {"subject": "subject", "from_name": "fromName", "html": "html"}  # the form's; the API has more
KEPT_MEMBERS = ("preheader", "text")  # a variant's members the form does not show: kept as they are


def variant_field(name: str, member: str) -> str:
    return f"ab_{name.lower()}_{member}"


class AbTestFormFields(forms.Form):
    """The campaign form's A/B fields: a test share (empty: no test), its metric and wait, and variants A to E
    (A and B always; C to E when something of theirs is filled in; an empty member is the campaign's own)."""

    ab_test_share = forms.IntegerField(
        required=False, min_value=1, max_value=100, label="A/B test share (%)", help_text="Empty: no A/B test."
    )
    ab_winner_metric = forms.ChoiceField(
        choices=WinnerMetric.choices, initial=WinnerMetric.UNIQUE_OPENS, required=False
    )
    ab_wait_minutes = forms.IntegerField(
        required=False, min_value=0, max_value=MAX_WAIT_MINUTES, initial=240, label="Wait for the winner (minutes)"
    )


AB_FIELDS = {
    **AbTestFormFields.base_fields,
    **{
        variant_field(name, member): forms.CharField(
            required=False,
            label=f"Variant {name}: {member.replace('_', ' ')}",
            widget=forms.Textarea(attrs={"rows": 3}) if member == "html" else None,
        )
        for name in VARIANT_NAMES
        for member in VARIANT_MEMBERS
    },
}
AB_FIELD_NAMES = tuple(AB_FIELDS)


def ab_initial(campaign: Campaign) -> dict:
    state = campaign_ab_test(campaign) if campaign.pk else None
    if state is None:
        return {}
    initial = {
        "ab_test_share": state.test.test_share,
        "ab_winner_metric": state.test.winner_metric,
        "ab_wait_minutes": state.test.wait_seconds // 60,
    }
    for variant in state.variants:
        initial.update({variant_field(variant.name, m): getattr(variant, m) for m in VARIANT_MEMBERS})
    return initial


def ab_input(data: dict, campaign: Campaign) -> dict | None:
    """The form's A/B fields as the API's ``abTest`` member (None: no test)."""
    if data.get("ab_test_share") is None:
        return None
    kept = {v.position: v for v in CampaignVariant.objects.filter(campaign_id=campaign.pk)} if campaign.pk else {}
    variants = []
    for position, name in enumerate(VARIANT_NAMES):
        given = {member: data.get(variant_field(name, m)) or "" for m, member in VARIANT_MEMBERS.items()}
        if position >= 2 and not any(given.values()):
            break
        old = kept.get(position)
        variants.append({**given, **({m: getattr(old, m) for m in KEPT_MEMBERS} if old else {})})
    wait = data.get("ab_wait_minutes")
    return {
        "testShare": data["ab_test_share"],
        "winnerMetric": data.get("ab_winner_metric") or WinnerMetric.UNIQUE_OPENS,
        "waitMinutes": 240 if wait is None else wait,
        "variants": variants,
    }


def ab_test_field(campaign: Campaign) -> str:
    """Where the test stands, each variant's figures, and (while it can be chosen) the winner buttons."""
    state = campaign_ab_test(campaign)
    if state is None:
        return "No A/B test."
    ab = state.test
    rows = []
    for variant in state.variants:
        counts = state.stats.get(variant.position, {})
        figures = metrics(counts)
        rows.append(
            (
                format_html("<strong>{} (winner)</strong>", variant.name)
                if ab.winner == variant.position
                else variant.name,
                variant.subject or campaign.subject,
                f"{counts.get('recipients', 0):,}",
                f"{figures['delivered']:,}",
                f"{figures['uniqueOpens']:,} ({100 * figures['openRate']:.1f} %)",
                f"{figures['uniqueClicks']:,} ({100 * figures['clickRate']:.1f} %)",
            )
        )
    table = format_html_join(
        "", "<tr><th scope='row'>{}</th><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows
    )
    buttons = ""
    if winner_choosable(campaign, ab):
        buttons = format_html(
            '<p class="ab-winner">{}<button type="submit" form="campaign-winner-form" name="variant" value="" '
            'class="button">Choose the best by {} now</button></p>',
            format_html_join(
                "",
                '<button type="submit" form="campaign-winner-form" name="variant" value="{}" class="button">'
                "Send {} to the rest</button> ",
                ((v.name, v.name) for v in state.variants),
            ),
            ab.winner_metric,
        )
    return format_html(
        '<div class="ab-test"><p>{} · {} % tested ({} recipients, {} held) · winner by {} after {} minutes{}</p>'
        "<table><tr><th>variant</th><th>subject</th><th>recipients</th><th>delivered</th><th>unique opens</th>"
        "<th>unique clicks</th></tr>{}</table>{}</div>",
        status_of(campaign, ab),
        ab.test_share,
        "—" if ab.tested is None else f"{ab.tested:,}",
        "—" if ab.held is None else f"{ab.held:,}",
        ab.winner_metric,
        ab.wait_seconds // 60,
        format_html(" · due {}", ab.winner_due_at.strftime("%d %b %H:%M UTC")) if ab.winner_due_at else "",
        table,
        buttons,
    )


def choose_winner_view(model_admin, request, object_id):
    """POST from the campaign's page: the winner chosen by the API's service; what it did becomes a message."""
    campaign = model_admin.get_object(request, object_id)
    if campaign is None:
        return model_admin._get_obj_does_not_exist_redirect(request, model_admin.opts, object_id)
    if request.method == "POST":
        if not model_admin.has_change_permission(request, campaign):
            raise PermissionDenied
        variant = request.POST.get("variant") or None
        try:
            campaign_winner_choose(campaign=campaign, variant=variant)
        except ApiProblem as problem:
            messages.error(request, f"No winner chosen: {problem.problem_detail}")
        else:
            winner = campaign_ab_test(campaign).test.winner_name
            messages.success(request, f"Variant {winner} wins: it goes to the rest of the recipients.")
    return HttpResponseRedirect(reverse("admin:campaigns_campaign_change", args=[object_id]))
