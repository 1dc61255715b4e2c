"""A campaign to lists and segments minus excluded segments: the recipients are fixed when sending starts and
each gets exactly one email, through the loopback SMTP server."""

from campaigns.models import Message
from tests.campaigns.builders import (
    CampaignPaths,
    campaign_body,
    create_campaign,
    get_campaign,
    post,
    put,
    send,
    start,
)
from tests.helpers import assert_hypermedia, assert_problem, links_by_rel
from tests.segments.builders import create_segment, field, segments_path
from tests.subscribers.builders import create_field, create_list, md5, subscribed, unsubscribe


def test_a_campaign_to_a_list_and_a_segment_minus_an_exclusion(api, smtp_server, queues):
    create_field(api, "city", "string")
    create_field(api, "vip", "boolean")
    news = create_list(api, "News")
    other = create_list(api, "Other")
    # In the list: a (also in the segment: one email), b (excluded), c, d.
    subscribed(api, news, "a@example.com", fields={"city": "Rosario"})
    subscribed(api, news, "b@example.com", fields={"vip": True})
    subscribed(api, news, "c@example.com")
    subscribed(api, news, "d@example.com", fields={"city": "Lima"})
    # Outside it: e matches the segment, f matches it but is excluded, g matches but unsubscribed, h nothing.
    subscribed(api, other, "e@example.com", fields={"city": "rosario"})
    subscribed(api, other, "f@example.com", fields={"city": "Rosario", "vip": True})
    subscribed(api, other, "g@example.com", fields={"city": "Rosario"})
    subscribed(api, other, "h@example.com", fields={"city": "Lima"})
    unsubscribe(api, md5("g@example.com"))
    rosario = create_segment(api, [field("city", "equals", "rosario")], name="Rosario")
    vips = create_segment(api, [field("vip", "isTrue")], name="VIPs")

    campaign_id = create_campaign(api, [news], segments=[rosario], excludedSegments=[vips])
    draft = get_campaign(api, campaign_id)
    assert (draft["segments"], draft["excludedSegments"], draft["segmentsUsed"]) == ([rosario], [vips], [])
    assert {link["description"] for link in links_by_rel(draft, "/rels/segment")} == {
        "Target segment",
        "Excluded segment",
    }
    start(api, campaign_id)
    send()

    assert sorted(smtp_server.per_recipient().items()) == [
        ("a@example.com", 1),
        ("c@example.com", 1),
        ("d@example.com", 1),
        ("e@example.com", 1),
    ]
    sent = get_campaign(api, campaign_id)
    assert sent["status"] == "sent" and sent["stats"]["recipients"] == 4
    assert sent["segmentsUsed"] == [
        {"segmentId": rosario, "name": "Rosario", "excluded": False, "matched": 3},  # a, e, f (g is not active)
        {"segmentId": vips, "name": "VIPs", "excluded": True, "matched": 2},  # b, f
    ]
    # Recipients were fixed at the start: a later change of the segment changes nothing sent.
    assert Message.objects.filter(campaign_id=campaign_id).count() == 4


def test_a_campaign_to_segments_only_and_what_deleting_them_does(api, smtp_server, queues):
    create_field(api, "city", "string")
    news = create_list(api, "News")
    subscribed(api, news, "a@example.com", fields={"city": "Lima"})
    subscribed(api, news, "b@example.com", fields={"city": "Quito"})
    lima = create_segment(api, [field("city", "equals", "lima")], name="Lima")
    campaign_id = create_campaign(api, [], segments=[lima])
    assert_problem(api.delete(f"{segments_path(api)}/{lima}"), 409, "/errors/409.8-segment-in-use")
    start(api, campaign_id)
    send()
    assert list(smtp_server.per_recipient()) == ["a@example.com"]
    assert_hypermedia(api.delete(f"{segments_path(api)}/{lima}"), 200, "message")  # the campaign finished
    used = get_campaign(api, campaign_id)
    assert used["segments"] == [] and used["segmentsUsed"] == [
        {"segmentId": None, "name": "Lima", "excluded": False, "matched": 1}
    ]


def test_segment_members_are_checked(api, other):
    from tests.helpers import ApiClient

    theirs = ApiClient(other)
    create_field(theirs, "city", "string")
    their_segment = create_segment(theirs, [field("city", "isSet")])
    create_field(api, "city", "string")
    mine = create_segment(api, [field("city", "isSet")])
    paths = CampaignPaths(api.owner)
    problem = assert_problem(
        post(api, paths.campaigns, campaign_body([], segments=[their_segment], excludedSegments=[mine, mine])),
        400,
        "/errors/400.2-validation-error",
    )
    assert [e["field"] for e in problem["errors"]] == ["segments"]
    problem = assert_problem(
        post(api, paths.campaigns, campaign_body([], segments=[mine], excludedSegments=[mine])), 400
    )
    assert [e["field"] for e in problem["errors"]] == ["excludedSegments"]
    # Without lists or targeted segments there is nobody to send to.
    campaign_id = create_campaign(api, [], excludedSegments=[mine])
    problem = assert_problem(post(api, paths.action(campaign_id, "start")), 400, "/errors/400.42-campaign-not-ready")
    assert [e["field"] for e in problem["errors"]] == ["lists"]
    put(api, paths.campaign(campaign_id), campaign_body([], segments=[mine]))
    assert get_campaign(api, campaign_id)["segments"] == [mine]
    assert get_campaign(api, campaign_id)["excludedSegments"] == []
