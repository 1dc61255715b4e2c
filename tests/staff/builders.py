"""Staff users with roles, and a row of every model the back office shows, for an account."""

from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from campaigns.models import Message
from domains.services import domain_create
from segments.services import segment_create
from signup.services import signup_form_create
from staff.services import role_grant
from subscribers.models import Subscriber, Suppression
from tasks.models import Task
from templates.services import template_create
from tests.campaigns.builders import create_campaign
from tests.subscribers.builders import create_field, create_list, md5, subscribed
from webhooks.models import Delivery, Endpoint, Event

PASSWORD = "a-long-staff-password"


def staff_user(username: str, roles=(), *, superuser: bool = False):
    """A staff user holding ``roles``: ``(account, role)`` pairs."""
    model = get_user_model()
    if superuser:
        return model.objects.create_superuser(username, f"{username}@example.com", PASSWORD)
    user = model.objects.create_user(username, f"{username}@example.com", PASSWORD, is_staff=True)
    for account, role in roles:
        role_grant(user=user, account=account, role=role)
    return user


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def populate(api, tag: str) -> dict:
    """One row (at least) of each model the back office lists, in the account of ``api``; names carry ``tag``."""
    account = api.owner.account
    list_id = create_list(api, f"{tag} list")
    subscribed(api, list_id, f"{tag}-jane@example.com")
    create_field(api, f"{tag}city", "string")
    campaign_id = create_campaign(api, lists=[list_id], name=f"{tag} campaign")
    draft_id = create_campaign(api, lists=[list_id], name=f"{tag} draft")
    segment_create(
        account=account,
        name=f"{tag} segment",
        match="all",
        conditions=[{"kind": "list", "operator": "in", "listId": list_id}],
    )
    template_create(account=account, name=f"{tag} template", html="<html><body>{{ content }}</body></html>")
    signup_form_create(
        account=account,
        name=f"{tag} form",
        list_ids=[list_id],
        fields=[],
        allowed_origins=[],
        thank_you_url="",
        error_url="",
    )
    domain_create(account=account, name=f"{tag}.example.com")
    endpoint = Endpoint.objects.create(
        account=account, url=f"https://{tag}.example.com/hook", event_types=["subscriber.created"], secret="x"
    )
    now = timezone.now()
    event = Event.objects.create(account=account, type="subscriber.created", data={"tag": tag}, created_at=now)
    Delivery.objects.create(endpoint=endpoint, event=event, deadline_at=now, created_at=now)
    Suppression.objects.create(account=account, email_md5=md5(f"{tag}-gone@example.com"))
    Task.objects.create(account=account, type="import", status="done", list_id=list_id)
    subscriber = Subscriber.objects.get(account=account, email=f"{tag}-jane@example.com")
    Message.objects.create(account=account, campaign_id=campaign_id, subscriber=subscriber, to_email=subscriber.email)
    return {"list": list_id, "campaign": campaign_id, "draft": draft_id, "subscriber": subscriber.pk}
