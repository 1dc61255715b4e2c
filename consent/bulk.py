"""An import's confirmations: the pending consents it left without an email get theirs, in batches claimed past
other senders (``FOR UPDATE SKIP LOCKED``: the jobs of several chunks share the work), one transaction each."""

from django.db import transaction

from api.problems import ApiProblem
from consent.sending import confirmation_send
from subscribers.consents import consent_sent, consents_due_claim

DUE_BATCH = 200  # confirmations queued per transaction


def confirmations_send_due(*, list_id: int | None) -> int:
    """Queue the confirmation of every pending consent that has none yet (of ``list_id``, or all), in batches
    claimed past other senders; how many. One that cannot be sent (its address was suppressed meanwhile) is
    marked sent all the same: it lapses with the others."""
    queued = 0
    while True:
        with transaction.atomic():
            batch = consents_due_claim(list_id=list_id, limit=DUE_BATCH)
            for consent in batch:
                try:
                    with transaction.atomic():
                        confirmation_send(consent)
                        queued += 1
                except ApiProblem:
                    consent_sent(consent=consent)
        if len(batch) < DUE_BATCH:
            return queued
