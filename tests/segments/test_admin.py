"""The back office's segments: written through the API's service (its errors, by path, on the form), with the
count and the first matching subscribers; the campaign form picks segments and exclusions."""

import json

from campaigns.models import Campaign
from tests.admin.test_service_writes import CAMPAIGNS, campaign_form
from tests.segments.builders import V1, create_segment, field
from tests.subscribers.builders import create_field, create_list, subscribed

SEGMENTS = "/admin/segments/segment"


def form_errors(response) -> str:
    assert response.status_code == 200, response.status_code
    form = response.context["adminform"].form
    return " ".join(str(message) for messages in form.errors.values() for message in messages)


def test_a_segment_written_in_the_admin_is_what_the_api_shows(api, owner, admin_client):
    create_field(api, "city", "string")
    news = create_list(api, "News")
    subscribed(api, news, "ann@example.com", fields={"city": "Rosario"})
    subscribed(api, news, "bob@example.com", fields={"city": "Lima"})
    conditions = [field("city", "equals", "rosario")]
    body = {"account": owner.account.pk, "name": "Rosario", "match": "all", "conditions": json.dumps(conditions)}
    response = admin_client.post(f"{SEGMENTS}/add/", body)
    assert response.status_code == 302, form_errors(response)
    segment = api.get(V1).json()["items"][0]
    assert (segment["name"], segment["conditions"]) == ("Rosario", conditions)

    page = admin_client.get(f"{SEGMENTS}/{segment['segmentId']}/change/").content.decode()
    assert "1 subscribers, 1 of them active" in page and "ann@example.com" in page and "bob@example.com" not in page

    bad = {**body, "conditions": json.dumps([field("city", "greaterThan", 3), field("nickname", "isSet")])}
    errors = form_errors(admin_client.post(f"{SEGMENTS}/{segment['segmentId']}/change/", bad))
    assert "conditions[0]: operator for the string field 'city' must be one of" in errors
    assert "conditions[1]: unknown field 'nickname'" in errors
    assert api.get(V1).json()["items"][0]["conditions"] == conditions  # nothing written

    response = admin_client.post(f"{SEGMENTS}/{segment['segmentId']}/delete/", {"post": "yes"})
    assert response.status_code == 302 and api.get(V1).json()["total"] == 0


def test_the_campaign_form_targets_and_excludes_segments(api, owner, admin_client):
    create_field(api, "city", "string")
    news = create_list(api, "News")
    lima = create_segment(api, [field("city", "equals", "lima")], name="Lima")
    quito = create_segment(api, [field("city", "equals", "quito")], name="Quito")
    form = campaign_form(owner.account, [news], segments=[lima], excluded_segments=[quito])
    response = admin_client.post(f"{CAMPAIGNS}/add/", form)
    assert response.status_code == 302, form_errors(response)
    campaign = Campaign.objects.get(account=owner.account, name="Spring")
    body = api.get(f"/api/v1/campaigns/{campaign.pk}").json()
    assert (body["segments"], body["excludedSegments"]) == ([lima], [quito])
    page = admin_client.get(f"{CAMPAIGNS}/{campaign.pk}/change/").content.decode()
    assert 'name="segments"' in page and 'name="excluded_segments"' in page

    both = campaign_form(owner.account, [news], name="Both", segments=[lima], excluded_segments=[lima])
    assert "segments both targeted and excluded" in form_errors(admin_client.post(f"{CAMPAIGNS}/add/", both))
