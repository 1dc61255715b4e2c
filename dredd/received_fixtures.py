"""The data behind the received Blueprint's examples (dredd/received.apib), on top of dredd/fixtures.py.

The received examples name lists 345, 346 and 247, task 567 and the field ``income`` (dredd/fixtures.py
makes them) and a subscriber ``user@example.com`` in lists 345 and 346, whose id they write as
``d41d8cd98f00b204e9800998ecf8427e`` (the MD5 of the empty string, a placeholder: the hooks put the
subscriber's real id in the URL). Its Edit example sets a field ``annualIncome``.
"""

from django.db import transaction

from dredd.fixtures import account
from fields.models import Field
from fields.services import field_create
from lists.models import MailingList
from lists.services import list_count_recount
from subscribers.counters import counters_recount
from subscribers.emails import normalize_email
from subscribers.models import Subscriber
from subscribers.services import subscriber_replace, subscriber_subscribe

SUBSCRIBER = normalize_email("user@example.com")
PLACEHOLDER_MD5 = "d41d8cd98f00b204e9800998ecf8427e"
FIELDS = {"firstName": "John", "lastName": "Smith", "income": 450000}


@transaction.atomic
def reset_received(*, subscribed: bool = True) -> None:
    """``user@example.com`` active in lists 345 and 346 with its fields, or absent (for a Subscribe to create)."""
    owner = account()
    if not Field.objects.filter(account=owner, name="annualIncome").exists():
        field_create(account=owner, name="annualIncome", type="number", label="Annual Income")
    existing = Subscriber.objects.filter(account=owner, email=SUBSCRIBER.address).first()
    if not subscribed:
        Subscriber.objects.filter(account=owner, email=SUBSCRIBER.address).delete()
    else:
        if existing is None:
            existing, _ = subscriber_subscribe(
                account=owner, mailing_list=MailingList.objects.get(pk=345), email=SUBSCRIBER, to_set={}, to_unset=set()
            )
        subscriber_replace(
            subscriber=existing, email=SUBSCRIBER, list_ids=[345, 346], status="active", to_set=FIELDS, to_unset=set()
        )
    counters_recount(owner.pk)
    list_count_recount(account=owner)
