"""What the fault tests do to the private stack, and what they check after: an import and a campaign send."""

from collections import Counter
from contextlib import contextmanager

from tests.campaigns.workers import Server, campaign_body, deliveries
from tests.faults.services import Http, Stack, wait_for
from tests.tasks.builders import import_done

DISTINCT, DUPLICATES, INVALID = 20_000, 200, 100
TOTAL = DISTINCT + DUPLICATES + INVALID
IMPORT_ENV = {"IMPORT_CHUNK_SIZE": 1000, "IMPORT_CHUNK_DELAY_MS": 150}


def path_id(location: str) -> int:
    return int(location.rstrip("/").rsplit("/", 1)[1])


def create_list(http: Http, account: str, name: str) -> int:
    return path_id(http.post(f"/accounts/{account}/lists", {"name": name}, expect=201)["__location"])


def get_task(http: Http, account: str, task_id: int) -> dict:
    return http.get(f"/accounts/{account}/tasks/{task_id}")


def import_items() -> tuple[list[dict], dict]:
    """20,300 items: 20,000 distinct addresses, 200 later repeats (other case, other name), 100 invalid."""
    items, expected = [], {}
    for i in range(DISTINCT):
        items.append({"emailAddress": f"i{i}@example.com", "fields": [{"fieldName": "firstName", "value": f"N{i}"}]})
        expected[f"i{i}@example.com"] = {"firstName": f"N{i}"}
        if i % 100 == 50:
            items.append(
                {"emailAddress": f"I{i - 7}@Example.COM", "fields": [{"fieldName": "firstName", "value": "again"}]}
            )
        if i % 200 == 150:
            items.append({"emailAddress": f"not-an-address-{i}"})
    assert len(items) == TOTAL
    return items, expected


def start_import(stack: Stack, http: Http, account: str) -> tuple[int, int, dict]:
    """The list, the import task (submitted) and the subscribers it must leave."""
    list_id = create_list(http, account, "Imported")
    items, expected = import_items()
    task_id = path_id(
        http.post(f"/accounts/{account}/lists/{list_id}/subscribers/import", {"items": items}, expect=202)["__location"]
    )
    return list_id, task_id, expected


def begin_import(stack: Stack, account: str) -> tuple[Http, int, int, dict]:
    """One import worker, then the import submitted for ``account``: its client, list, task and expected rows."""
    http = stack.account(account)
    stack.start_worker(**IMPORT_ENV)
    return http, *start_import(stack, http, account)


def task_processed(stack: Stack, task_id: int) -> int:
    return stack.postgres.value("SELECT processed FROM tasks_task WHERE id = %s", [task_id])


def wait_mid_import(stack: Stack, task_id: int) -> int:
    """Until a quarter of the rows have committed (whole chunks), but not all; what has."""
    processed = wait_for(
        lambda: task_processed(stack, task_id) >= TOTAL // 4 and task_processed(stack, task_id),
        "a quarter of the import",
        logs=stack.logs,
    )
    assert processed < TOTAL, "the import ended before the fault: nothing was interrupted"
    return processed


def wait_task_done(stack: Stack, task_id: int, timeout: float = 90) -> None:
    wait_for(
        lambda: stack.postgres.value("SELECT status FROM tasks_task WHERE id = %s", [task_id]) == "done",
        f"task {task_id} to be done",
        timeout=timeout,
        logs=stack.logs,
    )


def assert_imported_once(stack: Stack, http: Http, account: str, list_id: int, task_id: int, expected: dict) -> None:
    """Done, every row counted once, every subscriber and membership there once, counters exact."""
    body = get_task(http, account, task_id)
    assert body["status"] == "done", body
    progress, result = import_done(DISTINCT, DUPLICATES, INVALID)
    assert body["progress"] == progress, body["progress"]
    assert body["result"] == result, body["result"]
    assert body["errorsCount"] == INVALID
    db = stack.postgres
    assert db.value("SELECT count(*) FROM tasks_taskerror WHERE task_id = %s", [task_id]) == INVALID
    account_id = db.value("SELECT id FROM accounts_account WHERE name = %s", [account])
    subscribers = dict(
        db.rows(
            "SELECT email, fields FROM subscribers_subscriber WHERE account_id = %s AND email LIKE 'i%%'", [account_id]
        )
    )
    assert len(subscribers) == DISTINCT and subscribers == expected  # none lost; first occurrences' values
    memberships = db.rows(
        "SELECT subscriber_id, count(*) FROM subscribers_membership WHERE list_id = %s GROUP BY subscriber_id",
        [list_id],
    )
    assert len(memberships) == DISTINCT and {count for _, count in memberships} == {1}
    listed = http.get(f"/accounts/{account}/lists/{list_id}")
    assert listed["subscribersQuantity"] == DISTINCT, listed
    collection = http.get(f"/accounts/{account}/subscribers?status=active")  # the counter, against a recount
    assert collection["itemsCount"] == db.value(
        "SELECT count(*) FROM subscribers_subscriber WHERE account_id = %s AND status = 'active'", [account_id]
    ), collection["itemsCount"]


# --- Campaigns -----------------------------------------------------------------------------------

RECIPIENTS, BATCH, SENDERS = 2000, 50, 2
SEND_ENV = {
    "CAMPAIGN_BATCH_SIZE": BATCH,
    "CAMPAIGN_BATCH_DELAY_MS": 100,
    "CAMPAIGN_SENDERS": SENDERS,
    "IMPORT_CHUNK_SIZE": 1000,
    "SEND_RETRY_BACKOFF_SECONDS": 1,
}


