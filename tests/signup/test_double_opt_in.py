"""Double opt-in through a signup form, end to end over loopback SMTP: the confirmation email arrives, its link
confirms; a form's own doubleOptIn adds confirmation to a list that does not ask for it; a pending address that
posts again gets no second email."""

from django.test import TestCase

from subscribers.models import Consent, Membership
from tests.consent.builders import browser, confirmation_links, create_double_list
from tests.helpers import assert_hypermedia
from tests.signup.builders import SITE, UA, create_form, post_form
from tests.subscribers.builders import create_list


def test_a_double_opt_in_signup_through_a_form_end_to_end(api, smtp_server, queues):
    weekly = create_double_list(api, "Weekly")
    form = create_form(api, [weekly], fields=[])
    response = post_form(form["formKey"], {"emailAddress": "ann@example.com"}, as_json=True)
    body = assert_hypermedia(response, 202, "message")
    assert "check your inbox" in body["message"]
    assert not Membership.objects.filter(list_id=weekly).exists()
    consent = Consent.objects.get(list_id=weekly)
    assert (consent.source, consent.ip, consent.user_agent, consent.double_opt_in) == ("form", "198.51.100.7", UA, True)

    [link] = confirmation_links(smtp_server, "ann@example.com")
    assert browser().post(link).status_code == 200
    assert Membership.objects.filter(list_id=weekly).count() == 1
    consent.refresh_from_db()
    assert consent.confirmed_at is not None and consent.confirm_ip == "203.0.113.7"

    # Posting again: the same answer, and no email to a member.
    again = post_form(form["formKey"], {"emailAddress": "ann@example.com"}, as_json=True)
    assert again.status_code == 202 and again.content == response.content
    assert confirmation_links(smtp_server, "ann@example.com") == [link]


def test_the_form_can_add_confirmation_never_remove_it(api, smtp_server, queues):
    plain = create_list(api, "Plain")
    weekly = create_double_list(api, "Weekly")
    asking = create_form(api, [plain], name="Asking", fields=[], doubleOptIn=True)
    post_form(asking["formKey"], {"emailAddress": "bob@example.com"})
    assert not Membership.objects.filter(list_id=plain).exists()  # pending, though the list asks nothing
    [link] = confirmation_links(smtp_server, "bob@example.com")
    assert browser().post(link).status_code == 200
    assert Membership.objects.filter(list_id=plain).count() == 1

    relaxed = create_form(api, [weekly, plain], name="Relaxed", fields=[], doubleOptIn=False)
    html = post_form(relaxed["formKey"], {"emailAddress": "cy@example.com"})
    assert html.status_code == 303 and html["Location"] == f"{SITE}/thanks"
    assert Membership.objects.filter(list_id=plain, subscriber__email="cy@example.com").exists()
    assert not Membership.objects.filter(list_id=weekly, subscriber__email="cy@example.com").exists()
    assert len(confirmation_links(smtp_server, "cy@example.com")) == 1  # for Weekly only


def test_a_pending_address_posting_again_gets_one_email(api, smtp_server, queues):
    weekly = create_double_list(api, "Weekly")
    form = create_form(api, [weekly], fields=[])
    with TestCase.captureOnCommitCallbacks(execute=True):
        first = post_form(form["formKey"], {"emailAddress": "dee@example.com"})
        second = post_form(form["formKey"], {"emailAddress": "dee@example.com"})
    assert (first.status_code, first["Location"]) == (second.status_code, second["Location"])
    assert len(confirmation_links(smtp_server, "dee@example.com")) == 1
