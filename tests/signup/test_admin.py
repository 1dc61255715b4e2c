"""The back office's signup forms: written through the API's service (its errors under the right boxes), and the
copy-paste HTML snippet on the form's page."""

import json

from signup.models import SignupForm
from tests.signup.builders import SITE, V1
from tests.subscribers.builders import create_field, create_list

FORMS = "/admin/signup/signupform"


def form_errors(response) -> str:
    assert response.status_code == 200, response.status_code
    form = response.context["adminform"].form
    return " ".join(str(message) for messages in form.errors.values() for message in messages)


def test_a_form_written_in_the_admin_is_what_the_api_shows_with_its_snippet(api, owner, admin_client):
    news = create_list(api, "News")
    create_field(api, "consent", "boolean", label="I agree to the terms")
    body = {
        "account": owner.account.pk,
        "name": "Footer",
        "lists": [news],
        "fields": json.dumps(
            [{"fieldName": "firstName", "required": True}, {"fieldName": "consent", "required": True}]
        ),
        "allowed_origins": f"{SITE}\nhttps://blog.shop.example",
        "thank_you_url": f"{SITE}/thanks",
        "error_url": "",
    }
    response = admin_client.post(f"{FORMS}/add/", body)
    assert response.status_code == 302, form_errors(response)
    form = api.get(V1).json()["items"][0]
    assert (form["name"], form["lists"], form["allowedOrigins"]) == (
        "Footer",
        [news],
        [SITE, "https://blog.shop.example"],
    )
    assert form["fields"][1] == {"fieldName": "consent", "required": True}

    page = admin_client.get(f"{FORMS}/{form['formId']}/change/").content.decode()
    assert "HTML snippet" in page and form["actionUrl"] in page
    assert f"&lt;form action=&quot;{form['actionUrl']}&quot; method=&quot;post&quot;&gt;" in page
    assert "name=&quot;emailAddress&quot;" in page and "I agree to the terms" in page
    assert f"name=&quot;{form['honeypotField']}&quot;" in page and "left:-5000px" in page

    bad = {**body, "lists": [news], "thank_you_url": "https://elsewhere.example/", "fields": '[{"fieldName": "x"}]'}
    errors = form_errors(admin_client.post(f"{FORMS}/{form['formId']}/change/", bad))
    assert "must be on one of allowedOrigins" in errors and "fields[0].fieldName" in errors
    assert SignupForm.objects.get().thank_you_url == f"{SITE}/thanks"  # nothing written
