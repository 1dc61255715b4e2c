"""Dredd hooks: authenticate every transaction and reset the examples' data before each one.

Run by ``bin/dredd`` (dredd --language python): this process shares the
server's DATABASE_URL, a fresh database created for the run.
"""

import base64
import json
import os
import re
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

import dredd_hooks as hooks  # noqa: E402

from dredd.audit_fixtures import reset_audit  # noqa: E402
from dredd.fixtures import (  # noqa: E402
    CONFIRMATION_EXAMPLE_TOKEN,
    account,
    account as example_account,
    campaign_status,
    confirmation_token,
    import_body,
    name_example_message,
    prepare,
    real_tokens,
    reset_campaigns,
    reset_domains,
    reset_examples,
    reset_exports,
    reset_segments,
    reset_signup_forms,
    reset_task,
    reset_templates,
    reset_test_sends,
)
from dredd.fixtures_webhooks import reset_webhooks  # noqa: E402
from dredd.key_fixtures import raw_key, reset_keys  # noqa: E402
from dredd.providers import MESSAGE_IDS, sns_signed, write_sns_certificate  # noqa: E402
from dredd.reporting import reported  # noqa: E402

# Transactions of endpoints that later issues add, skipped by name prefix until then.
NOT_YET_IMPLEMENTED: dict[str, int] = {}
# Import examples whose body a Blueprint cannot hold (workbooks, a form): the hooks build them.
IMPORT = "Subscribers > Subscribers of a List > Import Subscribers to List > "
BINARY_BODIES = {f"{IMPORT}Example 3": "xls", f"{IMPORT}Example 4": "xlsx", f"{IMPORT}Example 5": "form"}
# The status task 567 needs for each action to be allowed.
TASK_STATUS_BEFORE = {"Tasks > Task > Start a Task": "paused"}
# The status campaign 789 needs for each example (the others find it a ready draft).
CAMPAIGN = "Campaigns > Campaign > "
V1_CAMPAIGN = "Core API > Campaign > "
CAMPAIGN_STATE_BEFORE = {
    f"{CAMPAIGN}Get a Campaign > Example 2": "sending",
    f"{CAMPAIGN}Get a Campaign > Example 3": "absent",
    f"{CAMPAIGN}Edit a Campaign > Example 2": "sending",
    f"{CAMPAIGN}Delete a Campaign > Example 2": "sending",
    f"{CAMPAIGN}Start a Campaign > Example 2": "not-ready",
    f"{CAMPAIGN}Start a Campaign > Example 3": "sent",
    f"{CAMPAIGN}Pause a Campaign > Example 1": "sending",
    f"{CAMPAIGN}Cancel a Campaign": "sending",
    f"{V1_CAMPAIGN}Replace a Campaign > Example 2": "sending",
    f"{V1_CAMPAIGN}Start a Campaign > Example 2": "not-ready",
    f"{V1_CAMPAIGN}Pause a Campaign": "sending",
    f"{V1_CAMPAIGN}Cancel a Campaign > Example 1": "paused",
    f"{CAMPAIGN}Choose the Winner of an A/B Campaign > Example 1": "ab-waiting",
    f"{V1_CAMPAIGN}Choose the Winner of an A/B Campaign > Example 1": "ab-waiting",
}
# Starting the ready draft: the worker sends it (to John, over SMTP) and the hooks wait until it is sent.
CAMPAIGN_SENDS = (f"{CAMPAIGN}Start a Campaign > Example 1", f"{V1_CAMPAIGN}Start a Campaign > Example 1")
SEND_TIMEOUT_SECONDS = 25
# The bounce webhook takes the server's shared secret, not an API key; Example 2 keeps its wrong one.
WEBHOOK = "Core API > Bounce Webhook > Report Bounces and Complaints > "
# The providers' webhooks take the Basic credentials their examples show (bin/dredd sets the server's), or a
# signature: Mailgun's examples carry theirs (made with bin/dredd's signing key), SNS's are signed here but the one
# whose signature must fail.
PROVIDER_WEBHOOK = "Core API > Provider Webhook: "
UNSIGNED_SNS = "Core API > Provider Webhook: Amazon SES > Receive Amazon SES Events > Example 2"
# An Idempotency-Key example needs a first request with that key: the hooks send Example 1's body with it.
SEND_EMAIL = "Core API > Emails > Send an Email > "
KEYED_SENDS = (f"{SEND_EMAIL}Example 3", f"{SEND_EMAIL}Example 4")
# The preview's problem example names a subscriber the account does not have (a Blueprint example cannot
# change the URI's parameters); the test-send examples start from an unused hourly window, but the 429 one
# from a full one.
UNKNOWN_SUBSCRIBER = "Campaigns > Campaign Preview > Preview a Campaign > Example 2"
TEST_SEND_LIMITED = "Campaigns > Campaign Test > Send a Test of a Campaign > Example 3"
# Campaign 789 uses template 901 for the example whose delete is refused.
TEMPLATE_IN_USE = "Templates > Template > Delete a Template > Example 2"
# Webhook 901 is disabled for the example whose redelivery is refused.
WEBHOOK_DISABLED = (
    "Webhooks > Redeliver > Send a Delivery Again > Example 2",
    "Core API > Webhook Redeliver > Send a Delivery Again > Example 2",
)
# Examples made with another key than the hooks' own (dredd/key_fixtures.py): one without the keys scope, one that
# cannot give campaigns:write, an expired one.
KEYS = "API Keys > "
OTHER_KEY = {
    f"{KEYS}API Keys Collection > Get API Keys > Example 2": 61,
    f"{KEYS}API Keys Collection > Create an API Key > Example 4": 63,
    f"{KEYS}API Key > Get an API Key > Example 2": 64,
}
# The already-revoked example revokes key 62 (a Blueprint example cannot change the URI's parameters).
REVOKED_AGAIN = f"{KEYS}Revoke an API Key > Revoke an API Key > Example 2"
# Links of the account index whose endpoints a later issue adds: removed from the expectation.
NOT_YET_LINKED: dict[str, int] = {}

