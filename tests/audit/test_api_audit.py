"""Reading the trail on both surfaces: newest first, paged, filtered by actor, action, object and time (a bad
filter is a 400.3 problem), only the account's own entries, with the audit scope; and pruned past its retention."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from audit.models import AuditEntry
from audit.selectors import audit_prune_pending
from tasks.sweeper import recover_round
from tests.helpers import assert_hypermedia, assert_problem, links_by_rel
from tests.keys.builders import client_with
from tests.subscribers.builders import Paths, create_list


def hypermedia(api) -> str:
    return f"/accounts/{api.owner.name}/audit"


V1 = "/api/v1/audit"


@pytest.fixture
def trail(api):
    """Three lists made, the second renamed: four entries, oldest first."""
    ids = [create_list(api, name) for name in ("A", "B", "C")]
    api.put(Paths(api.owner).list(ids[1]), {"name": "B2"})
    return ids


def actions(body) -> list[tuple[str, str]]:
    return [(item["action"], item["objectId"]) for item in body["items"]]


def test_the_trail_newest_first_on_the_hypermedia_surface(api, trail):
    body = assert_hypermedia(api.get(hypermedia(api)), 200, "audit-trail")
    a, b, c = map(str, trail)
    assert actions(body) == [("list.update", b), ("list.create", c), ("list.create", b), ("list.create", a)]
    item = body["items"][0]
    assert item["actor"] == {"kind": "key", "id": api.owner.key[:8], "name": "test"}
    assert item["objectType"] == "list" and item["details"] == {"name": "B2"} and item["requestId"]
    history = links_by_rel(item, "/rels/audit-trail")[0]["href"]
    assert actions(assert_hypermedia(api.get(history), 200, "audit-trail")) == [("list.update", b), ("list.create", b)]


def test_the_account_index_links_the_trail(api):
    index = assert_hypermedia(api.get(f"/accounts/{api.owner.name}"), 200)
    assert links_by_rel(index, "/rels/audit-trail")[0]["href"] == hypermedia(api)


def test_pages(api, trail):
    for name in "DEFG":
        create_list(api, name)
    body = assert_hypermedia(api.get(f"{hypermedia(api)}?per_page=5"), 200, "audit-trail")
    assert (body["itemsCount"], body["pagesCount"], len(body["items"])) == (8, 2, 5)
    second = assert_hypermedia(api.get(links_by_rel(body, "next")[0]["href"]), 200, "audit-trail")
    assert actions(second)[-1] == ("list.create", str(trail[0]))


@pytest.mark.parametrize("surface", ["hypermedia", "v1"])
def test_filters(api, trail, surface):
    path = hypermedia(api) if surface == "hypermedia" else V1
    profile = "audit-trail" if surface == "hypermedia" else "audit-page"

    def found(query: str) -> int:
        body = assert_hypermedia(api.get(f"{path}?{query}"), 200, profile)
        return len(body["items"])

    assert found("action=list.update") == 1
    assert found(f"objectType=list&objectId={trail[1]}") == 2
    assert found(f"actor={api.owner.key[:8]}") == 4
    assert found("actor=someone") == 0
    assert found("actorKind=staff") == 0
    now = timezone.now()
    assert found(f"since={(now - timedelta(minutes=5)).date().isoformat()}") == 4
    assert found(f"until={(now - timedelta(days=1)).date().isoformat()}") == 0
    assert_problem(api.get(f"{path}?actorKind=robot"), 400, "/errors/400.3-invalid-parameter")
    assert_problem(api.get(f"{path}?since=yesterday"), 400, "/errors/400.3-invalid-parameter")
    assert_problem(api.get(f"{path}?who=me"), 400, "/errors/400.3-invalid-parameter")


def test_api_v1_pages_by_offset_and_cursor(api, trail):
    body = assert_hypermedia(api.get(f"{V1}?limit=3&order=desc"), 200, "audit-page")
    assert body["total"] == 4 and actions(body)[0] == ("list.update", str(trail[1]))
    first = assert_hypermedia(api.get(f"{V1}?limit=3&cursor="), 200, "audit-page")
    rest = assert_hypermedia(api.get(links_by_rel(first, "next")[0]["href"]), 200, "audit-page")
    assert [i["auditId"] for i in first["items"] + rest["items"]] == sorted(
        AuditEntry.objects.filter(account=api.owner.account).values_list("id", flat=True)
    )


def test_an_account_reads_only_its_own_trail(api, other, client_for, trail):
    theirs = client_for(other)
    create_list(theirs, "Theirs")
    assert_problem(api.get(f"/accounts/{other.name}/audit"), 403)
    mine = assert_hypermedia(api.get(V1), 200, "audit-page")
    assert mine["total"] == 4 and "Theirs" not in str(mine)
    assert assert_hypermedia(theirs.get(V1), 200, "audit-page")["total"] == 1


def test_the_audit_scope(owner, trail):
    assert client_with(owner, "audit:read").get(V1).status_code == 200
    assert client_with(owner, "read").get(V1).status_code == 200
    refused = assert_problem(client_with(owner, "lists:write").get(V1), 403, "/errors/403.5-missing-scope")
    assert refused["requiredScopes"] == ["audit:read"]


def test_old_entries_are_pruned_by_the_sweeper_and_the_command(api, trail, settings):
    settings.AUDIT_RETENTION_DAYS = 30
    rows = AuditEntry.objects.filter(account=api.owner.account).order_by("id")
    old = [row.pk for row in rows[:2]]
    AuditEntry.objects.filter(pk__in=old).update(at=timezone.now() - timedelta(days=31))
    assert audit_prune_pending()
    recover_round()
    assert not AuditEntry.objects.filter(pk__in=old).exists() and rows.count() == 2
    assert not audit_prune_pending()
    AuditEntry.objects.filter(pk=rows[0].pk).update(at=timezone.now() - timedelta(days=40))
    out = StringIO()
    call_command("prune_audit", stdout=out)
    assert out.getvalue().startswith("1 audit entries") and rows.count() == 1
