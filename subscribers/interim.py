"""Registrations made on behalf of tasks/ and campaigns/ until they make them from their own ``apps.py``.

``manage.py recount_counters`` used to live in this app and call their repairs, and the erasure used to blank
their messages itself: both now go through registries (``api.counters.register_repairer``,
``subscribers.erasure.register_eraser``). Once tasks/ and campaigns/ register these themselves, delete this
module and its call in ``subscribers/apps.py`` (registering a repairer twice keeps one, so the order of the
two changes does not matter).
"""
from api.counters import register_repairer
from campaigns.models import Event, Message
from campaigns.services import campaign_counts_recount, message_count_recount
from subscribers.erasure import register_eraser
from tasks.services import task_counts_recount


def forget_messages(subscriber_id: int) -> None:
    """campaigns/'s part of an erasure: its messages to the subscriber are kept (the counts stay), unlinked and
    blanked; a server's reply or a bounce report often quotes the address, so those texts go too."""
    messages = Message.objects.filter(subscriber_id=subscriber_id)
    Event.objects.filter(message_id__in=messages.values("pk")).update(detail="")
    messages.update(subscriber=None, to_email="", smtp_response="")


def register() -> None:
    for repair in (task_counts_recount, campaign_counts_recount, message_count_recount):
        register_repairer(repair)
    register_eraser(forget_messages)
