"""Dredd hooks: the data each transaction of apiary.apib needs, created through the ORM.

Run by ``bin/dredd`` (dredd --language python): this process shares the
server's DATABASE_URL, a fresh database created for the run.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import dredd_hooks as hooks  # noqa: E402

from dredd.fixtures import ACCOUNT_NAME, prepare  # noqa: E402

# Transactions of endpoints that later issues add, skipped by name prefix until then.
NOT_YET_IMPLEMENTED = {
    # issue 3: lists, subscribers, fields (and the docs examples that name their rels/models)
    "Lists >": 3, "Subscribers >": 3, "Fields >": 3,
    "Documentation > Relation Type": 3, "Documentation > Model": 3, "Documentation > Problem Type": 3,
    # issue 4: tasks and imports
    "Tasks >": 4,
}

state = {}


@hooks.before_all
def create_account(transactions):
    state["key"] = prepare()


@hooks.before_each
def authenticate_and_skip_unbuilt(transaction):
    if any(transaction["name"].startswith(prefix) for prefix in NOT_YET_IMPLEMENTED):
        transaction["skip"] = True
        return
    transaction["request"]["headers"]["Authorization"] = f"Bearer {state['key']}"