state = {}


@hooks.before_all
def create_account(transactions):
    state["key"] = prepare()
    write_sns_certificate()


@hooks.before_each
@reported
def authenticate_and_reset(transaction):
    name = transaction["name"]
    if any(name.startswith(prefix) for prefix in NOT_YET_IMPLEMENTED):
        transaction["skip"] = True
        return
    if name in BINARY_BODIES:
        set_import_body(transaction, BINARY_BODIES[name])
    if name == f"{WEBHOOK}Example 1":
        transaction["request"]["headers"]["Authorization"] = f"Bearer {os.environ['BOUNCE_WEBHOOK_SECRET']}"
    elif not name.startswith((WEBHOOK, PROVIDER_WEBHOOK)):
        key = raw_key(OTHER_KEY[name]) if name in OTHER_KEY else state["key"]
        transaction["request"]["headers"]["Authorization"] = f"Bearer {key}"
    # A create must find its example absent; everything else finds the examples as shown.
    creates_list = name.startswith("Lists > Lists Collection > Create a list > Example 1")
    reset_examples(absent_lists=("TestList",) if creates_list else ())
    reset_task(TASK_STATUS_BEFORE.get(name, "in-progress"))
    reset_campaigns(CAMPAIGN_STATE_BEFORE.get(name, "draft"))
    reset_test_sends(full=name == TEST_SEND_LIMITED)
    if name == UNKNOWN_SUBSCRIBER:
        name_unknown_subscriber(transaction)
    reset_segments()
    reset_signup_forms()
    reset_domains()
    reset_templates(in_use=name == TEMPLATE_IN_USE)
    reset_exports()
    reset_webhooks(account(), disabled=name in WEBHOOK_DISABLED)
    reset_keys(example_account())
    reset_audit(example_account())  # last: the resets above record nothing (no actor), the examples before did
    if name == REVOKED_AGAIN:
        name_other_key(transaction, 62)
    put_real_token(transaction)
    put_confirmation_token(transaction)
    if name == f"{SEND_EMAIL}Example 1":
        state["send_body"] = transaction["request"]["body"]
    if name in KEYED_SENDS:
        send_first_with_key(transaction)
    if name.startswith(PROVIDER_WEBHOOK):
        prepare_provider_event(transaction)