def audience(stack: Stack, http: Http, account: str, count: int, prefix: str = "r") -> tuple[int, list[str]]:
    """A list of ``count`` active subscribers, imported (the workers must be running)."""
    list_id = create_list(http, account, "News")
    emails = [f"{prefix}{i}@example.com" for i in range(count)]
    task_id = path_id(
        http.post(
            f"/accounts/{account}/lists/{list_id}/subscribers/import",
            {"items": [{"emailAddress": address} for address in emails]},
            expect=202,
        )["__location"]
    )
    wait_task_done(stack, task_id)
    return list_id, emails


@contextmanager
def campaign_senders(stack: Stack, **env):
    """An SMTP server and SENDERS workers sending to it (SEND_ENV, ``env`` over it); the server stopped after."""
    smtp = Server()
    try:
        for _ in range(SENDERS):
            stack.start_worker(EMAIL_HOST="127.0.0.1", EMAIL_PORT=smtp.port, **{**SEND_ENV, **env})
        yield smtp
    finally:
        smtp.stop()


def start_campaign(http: Http, account: str, list_id: int) -> int:
    campaign_id = path_id(
        http.post(f"/accounts/{account}/campaigns", campaign_body("News", [list_id]), expect=201)["__location"]
    )
    http.post(f"/accounts/{account}/campaigns/{campaign_id}/start")
    return campaign_id


def campaign_status(stack: Stack, campaign_id: int) -> str:
    return stack.postgres.value("SELECT status FROM campaigns_campaign WHERE id = %s", [campaign_id])


def wait_campaign_sent(stack: Stack, campaign_id: int, timeout: float = 90) -> None:
    def state() -> str:
        db = stack.postgres
        messages = db.rows(
            "SELECT status, next_attempt_at IS NOT NULL, count(*) FROM campaigns_message "
            "WHERE campaign_id = %s GROUP BY 1, 2",
            [campaign_id],
        )
        task = db.rows(
            "SELECT t.status, t.heartbeat_at, now() FROM tasks_task t JOIN campaigns_campaign c "
            "ON c.task_id = t.id WHERE c.id = %s",
            [campaign_id],
        )
        return f"messages (status, retry due, count): {messages}\ntask: {task}\n{stack.logs()}"

    wait_for(
        lambda: campaign_status(stack, campaign_id) == "sent",
        f"campaign {campaign_id} to be sent",
        timeout=timeout,
        logs=state,
    )


def wait_delivered(stack: Stack, smtp: Server, count: int = RECIPIENTS // 4) -> None:
    wait_for(lambda: len(smtp.recorder.deliveries) >= count, f"{count} delivered", logs=stack.logs)


def message_statuses(stack: Stack, campaign_id: int) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for address, status in stack.postgres.rows(
        "SELECT to_email, status FROM campaigns_message WHERE campaign_id = %s", [campaign_id]
    ):
        found.setdefault(status, set()).add(address)
    return found


def assert_sent_at_most_once(
    stack: Stack,
    http: Http,
    account: str,
    campaign_id: int,
    emails: list[str],
    delivered: Counter,
    *,
    unknown_bound: int,
) -> dict[str, set[str]]:
    """Nobody got two; everyone is `sent` (delivered once) or `unknown` (in flight at the fault, at most
    ``unknown_bound``, delivered at most once); the task is done and the counters say what the rows say."""
    assert not [address for address, count in delivered.items() if count > 1], delivered.most_common(3)
    assert set(delivered) <= set(emails)
    statuses = message_statuses(stack, campaign_id)
    assert set(statuses) <= {"sent", "unknown"}, {status: len(rows) for status, rows in statuses.items()}
    sent, unknown = statuses.get("sent", set()), statuses.get("unknown", set())
    assert sent | unknown == set(emails) and len(sent) + len(unknown) == len(emails)
    assert len(unknown) <= unknown_bound, (len(unknown), unknown_bound)
    assert all(delivered[address] == 1 for address in sent)
    body = http.get(f"/accounts/{account}/campaigns/{campaign_id}")
    assert body["status"] == "sent", body
    stats = body["stats"]
    assert (stats["recipients"], stats["sent"], stats["unknown"]) == (len(emails), len(sent), len(unknown)), stats
    assert_analytics_agree(stack, campaign_id, statuses)
    task = get_task(http, account, body["taskId"])
    assert task["status"] == "done", task
    assert task["progress"] == {
        "total": len(emails),
        "processed": len(emails),
        "succeeded": len(sent),
        "failed": len(unknown),
        "percent": 100.0,
    }, task["progress"]
    return statuses


def assert_analytics_agree(stack: Stack, campaign_id: int, statuses: dict[str, set[str]]) -> None:
    """The account's daily counters of the campaign say what its messages' rows say."""
    daily = dict(
        stack.postgres.rows(
            "SELECT metric, sum(count) FROM analytics_dailystat WHERE campaign_id = %s GROUP BY metric", [campaign_id]
        )
    )
    counted = {metric: daily.get(metric, 0) for metric in ("sent", "hardBounces", "softBounces")}
    assert counted == {
        "sent": len(statuses.get("sent", ())),
        "hardBounces": len(statuses.get("hard-bounce", ())),
        "softBounces": len(statuses.get("soft-bounce", ())),
    }, (counted, {status: len(rows) for status, rows in statuses.items()})


def assert_resumed_sending(
    stack: Stack, http: Http, account: str, campaign_id: int, emails: list[str], smtp: Server, *, unknown_bound: int
) -> dict[str, set[str]]:
    """The campaign sent once the sweeper requeued its stale task, and nobody got two (assert_sent_at_most_once)."""
    wait_campaign_sent(stack, campaign_id)
    assert "requeued stale tasks" in stack.logs()
    return assert_sent_at_most_once(
        stack, http, account, campaign_id, emails, deliveries(smtp), unknown_bound=unknown_bound
    )
