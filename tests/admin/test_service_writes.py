"""Every admin write goes through the API's services: for each model, the API sees exactly what the back office
wrote (counters included), and what the API would refuse the back office refuses too, with the API's words, on
the form, writing nothing."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase

from campaigns.models import Campaign, Message
from campaigns.tokens import make_token
from fields.models import Field
from imports.models import ImportTask, StagedImport
from lists.models import MailingList
from subscribers.models import Subscriber
from tests.campaigns.builders import sent_campaign
from tests.campaigns.smtp import smtp_server  # noqa: F401 (a fixture)
from tests.helpers import assert_hypermedia
from tests.subscribers.builders import Paths, create_field, create_list, get_subscriber, md5, subscribed
from tests.tasks.builders import queues, run_jobs  # noqa: F401 (a fixture)

LISTS, FIELDS, SUBSCRIBERS = "/admin/lists/mailinglist", "/admin/fields/field", "/admin/subscribers/subscriber"


def api_lists(api) -> dict[str, dict]:
    body = assert_hypermedia(api.get(Paths(api.owner).lists), 200, "lists-collection")
    return body["itemsCount"], {item["name"]: item for item in body["items"]}


def form_errors(response) -> str:
    assert response.status_code == 200, response.status_code  # the form again, not a redirect
    form = response.context["adminform"].form
    return " ".join(str(message) for messages in form.errors.values() for message in messages)


# --- Lists ------------------------------------------------------------------------------------------------------


def test_a_list_added_renamed_and_deleted_in_the_admin_is_what_the_api_shows(api, owner, admin_client):
    count, _ = api_lists(api)
    response = admin_client.post(f"{LISTS}/add/", {"account": owner.account.pk, "name": "Weekly", "active": "on"})
    assert response.status_code == 302, form_errors(response)
    after, shown = api_lists(api)
    assert after == count + 1 and shown["Weekly"]["subscribersQuantity"] == 0  # the account's list counter moved

    weekly = MailingList.objects.get(account=owner.account, name="Weekly")
    response = admin_client.post(f"{LISTS}/{weekly.pk}/change/", {"name": "Weekly digest", "active": "on"})
    assert response.status_code == 302, form_errors(response)
    assert "Weekly digest" in api_lists(api)[1]

    response = admin_client.post(f"{LISTS}/{weekly.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert api_lists(api)[0] == count
    assert api.get(f"{Paths(api.owner).lists}/{weekly.pk}").status_code == 404


def test_the_admin_refuses_a_duplicate_list_name_as_the_api_does(api, owner, admin_client):
    create_list(api, "News")
    count, _ = api_lists(api)
    response = admin_client.post(f"{LISTS}/add/", {"account": owner.account.pk, "name": "news", "active": "on"})
    assert "Already exists an active list with the name 'news'." in form_errors(response)
    assert api_lists(api)[0] == count


# --- Fields -----------------------------------------------------------------------------------------------------


def field_shown(api, name: str) -> dict:
    response = api.get(f"{Paths(api.owner).home}/fields")
    assert response.status_code == 200
    return next(item for item in response.json()["items"] if item["fieldName"] == name)


def test_a_field_added_in_the_admin_types_the_apis_values_at_once(api, owner, admin_client):
    list_id = create_list(api, "News")
    subscribed(api, list_id, "ann@example.com")
    api.get(f"{Paths(api.owner).home}/fields")  # the account's field types are now cached in this process
    response = admin_client.post(
        f"{FIELDS}/add/", {"account": owner.account.pk, "name": "income", "type": "number", "label": "Income"}
    )
    assert response.status_code == 302, form_errors(response)
    assert field_shown(api, "income")["type"] == "number"
    refused = api.put(
        f"{Paths(api.owner).subscribers}/{md5('ann@example.com')}",
        {
            "emailAddress": "ann@example.com",
            "belongsToLists": [list_id],
            "fields": [{"fieldName": "income", "value": "x"}],
        },
    )
    assert refused.status_code == 400 and "fields.income" in refused.content.decode()

    field = Field.objects.get(account=owner.account, name="income")
    response = admin_client.post(f"{FIELDS}/{field.pk}/change/", {"label": "Yearly income"})
    assert response.status_code == 302, form_errors(response)
    assert field_shown(api, "income")["label"] == "Yearly income"


def test_the_admin_refuses_a_field_name_the_api_refuses(api, owner, admin_client):
    create_field(api, "income", "number")
    for name, words in (("Income", "Already exists a field with the name"), ("2fast", "must start with a letter")):
        response = admin_client.post(f"{FIELDS}/add/", {"account": owner.account.pk, "name": name, "type": "string"})
        assert words in form_errors(response), name
    assert Field.objects.filter(account=owner.account, predefined=False).count() == 1


# --- Subscribers --------------------------------------------------------------------------------------------------


def test_a_subscriber_added_and_edited_in_the_admin_is_what_the_api_shows(api, owner, admin_client):
    news, promo = create_list(api, "News"), create_list(api, "Promo")
    create_field(api, "income", "number")
    create_field(api, "vip", "boolean")
    response = admin_client.post(
        f"{SUBSCRIBERS}/add/", {"account": owner.account.pk, "email": " Ann@Example.com ", "mailing_list": news}
    )
    assert response.status_code == 302, form_errors(response)
    body = get_subscriber(api, md5("ann@example.com"))
    assert body["emailAddress"] == "ann@example.com" and body["belongsToLists"] == [news]
    assert api_lists(api)[1]["News"]["subscribersQuantity"] == 1

    subscriber = Subscriber.objects.get(account=owner.account, email="ann@example.com")
    page = admin_client.get(f"{SUBSCRIBERS}/{subscriber.pk}/change/").content.decode()
    assert 'name="field_income"' in page and 'type="number"' in page and 'name="field_vip"' in page
    change = {
        "email": "ann@example.com",
        "status": "active",
        "lists": [promo],
        "field_firstName": "Ann",
        "field_income": "52000.5",
        "field_vip": "true",
    }
    response = admin_client.post(f"{SUBSCRIBERS}/{subscriber.pk}/change/", change)
    assert response.status_code == 302, form_errors(response)
    body = get_subscriber(api, md5("ann@example.com"))
    values = {entry["fieldName"]: entry["value"] for entry in body["fields"]}
    assert values["income"] == 52000.5 and values["vip"] is True and values["firstName"] == "Ann"
    assert body["belongsToLists"] == [promo]
    quantities = {name: item["subscribersQuantity"] for name, item in api_lists(api)[1].items()}
    assert quantities == {"News": 0, "Promo": 1}

    response = admin_client.post(
        f"{SUBSCRIBERS}/{subscriber.pk}/change/", {**change, "status": "unsubscribed-by-admin"}
    )
    assert response.status_code == 302, form_errors(response)
    assert get_subscriber(api, md5("ann@example.com"))["status"] == "unsubscribed-by-admin"
    assert api_lists(api)[1]["Promo"]["subscribersQuantity"] == 0  # only active members count


def test_the_admin_refuses_a_value_of_the_wrong_type_and_changes_nothing(api, owner, admin_client):
    news = create_list(api, "News")
    create_field(api, "income", "number")
    subscribed(api, news, "ann@example.com", fields={"income": 10})
    subscriber = Subscriber.objects.get(account=owner.account, email="ann@example.com")
    change = {"email": "ann@example.com", "status": "active", "lists": [news], "field_income": "lots"}
    assert "number value" in form_errors(admin_client.post(f"{SUBSCRIBERS}/{subscriber.pk}/change/", change))
    refused_status = {**change, "field_income": "11", "status": "hard-bounce"}
    assert "can be kept as active" in form_errors(
        admin_client.post(f"{SUBSCRIBERS}/{subscriber.pk}/change/", refused_status)
    )
    assert "Not a valid email address" in form_errors(
        admin_client.post(f"{SUBSCRIBERS}/{subscriber.pk}/change/", {**change, "email": "nope", "field_income": "1"})
    )
    body = get_subscriber(api, md5("ann@example.com"))
    assert {entry["fieldName"]: entry["value"] for entry in body["fields"]}["income"] == 10
    assert body["status"] == "active"


def test_the_admin_adds_a_subscriber_only_to_a_list_of_its_account(api, owner, other, admin_client):
    theirs = MailingList.objects.create(account=other.account, name="Theirs")
    response = admin_client.post(
        f"{SUBSCRIBERS}/add/", {"account": owner.account.pk, "email": "ann@example.com", "mailing_list": theirs.pk}
    )
    assert "This list belongs to another account." in form_errors(response)
    assert not Subscriber.objects.filter(email="ann@example.com").exists()


# --- Campaigns ----------------------------------------------------------------------------------------------------

CAMPAIGNS = "/admin/campaigns/campaign"


def campaign_form(account, list_ids, **changes) -> dict:
    return {
        "account": account.pk,
        "name": "Spring",
        "subject": "Hello {{ firstName | friend }}",
        "from_name": "Shop",
        "from_email": "news@shop.example.com",
        "reply_to": "",
        "preheader": "",
        "html": '<p>Hi</p><a href="https://shop.example.com/spring">Spring</a>',
        "text": "Hi",
        "lists": list_ids,
        "scheduled_at_0": "",
        "scheduled_at_1": "",
        **changes,
    }


def test_a_campaign_written_in_the_admin_is_what_the_api_shows(api, owner, admin_client):
    news = create_list(api, "News")
    before = api.get("/api/v1/campaigns").json()["total"]
    response = admin_client.post(f"{CAMPAIGNS}/add/", campaign_form(owner.account, [news]))
    assert response.status_code == 302, form_errors(response)
    campaign = Campaign.objects.get(account=owner.account, name="Spring")
    body = api.get(f"/api/v1/campaigns/{campaign.pk}").json()
    assert (body["status"], body["subject"], body["fromEmail"], body["lists"]) == (
        "draft",
        "Hello {{ firstName | friend }}",
        "news@shop.example.com",
        [news],
    )
    assert api.get("/api/v1/campaigns").json()["total"] == before + 1  # the account's campaign counter moved

    form = campaign_form(owner.account, [news], subject="Hello again")
    form.pop("account")
    response = admin_client.post(f"{CAMPAIGNS}/{campaign.pk}/change/", form)
    assert response.status_code == 302, form_errors(response)
    assert api.get(f"/api/v1/campaigns/{campaign.pk}").json()["subject"] == "Hello again"

    response = admin_client.post(f"{CAMPAIGNS}/{campaign.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert api.get(f"/api/v1/campaigns/{campaign.pk}").status_code == 404
    assert api.get("/api/v1/campaigns").json()["total"] == before


def test_the_admin_refuses_a_campaign_the_api_refuses(api, owner, other, admin_client):
    news = create_list(api, "News")
    theirs = MailingList.objects.create(account=other.account, name="Theirs")
    for changes, words in (
        ({"subject": "Hi {{ nosuchfield }}"}, "nosuchfield"),
        ({"lists": [theirs.pk]}, "unknown lists"),
        ({"from_email": "not an address"}, "not a valid email address"),
    ):
        response = admin_client.post(f"{CAMPAIGNS}/add/", campaign_form(owner.account, [news], **changes))
        assert words in form_errors(response), (changes, form_errors(response))
    assert not Campaign.objects.filter(account=owner.account).exists()


# --- Subscribers: bulk actions ------------------------------------------------------------------------------------


def selected(*subscribers) -> list[int]:
    return [subscriber.pk for subscriber in subscribers]


def test_bulk_actions_go_through_the_services_and_the_counters_follow(api, owner, other, admin_client):
    news, promo = create_list(api, "News"), create_list(api, "Promo")
    for address in ("ann@example.com", "bob@example.com", "cid@example.com"):
        subscribed(api, news, address)
    ann, bob, cid = (
        Subscriber.objects.get(account=owner.account, email=f"{n}@example.com") for n in ("ann", "bob", "cid")
    )

    response = admin_client.post(
        f"{SUBSCRIBERS}/",
        {"action": "add_to_list", "mailing_list": promo, "_selected_action": selected(ann, bob)},
        follow=True,
    )
    assert "Added to Promo: 2 subscriber(s)." in response.content.decode()
    assert api_lists(api)[1]["Promo"]["subscribersQuantity"] == 2
    assert get_subscriber(api, md5("ann@example.com"))["belongsToLists"] == [news, promo]

    response = admin_client.post(
        f"{SUBSCRIBERS}/",
        {"action": "remove_from_list", "mailing_list": news, "_selected_action": selected(ann)},
        follow=True,
    )
    assert "Removed from News: 1 subscriber(s)." in response.content.decode()
    assert api_lists(api)[1]["News"]["subscribersQuantity"] == 2

    response = admin_client.post(
        f"{SUBSCRIBERS}/", {"action": "unsubscribe", "_selected_action": selected(bob, cid)}, follow=True
    )
    assert "Unsubscribed 2 subscriber(s)." in response.content.decode()
    assert get_subscriber(api, md5("bob@example.com"))["status"] == "unsubscribed-by-admin"
    quantities = {name: item["subscribersQuantity"] for name, item in api_lists(api)[1].items()}
    assert quantities == {"News": 0, "Promo": 1}

    # An unsubscribed subscriber is not added back (the API's 409.2), nor is anybody added to another account's list.
    theirs = MailingList.objects.create(account=other.account, name="Theirs")
    response = admin_client.post(
        f"{SUBSCRIBERS}/",
        {"action": "add_to_list", "mailing_list": promo, "_selected_action": selected(cid)},
        follow=True,
    )
    assert "Cid@example.com: cid@example.com is unsubscribed-by-admin" in response.content.decode()
    response = admin_client.post(
        f"{SUBSCRIBERS}/",
        {"action": "add_to_list", "mailing_list": theirs.pk, "_selected_action": selected(ann)},
        follow=True,
    )
    assert "belongs to another account" in response.content.decode()
    assert get_subscriber(api, md5("ann@example.com"))["belongsToLists"] == [promo]


def test_the_selection_exports_as_csv_with_lists_and_fields(api, owner, admin_client):
    news = create_list(api, "News")
    create_field(api, "vip", "boolean")
    subscribed(api, news, "ann@example.com", fields={"vip": True, "firstName": "Ann"})
    subscribed(api, news, "bob@example.com")
    rows = Subscriber.objects.filter(account=owner.account).order_by("id")
    response = admin_client.post(f"{SUBSCRIBERS}/", {"action": "export_csv", "_selected_action": selected(*rows)})
    assert response["Content-Type"].startswith("text/csv")
    lines = response.content.decode().splitlines()
    assert lines[0] == "emailAddress,emailMd5,account,status,lists,created,consents,firstName,vip"
    assert lines[1].startswith(f"ann@example.com,{md5('ann@example.com')},{owner.account.name},active,News,")
    assert ",News; active; api; " in lines[1]  # its consent record: list, state, source, when, IP, user agent
    assert lines[1].endswith(",Ann,true") and lines[2].endswith(",,")


def test_a_subscribers_page_shows_its_history(api, owner, admin_client, smtp_server, queues):  # noqa: F811
    campaign_id, _, emails = sent_campaign(api, 1)
    message = Message.objects.get(campaign_id=campaign_id)
    assert Client().get(f"/t/o/{make_token(message.pk)}").status_code == 200
    subscriber = Subscriber.objects.get(account=owner.account, email=emails[0])
    page = admin_client.get(f"{SUBSCRIBERS}/{subscriber.pk}/change/").content.decode()
    history = page[page.index('class="subscriber-history"') :]
    assert "<td>open</td><td>Spring sale</td>" in history and "<td>sent</td><td>Spring sale</td>" in history


# --- Imports ------------------------------------------------------------------------------------------------------

IMPORTS = "/admin/imports/importtask"


def upload_to_preview(admin_client, list_id, csv_file) -> tuple[str, str]:
    """Step 1: the file is uploaded and staged (nothing is queued); the preview's URL and page."""
    response = admin_client.post(f"{IMPORTS}/add/", {"mailing_list": list_id, "file": csv_file})
    assert response.status_code == 302, form_errors(response)
    preview = response["Location"]
    assert preview.startswith(f"{IMPORTS}/staged/") and not ImportTask.objects.exists()
    return preview, admin_client.get(preview).content.decode()