def prepare_provider_event(transaction):
    """Message 4242 named by the provider's id the example names; an SNS example signed as SNS signs."""
    provider = transaction["request"]["uri"].rstrip("/").rsplit("/", 1)[1]
    name_example_message(MESSAGE_IDS[provider])
    if provider == "amazon_ses" and transaction["name"] != UNSIGNED_SNS:
        transaction["request"]["body"] = sns_signed(transaction["request"]["body"])


def send_first_with_key(transaction):
    """What the example retries: Example 1's body, sent a moment ago with the example's key."""
    headers = transaction["request"]["headers"]
    request = urllib.request.Request(
        f"{os.environ['DREDD_SERVER']}/api/v1/emails/send",
        method="POST",
        data=state["send_body"].encode(),
        headers={
            "Authorization": headers["Authorization"],
            "Content-Type": "application/json",
            "Idempotency-Key": headers["Idempotency-Key"],
        },
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 202, response.status


def name_unknown_subscriber(transaction):
    unknown = "0" * 32
    transaction["fullPath"] = re.sub(r"subscriber=[0-9a-f]{32}", f"subscriber={unknown}", transaction["fullPath"])
    transaction["request"]["uri"] = re.sub(
        r"subscriber=[0-9a-f]{32}", f"subscriber={unknown}", transaction["request"]["uri"]
    )


def name_other_key(transaction, key_id: int):
    for holder, field in ((transaction, "fullPath"), (transaction["request"], "uri")):
        holder[field] = holder[field].replace("/keys/61/", f"/keys/{key_id}/")


def put_confirmation_token(transaction):
    """The double opt-in examples show a placeholder; the server only accepts the pending request's signed link."""
    if CONFIRMATION_EXAMPLE_TOKEN not in transaction["fullPath"]:
        return
    token = confirmation_token()
    transaction["fullPath"] = transaction["fullPath"].replace(CONFIRMATION_EXAMPLE_TOKEN, token)
    transaction["request"]["uri"] = transaction["request"]["uri"].replace(CONFIRMATION_EXAMPLE_TOKEN, token)


def put_real_token(transaction):
    """The examples show placeholder tokens for message 4242 (and its preference page's form value); the server
    only accepts its signed ones."""
    request = transaction["request"]
    for example, real in real_tokens().items():
        transaction["fullPath"] = transaction["fullPath"].replace(example, real)
        request["uri"] = request["uri"].replace(example, real)
        if request.get("body") and request.get("bodyEncoding", "utf-8") != "base64":
            request["body"] = request["body"].replace(example, real)


@hooks.after_each
@reported
def wait_for_sending(transaction):
    """A started campaign is sent by the worker in the background: wait until it is `sent` (the next
    example resets it, and a send that never ends is a failure of this one)."""
    if transaction["name"] not in CAMPAIGN_SENDS or transaction.get("fail") or transaction.get("skip"):
        return
    deadline = time.monotonic() + SEND_TIMEOUT_SECONDS
    while (status := campaign_status()) != "sent":
        if time.monotonic() > deadline:
            transaction["fail"] = f"campaign 789 is still {status} {SEND_TIMEOUT_SECONDS} s after it started"
            return
        time.sleep(0.2)


def set_import_body(transaction, kind):
    body, content_type = import_body(kind)
    transaction["request"]["body"] = base64.b64encode(body).decode()
    transaction["request"]["bodyEncoding"] = "base64"
    transaction["request"]["headers"]["Content-Type"] = content_type


@hooks.before("Indexes > Account Index > Retrieve Account Entry Point")
@reported
def expect_only_built_links(transaction):
    body = json.loads(transaction["expected"]["body"])
    body["_links"] = [item for item in body["_links"] if not set(item["rel"].split()) & set(NOT_YET_LINKED)]
    transaction["expected"]["body"] = json.dumps(body)


@hooks.before("Core API > Contact > Get a Contact > Example 2")
@reported
def send_the_current_etag(transaction):
    """The 304 example names the tag a GET answers now (a hash of the fixture's representation)."""
    request = urllib.request.Request(
        f"{os.environ['DREDD_SERVER']}{transaction['fullPath']}",
        headers={"Authorization": transaction["request"]["headers"]["Authorization"], "Accept": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        transaction["request"]["headers"]["If-None-Match"] = response.headers["ETag"]
