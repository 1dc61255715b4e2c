"""The back office's templates: written through the API's service (a missing or doubled slot, a bad merge tag:
under the box, in the API's words), the layout shown around a sample content with the campaigns that use it,
refused deletion while one is unfinished; the campaign form picks a template and its preview is composed."""

from campaigns.models import Campaign
from templates.models import Template
from tests.admin.test_service_writes import CAMPAIGNS, campaign_form
from tests.subscribers.builders import create_list, subscribed
from tests.templates.builders import V1, create_template

TEMPLATES = "/admin/templates/template"


def form_errors(response) -> str:
    assert response.status_code == 200, response.status_code
    form = response.context["adminform"].form
    return " ".join(str(message) for messages in form.errors.values() for message in messages)


def test_a_template_written_in_the_admin_is_what_the_api_shows(api, owner, admin_client):
    body = {"account": owner.account.pk, "name": "Letter", "html": "<div>{{ content }}</div>", "text": ""}
    response = admin_client.post(f"{TEMPLATES}/add/", body)
    assert response.status_code == 302, form_errors(response)
    template = api.get(V1).json()["items"][0]
    assert (template["name"], template["html"], template["text"]) == ("Letter", "<div>{{ content }}</div>", "")

    bad = {**body, "html": "<div>{{ content }}{{ content }} {{ nickname }}</div>", "text": "no slot"}
    errors = form_errors(admin_client.post(f"{TEMPLATES}/{template['templateId']}/change/", bad))
    assert "2 {{ content }} slots: write it exactly once" in errors
    assert "unknown field 'nickname' in merge tag {{ nickname }}" in errors
    assert "no {{ content }} slot" in errors
    assert api.get(V1).json()["items"][0]["html"] == "<div>{{ content }}</div>"  # nothing written

    page = admin_client.get(f"{TEMPLATES}/{template['templateId']}/change/").content.decode()
    assert "A campaign&#x27;s content" in page and "sandbox" in page  # the layout around a sample content


def test_the_campaign_form_picks_a_template_and_its_preview_is_composed(api, owner, admin_client):
    news = create_list(api, "News")
    subscribed(api, news, "ann@example.com", fields={"firstName": "Ann"})
    template_id = create_template(api)
    form = campaign_form(owner.account, [news], template=template_id, html='<p class="greeting">Hi</p>')
    response = admin_client.post(f"{CAMPAIGNS}/add/", form)
    assert response.status_code == 302, form_errors(response)
    campaign = Campaign.objects.get(account=owner.account, name="Spring")
    assert api.get(f"/api/v1/campaigns/{campaign.pk}").json()["templateId"] == template_id
    page = admin_client.get(f"{CAMPAIGNS}/{campaign.pk}/change/").content.decode()
    assert 'name="template"' in page
    # The preview's srcdoc: the content in the layout, the layout's rule inlined on it.
    assert "&lt;p class=&quot;greeting&quot; style=&quot;color: #c00;font-weight: bold;&quot;&gt;Hi&lt;/p&gt;" in page

    used = admin_client.get(f"{TEMPLATES}/{template_id}/change/").content.decode()
    assert "Spring" in used and f"/admin/campaigns/campaign/{campaign.pk}/change/" in used
    refused = admin_client.post(f"{TEMPLATES}/{template_id}/delete/", {"post": "yes"}, follow=True)
    assert "use the template" in refused.content.decode()
    assert Template.objects.filter(pk=template_id).exists()
