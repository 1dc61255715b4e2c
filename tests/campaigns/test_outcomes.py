"""The one SMTP decision (campaigns/outcomes.py) for its two callers: campaign batches (REQUEUE) and single
emails (RETRY) decide alike but for a server fault and an attempt that was never made."""

from datetime import UTC, datetime, timedelta

import pytest

from campaigns.outcomes import REQUEUE, RETRY, decide
from campaigns.replies import Outcome

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _retries(settings):
    settings.SEND_MAX_ATTEMPTS, settings.SEND_RETRY_BACKOFF_SECONDS = 3, 60


def later(seconds: int) -> datetime:
    return NOW + timedelta(seconds=seconds)


@pytest.mark.parametrize("on_fault", [REQUEUE, RETRY])
@pytest.mark.parametrize(
    "outcome, attempts, expected",
    [
        (Outcome("sent", 250, "2.0.0 Ok"), 1, ("sent", 1, 250, "2.0.0 Ok", NOW, None, "")),
        (Outcome("hard", 550, "5.1.1 No\x00 user"), 2, ("hard-bounce", 2, 550, "5.1.1 No user", None, None, "")),
        (Outcome("failed", None, "not ASCII"), 1, ("failed", 1, None, "not ASCII", None, None, "")),
        (Outcome("unknown", 999, "lost"), 1, ("unknown", 1, None, "lost", None, None, "")),
        (Outcome("soft", 451, "Try later"), 1, ("queued", 1, 451, "Try later", None, later(60), "")),
        (Outcome("soft", 451, "Try later"), 2, ("queued", 2, 451, "Try later", None, later(120), "")),
        (Outcome("soft", 452, "Full"), 3, ("soft-bounce", 3, 452, "Full", None, None, "")),
    ],
)
def test_both_callers_decide_alike_on_what_the_recipients_server_said(on_fault, outcome, attempts, expected):
    assert tuple(decide(outcome, attempts=attempts, now=NOW, on_fault=on_fault)) == expected


def test_a_campaign_batch_requeues_a_fault_and_an_unattempted_row_uncounted_without_backoff():
    assert decide(None, attempts=2, now=NOW, on_fault=REQUEUE) == ("queued", 1, None, "", None, None, "")
    for attempts in (1, 3):  # the last attempt too: the sender waits the fault out, then claims it again
        fault = decide(Outcome("fault", 421, "Closing"), attempts=attempts, now=NOW, on_fault=REQUEUE)
        assert fault == ("queued", attempts - 1, None, "Closing", None, None, "")


def test_a_single_email_retries_a_fault_with_backoff_then_fails():
    fault = Outcome("fault", 421, "Closing")
    assert decide(fault, attempts=1, now=NOW, on_fault=RETRY) == ("queued", 1, 421, "Closing", None, later(60), "")
    assert decide(fault, attempts=3, now=NOW, on_fault=RETRY) == ("failed", 3, 421, "Closing", None, None, "")


def test_a_providers_id_of_the_message_is_kept_with_its_final_status():
    accepted = Outcome("sent", None, "accepted by Postmark", "2706ee8a-737c-4285-b032-ccd317af53ed")
    decision = decide(accepted, attempts=1, now=NOW, on_fault=REQUEUE)
    assert (decision.status, decision.sent_at, decision.provider_id) == ("sent", NOW, accepted.provider_id)
    lost = Outcome("unknown", None, "answer lost", "")
    assert decide(lost, attempts=1, now=NOW, on_fault=RETRY).provider_id == ""


def test_an_unknown_fault_policy_is_refused():
    with pytest.raises(ValueError, match="on_fault must be"):
        decide(Outcome("sent", 250, "Ok"), attempts=1, now=NOW, on_fault="ignore")
