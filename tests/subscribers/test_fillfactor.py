"""The subscribers table leaves half of each page free on PostgreSQL (migration subscribers 0008): a changed row's
new version then fits on its page as a heap-only tuple, with no index entry written (docs/benchmarks.md)."""

import pytest
from django.db import connection

from tests.helpers import migrated_back_to, postgresql_only


def reloptions() -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE oid = 'subscribers_subscriber'::regclass")
        return cursor.fetchone()[0] or []


def test_the_subscribers_table_has_a_fillfactor_of_50(db):
    postgresql_only("a fillfactor is PostgreSQL's")
    assert "fillfactor=50" in reloptions()


@pytest.mark.django_db(transaction=True)
def test_the_migration_back_resets_the_fillfactor():
    postgresql_only("a fillfactor is PostgreSQL's")
    with migrated_back_to(("subscribers", "0007_member_counts_and_created_days")):
        assert not any(option.startswith("fillfactor=") for option in reloptions())
    assert "fillfactor=50" in reloptions()
