"""Two clients holding one ETag write at the same moment: exactly one wins, the other gets the 412 (the comparison
and the write of a conditional request are serialised per resource, across connections)."""

import threading

import pytest
from django.db import connection

from tests.factories import make_account
from tests.helpers import ApiClient
from tests.subscribers.builders import Paths, create_list, subscribed

pytestmark = pytest.mark.django_db(transaction=True)
WRITERS = 6


def test_of_writers_holding_one_tag_exactly_one_wins():
    api = ApiClient(make_account("racer@example.com"))
    list_id = create_list(api, "Newsletter")
    md5 = subscribed(api, list_id, "john.smith@example.com")
    path = Paths(api.owner).subscriber(md5)
    etag = api.get(path)["ETag"]
    start, statuses = threading.Barrier(WRITERS), []

    def write(number: int) -> None:
        client = ApiClient(api.owner)
        body = {
            "emailAddress": "john.smith@example.com",
            "status": "active",
            "belongsToLists": [list_id],
            "fields": [{"fieldName": "firstName", "value": f"Writer {number}"}],
        }
        start.wait()
        try:
            statuses.append(client.put(path, body, HTTP_IF_MATCH=etag).status_code)
        finally:
            connection.close()  # each thread's own connection

    threads = [threading.Thread(target=write, args=(number,)) for number in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(statuses) == [200] + [412] * (WRITERS - 1)
    winner = api.get(path).json()["fields"][0]["value"]
    assert winner.startswith("Writer ")
