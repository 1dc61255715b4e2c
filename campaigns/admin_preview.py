"""A campaign's preview and test send in the back office: the API's services (campaigns/preview.py,
campaigns/testsend.py) behind the campaign's page.

The preview is a field of the admin's change form, and forms do not nest: the chooser ("preview as") and the
test's inputs belong to two forms of their own that the page's template puts after the change form
(change_form_live.html), tied to them by the HTML ``form`` attribute.
"""

import re
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import escape, format_html

from api.problems import VALIDATION_ERROR, ApiProblem, flatten_validation_errors
from campaigns.models import Campaign
from campaigns.preview import campaign_preview, preview_subscriber
from campaigns.serializers import CampaignTestInputSerializer
from campaigns.testsend import campaign_test_send

PREVIEW_PARAMETER = "preview"  # on the campaign's page: the address or MD5 of the subscriber to preview as
SEPARATORS = re.compile(r"[\s,;]+")


def chosen_of(request) -> str:
    return request.GET.get(PREVIEW_PARAMETER, "").strip()[:254]


def preview_field(campaign: Campaign, chosen: str) -> str:
    """The preview as ``chosen`` (or the sample recipient) would read it, the chooser, and the test's inputs."""
    subscriber, refused = None, ""
    if chosen:
        try:
            subscriber = preview_subscriber(account=campaign.account, chosen=chosen, member="preview")
        except ApiProblem as problem:
            refused = format_html('<p class="errornote">{}</p>', problem.problem_detail)
    try:
        shown = campaign_preview(campaign, subscriber)
    except ApiProblem as problem:
        return format_html("Cannot be shown: {}", problem.problem_detail)
    return format_html(
        '<div class="campaign-craft">'
        '<p class="preview-chooser"><label for="campaign-preview-as">Preview as</label>'
        '<input type="text" id="campaign-preview-as" name="{}" form="campaign-preview-form" value="{}" '
        'placeholder="an address or an MD5" size="34">'
        '<button type="submit" form="campaign-preview-form" class="button">Show</button></p>{}'
        "<p>As <strong>{}</strong> would read it. Subject: <strong>{}</strong></p>"
        '<iframe class="campaign-preview" sandbox title="Preview" srcdoc="{}"></iframe>'
        '<p class="campaign-test"><label for="campaign-test-emails">Send a test to</label>'
        '<input type="text" id="campaign-test-emails" name="emails" form="campaign-test-form" '
        'placeholder="up to 10 addresses, separated by commas" size="50">'
        '<input type="hidden" name="subscriber" form="campaign-test-form" value="{}">'
        '<button type="submit" form="campaign-test-form" class="button">Send a test</button>'
        '<span class="help">With these merge values; the subject starts with "[Test] "; nothing is counted.</span>'
        "</p></div>",
        PREVIEW_PARAMETER,
        chosen,
        refused,
        shown.to or "a subscriber without values",
        shown.subject,
        shown.html or f"<pre>{escape(shown.text)}</pre>",
        shown.to,
    )


def send_test_view(model_admin, request, object_id):
    """POST from the campaign's page: the test goes out now, each address's outcome becomes a message."""
    campaign = model_admin.get_object(request, object_id)
    if campaign is None:
        return model_admin._get_obj_does_not_exist_redirect(request, model_admin.opts, object_id)
    back = reverse("admin:campaigns_campaign_change", args=[campaign.pk])
    chosen = request.POST.get("subscriber", "").strip()
    if request.method == "POST":
        if not model_admin.has_change_permission(request, campaign):
            raise PermissionDenied  # a test send is the editor's
        _send(request, campaign, request.POST.get("emails", ""), chosen)
    return HttpResponseRedirect(f"{back}?{urlencode({PREVIEW_PARAMETER: chosen})}" if chosen else back)


def _send(request, campaign: Campaign, raw: str, chosen: str) -> None:
    body = {"emails": [email for email in SEPARATORS.split(raw) if email]}
    if chosen:
        body["subscriber"] = chosen
    checked = CampaignTestInputSerializer(data=body)
    if not checked.is_valid():
        for error in flatten_validation_errors(checked.errors):
            messages.error(request, f"Test not sent: {error['detail']}")
        return
    try:
        subscriber = (
            preview_subscriber(account=campaign.account, chosen=chosen, member="subscriber", problem=VALIDATION_ERROR)
            if chosen
            else None
        )
        report = campaign_test_send(campaign=campaign, emails=checked.validated_data["emails"], subscriber=subscriber)
    except ApiProblem as problem:
        messages.error(request, f"Test not sent: {problem.problem_detail}")
        return
    messages.info(request, f'"{report.subject}": test sent to {report.sent} of {len(report.results)} addresses.')
    for result in report.results:
        level = messages.SUCCESS if result.outcome == "sent" else messages.WARNING
        said = " ".join(filter(None, (str(result.code or ""), result.response)))
        messages.add_message(request, level, f"{result.outcome.capitalize()}: {result.email} ({said})")
