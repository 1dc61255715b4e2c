"""Two tenants with one object of every kind, built through the API, and B's rows as a snapshot.

B's strings all carry a marker no other test data uses, so a response that shows any of them has
leaked B's data; ``Tenant.values`` maps each URL keyword to the objects that fill it.
"""

from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import models
from django.test import Client, TestCase

from accounts.models import Account, ApiKey
from campaigns.models import Message
from campaigns.tokens import make_token
from exports.representations import download_href
from tests.campaigns.builders import BASE_URL, create_campaign, send, start
from tests.factories import AccountWithKey
from tests.helpers import ApiClient, assert_hypermedia
from tests.segments.builders import create_segment, field as field_condition
from tests.signup.builders import create_form
from tests.subscribers.builders import create_field, create_list, md5, subscribed
from tests.tasks.builders import new_task, run_jobs
from tests.templates.builders import create_template
from webhooks.models import Delivery
from webhooks.outbox import events_dispatch


@dataclass
class Tenant:
    who: AccountWithKey
    values: dict[str, list] = field(default_factory=dict)  # URL keyword → the tenant's values for it
    secrets: set[str] = field(default_factory=set)  # strings that only this tenant's data contains


def _single_email(api, to: str, subject: str) -> int:
    body = {"to": to, "subject": subject, "text": f"{subject} body", "fromEmail": "shop@example.com"}
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = api.post("/api/v1/emails/send", body)
    return assert_hypermedia(response, 202, "email")["emailId"]


def _export(api, who: AccountWithKey, list_id: int) -> int:
    """A finished export of the list: its task links the file."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = api.post(f"/accounts/{who.name}/exports", {"kind": "subscribers", "listId": list_id})
    task_id = int(assert_hypermedia(response, 202, "message")["_links"][0]["href"].rsplit("/", 1)[1])
    run_jobs()
    return task_id


def build_tenant(who: AccountWithKey, marker: str) -> Tenant:
    """A field, a list with a subscriber, a finished import with row errors and a queued one, a finished export, a sent
    campaign (opened once) and a draft with a template, a single email, a segment, a signup form, a sending domain,
    a webhook with a delivery in its log and a second API key: every kind a URL keyword names."""
    settings.PUBLIC_BASE_URL = BASE_URL
    api = ApiClient(who)
    address = f"{marker}.reader@{marker}.example"
    field_name = f"{marker}Field"
    create_field(api, field_name, "string")
    webhook = {
        "url": f"http://{marker}.example/hooks",
        "eventTypes": ["subscriber.created"],
        "description": f"{marker} hook",
    }
    webhook_id = assert_hypermedia(api.post("/api/v1/webhooks", webhook), 201, "webhook")["webhookId"]
    list_id = create_list(api, f"{marker} list")
    subscribed(api, list_id, address, {field_name: f"{marker} value", "firstName": f"{marker}First"})
    done_task = new_task(api, list_id, [["email"], [f"{marker}.imported@{marker}.example"], [f"{marker}-bad-row"]])
    run_jobs()
    sent = create_campaign(api, [list_id], name=f"{marker} campaign", subject=f"{marker} subject")
    start(api, sent)
    template_id = create_template(api, name=f"{marker} template", html=f"<p>{marker} layout</p>{{{{ content }}}}")
    draft = create_campaign(
        api, [list_id], name=f"{marker} draft", subject=f"{marker} draft subject", templateId=template_id
    )
    email_id = _single_email(api, f"{marker}.single@{marker}.example", f"{marker} email subject")
    send()
    message = Message.objects.get(campaign_id=sent, to_email=address)
    Client().get(f"/t/o/{make_token(message.pk)}")
    segment_id = create_segment(
        api, [field_condition(field_name, "equals", f"{marker} value")], name=f"{marker} segment"
    )
    form_id = create_form(
        api,
        [list_id],
        name=f"{marker} form",
        allowedOrigins=[f"https://{marker}.example"],
        thankYouUrl=f"https://{marker}.example/thanks",
        errorUrl=None,
        fields=[],
    )["formId"]
    queued_task = new_task(api, list_id, [["email"], [f"{marker}.queued@{marker}.example"]])  # left in its queue
    export_task = _export(api, who, list_id)
    domain = assert_hypermedia(api.post("/api/v1/domains", {"domain": f"{marker}.example"}), 201, "domain")
    events_dispatch(limit=1000)  # the webhook's log (its jobs never run: nothing is sent)
    made = api.post("/api/v1/keys", {"name": f"{marker} key", "scopes": ["lists:read"]})
    key = assert_hypermedia(made, 201, "new-api-key")
    own_key = ApiKey.objects.get(account=who.account, name="test")
    tenant = Tenant(
        who,
        values={
            "account_name": [who.name],
            "list_id": [list_id],
            "email_md5": [md5(address)],
            "field_name": [field_name],
            "task_id": [done_task, queued_task, export_task],
            "campaign_id": [sent, draft],
            "email_id": [email_id],
            "segment_id": [segment_id],
            "form_id": [form_id],
            "domain_id": [domain["domainId"]],
            "template_id": [template_id],
            "webhook_id": [webhook_id],
            "delivery_id": [Delivery.objects.filter(endpoint_id=webhook_id).values_list("pk", flat=True).first()],
            "key_id": [own_key.pk, key["keyId"]],
        },
    )
    imported = f"{marker}.imported@{marker}.example"
    tenant.secrets = {
        who.name,
        address,
        md5(address),
        field_name,
        f"{marker} value",
        f"{marker}First",
        f"{marker} list",
        imported,
        md5(imported),
        f"{marker}-bad-row",
        f"{marker} campaign",
        f"{marker} subject",
        f"{marker} draft",
        f"{marker}.single@{marker}.example",
        f"{marker} email subject",
        f"{marker}.queued@{marker}.example",
        f"{marker} segment",
        f"{marker} form",
        f"https://{marker}.example",
        f"{marker}.example",
        domain["selector"],
        f"{marker} template",
        f"{marker} layout",
        download_href(export_task),  # the signed link of B's finished export
        f"{marker} hook",
        f"{marker} key",
        who.key,  # B's keys themselves, and their prefixes
        own_key.prefix,
        key["key"],
        key["prefix"],
    }
    return tenant


# --- B's rows ------------------------------------------------------------------------------------


def project_models() -> list[type[models.Model]]:
    return [
        model
        for config in apps.get_app_configs()
        if Path(config.path).parent == settings.BASE_DIR
        for model in config.get_models()
    ]


def account_lookup(model: type[models.Model], depth: int = 0) -> str | None:
    """The ORM path from ``model`` to its Account ("account", "subscriber__account"…), or None."""
    if model is Account:
        return "pk"
    relations = [f for f in model._meta.get_fields() if f.concrete and (f.many_to_one or f.one_to_one)]
    for relation in relations:
        if relation.related_model is Account:
            return relation.name
    if depth < 2:
        for relation in relations:
            path = account_lookup(relation.related_model, depth + 1)
            if path is not None and path != "pk":
                return f"{relation.name}__{path}"
    return None


def snapshot(account: Account) -> dict[str, list[dict]]:
    """Every row of every project model that belongs to ``account``, in primary-key order."""
    rows = {}
    for model in project_models():
        lookup = account_lookup(model)
        if lookup is not None:
            rows[model._meta.label] = list(model.objects.filter(**{lookup: account.pk}).order_by("pk").values())
    return rows
