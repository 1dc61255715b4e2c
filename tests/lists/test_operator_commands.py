"""list_lists: an account's lists with their ids, for import_subscribers --list."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from tests.helpers import ApiClient as ApiClientFor
from tests.subscribers.builders import create_list, subscribed


def test_list_lists_shows_ids_names_and_members(api, owner, other):
    news = create_list(api, "News")
    promo = create_list(api, "Promo")
    subscribed(api, news, "ann@example.com")
    create_list(ApiClientFor(other), "Not mine")
    out = StringIO()
    call_command("list_lists", owner.name, stdout=out)
    lines = out.getvalue().strip().splitlines()
    assert lines[1].split()[:3] == [str(news), "1", "News"]
    assert lines[2].split()[:3] == [str(promo), "0", "Promo"]
    assert "Not mine" not in out.getvalue()


def test_list_lists_of_an_unknown_account_is_one_clear_error(db):
    with pytest.raises(CommandError, match=r"no account nobody@example\.com"):
        call_command("list_lists", "nobody@example.com", stdout=StringIO())
