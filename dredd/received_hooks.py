"""Dredd hooks for the received Blueprint, run as it is (dredd/received.apib, made by dredd/repair_received.py).

Run by ``bin/dredd`` after the run of apiary.apib, against the same server and database. Each transaction
gets the API key and finds the examples' data as the received text shows it; nothing in an expected
response is changed. The one change to a request: the received subscriber URLs carry a placeholder id
(the MD5 of the empty string), replaced by the real id of the subscriber the examples show.
"""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

import dredd_hooks as hooks  # noqa: E402

from dredd.fixtures import prepare, reset_examples, reset_task  # noqa: E402
from dredd.received_fixtures import PLACEHOLDER_MD5, SUBSCRIBER, reset_received  # noqa: E402
from dredd.reporting import reported  # noqa: E402

CREATE_LIST = "Lists > Lists Collection > Create a list"
SUBSCRIBE = "Subscribers > Subscribers of a List > Subscribe to List"

state = {}


@hooks.before_all
def create_account(transactions):
    state["key"] = prepare()


@hooks.before_each
@reported
def authenticate_and_reset(transaction):
    name = transaction["name"]
    transaction["request"]["headers"]["Authorization"] = f"Bearer {state['key']}"
    # A create must find its example absent (the list TestList, the field city, the subscriber of Subscribe).
    reset_examples(absent_lists=("TestList",) if name == CREATE_LIST else ())
    reset_task()
    reset_received(subscribed=name != SUBSCRIBE)
    transaction["fullPath"] = transaction["fullPath"].replace(PLACEHOLDER_MD5, SUBSCRIBER.md5)
    transaction["request"]["uri"] = transaction["request"]["uri"].replace(PLACEHOLDER_MD5, SUBSCRIBER.md5)