def test_an_import_uploaded_in_the_admin_is_previewed_then_runs_and_shows_its_columns_rows_and_errors(
    api,
    owner,
    admin_client,
    queues,  # noqa: F811
):
    news = create_list(api, "News")
    create_field(api, "income", "number")
    csv_file = SimpleUploadedFile(
        "people.csv",
        b"email,firstName,income\nann@example.com,Ann,10\nnot-an-address,Bob,20\ncid@example.com,Cid,x\n",
        content_type="text/csv",
    )
    preview, page = upload_to_preview(admin_client, news, csv_file)
    assert '<td class="import-field">field income (number)</td>' in page and "3 rows to import" in page
    assert '<th scope="row">2</th><td>ann@example.com</td><td>Ann</td><td>10</td>' in page
    assert "refused: emailAddress" in page and 'name="start"' in page

    with TestCase.captureOnCommitCallbacks(execute=True):
        response = admin_client.post(preview, {"start": "Start import"})
    task_id = int(response["Location"].rstrip("/").split("/")[-2])
    assert response["Location"] == f"{IMPORTS}/{task_id}/change/" and ImportTask.objects.count() == 1
    page = admin_client.get(f"{IMPORTS}/{task_id}/change/").content.decode()
    assert "<td>column 1</td><td>the email address</td>" in page and "<td>column 3</td><td>field income</td>" in page
    assert "<td>2</td><td>ann@example.com</td>" in page  # the first rows, as read from the stored file
    assert '<meta http-equiv="refresh"' in page  # queued: it refreshes itself
    assert admin_client.post(preview, {"start": "Start import"})["Location"] == f"{IMPORTS}/"  # once only
    assert ImportTask.objects.count() == 1

    run_jobs("imports", "default")
    page = admin_client.get(f"{IMPORTS}/{task_id}/change/").content.decode()
    assert '<meta http-equiv="refresh"' not in page
    assert get_subscriber(api, md5("ann@example.com"))["belongsToLists"] == [news]
    task_page = admin_client.get(f"/admin/tasks/task/{task_id}/change/").content.decode()
    assert f'<a href="{IMPORTS}/{task_id}/change/">its import into News</a>' in task_page
    report = admin_client.get(f"/admin/tasks/task/{task_id}/errors.csv")
    lines = b"".join(report.streaming_content).decode().splitlines()
    assert lines[0] == "row,emailAddress,problem" and len(lines) == 3, lines
    assert lines[1].startswith("3,not-an-address,") and lines[2].startswith("4,cid@example.com,")


def test_the_admin_shows_the_problem_the_api_refuses_an_import_for_and_cannot_start_it(api, owner, admin_client):
    news = create_list(api, "News")
    bad = SimpleUploadedFile("people.csv", b"email,nosuchfield\nann@example.com,1\n", content_type="text/csv")
    preview, page = upload_to_preview(admin_client, news, bad)
    assert "Column &#x27;nosuchfield&#x27; is not a field of the account" in page and 'name="start"' not in page
    response = admin_client.post(preview, {"start": "Start import"}, follow=True)
    assert "is not a field of the account" in response.content.decode() and not ImportTask.objects.exists()
    assert admin_client.post(preview, {"cancel": "Cancel"})["Location"] == f"{IMPORTS}/"
    assert not StagedImport.objects.exists()
    text = SimpleUploadedFile("notes.txt", b"hello", content_type="text/plain")
    assert "Choose a CSV, XLS or XLSX file." in form_errors(
        admin_client.post(f"{IMPORTS}/add/", {"mailing_list": news, "file": text})
    )


def test_a_staged_upload_is_its_uploaders_only(api, owner, admin_client, django_user_model):
    news = create_list(api, "News")
    preview, _ = upload_to_preview(admin_client, news, SimpleUploadedFile("p.csv", b"email\na@example.com\n"))
    someone = Client()
    someone.force_login(django_user_model.objects.create_superuser("someone", "someone@example.com", "pw"))
    for attempt in (
        someone.get(preview),
        someone.post(preview, {"start": "1"}),
        someone.post(preview, {"cancel": "1"}),
    ):
        assert attempt.status_code == 302 and attempt["Location"] == f"{IMPORTS}/"
    assert "There is no such upload" in someone.get(f"{IMPORTS}/").content.decode()
    assert StagedImport.objects.count() == 1 and not ImportTask.objects.exists()
