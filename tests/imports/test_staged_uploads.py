"""The back office's staged uploads (imports.services.import_stage…): a file previewed as the import would read it,
queued once when its uploader starts it, gone when canceled or expired, invisible to anyone else."""

from datetime import timedelta

import django_rq
import pytest
from django.test import TestCase
from django.utils import timezone

from api.problems import ApiProblem
from imports.models import ImportTask, StagedImport
from imports.selectors import import_staged_get, imports_staged_pending
from imports.services import import_stage, import_staged_cancel, import_staged_start, imports_staged_expire
from lists.models import MailingList
from tasks.models import SourceChunk
from tasks.sweeper import recover_round
from tests.helpers import assert_problem
from tests.subscribers.builders import create_field, create_list
from tests.tasks.builders import csv_bytes, post_import, xls_bytes, xlsx_bytes

GOOD = csv_bytes([["email", "firstName", "income"], ["ann@example.com", "Ann", "10"], ["nope", "Bob", "20"]])
UNKNOWN = csv_bytes([["email", "firstName", "shoeSize"], ["ann@example.com", "Ann", "42"]])


@pytest.fixture
def news(api):
    create_field(api, "income", "number")
    return MailingList.objects.get(pk=create_list(api, "News"))


def stage(news, user, data=GOOD, fmt="csv", name="people.csv"):
    return import_stage(mailing_list=news, user=user, fmt=fmt, file_name=name, data=data)


def test_the_preview_maps_each_column_and_reads_the_first_rows_as_the_import_does(news, admin_user):
    preview = stage(news, admin_user).preview
    assert preview["problems"] == [] and preview["total"] == 2
    assert [(c["name"], c["email"], c["field"], c["type"]) for c in preview["columns"]] == [
        ("email", True, None, None),
        ("firstName", False, "firstName", "string"),
        ("income", False, "income", "number"),
    ]
    assert preview["rows"][0] == {"number": 2, "cells": ["ann@example.com", "Ann", "10"], "refused": None}
    assert preview["rows"][1]["refused"].startswith("emailAddress ")  # the error report's words, before any import


def test_a_column_the_api_refuses_is_shown_in_the_apis_words_and_cannot_be_started(api, news, admin_user, queues):
    staged = stage(news, admin_user, UNKNOWN)
    answer = assert_problem(post_import(api, news.pk, UNKNOWN, "text/csv"), 400)["detail"]
    assert staged.preview["problems"] == [answer]  # word for word what the API answers
    assert staged.preview["columns"][2]["problem"] == answer and staged.preview["columns"][2]["field"] is None
    assert staged.preview["rows"][0]["cells"] == ["ann@example.com", "Ann", "42"]  # the rows still show
    with pytest.raises(ApiProblem) as refused:
        import_staged_start(staged_id=staged.pk, user=admin_user)
    assert refused.value.problem_detail == answer
    assert not ImportTask.objects.exists() and StagedImport.objects.filter(pk=staged.pk).exists()


def test_every_header_problem_is_listed_the_apis_answer_first(news, admin_user):
    data = csv_bytes([["mail", "", "firstName", "firstName"], ["a@example.com", "x", "A", "B"]])
    problems = stage(news, admin_user, data).preview["problems"]
    assert problems == [
        "The first row must name the email column ('email' or 'emailAddress').",
        "Column 'mail' is not a field of the account; create the field first or remove the column.",
        "Column 2 has no name in the first row.",
        "Column 'firstName' appears twice.",
    ]


def test_an_unreadable_file_shows_its_problem_and_no_rows(news, admin_user):
    preview = stage(news, admin_user, b"PK\x03\x04 not a workbook", fmt="xlsx", name="x.xlsx").preview
    assert preview["problems"] == ["The XLSX workbook is corrupt (not a readable zip archive)."]
    assert preview["columns"] == [] and preview["rows"] == []


@pytest.mark.parametrize("fmt, build", [("xlsx", xlsx_bytes), ("xls", xls_bytes)])
def test_a_workbook_is_previewed_like_a_csv(news, admin_user, fmt, build):
    data = build([["emailAddress", "income"], ["a@example.com", 52000], ["", ""], ["b@example.com", "x"]])
    preview = stage(news, admin_user, data, fmt=fmt, name=f"people.{fmt}").preview
    assert preview["total"] == 2 and [row["number"] for row in preview["rows"]] == [2, 4]  # the empty row skipped
    assert preview["rows"][0]["cells"] == ["a@example.com", 52000] and preview["rows"][1]["refused"]


def test_starting_queues_exactly_one_import_and_deletes_the_staged_file(news, admin_user, queues):
    staged = stage(news, admin_user)
    with TestCase.captureOnCommitCallbacks(execute=True):
        task = import_staged_start(staged_id=staged.pk, user=admin_user)
    with pytest.raises(ApiProblem) as again:  # a second click: nothing more is queued
        import_staged_start(staged_id=staged.pk, user=admin_user)
    assert again.value.status_code == 404
    assert list(ImportTask.objects.values_list("pk", "list_id", "total")) == [(task.pk, news.pk, 2)]
    assert len(django_rq.get_queue("imports").get_job_ids()) == 1
    assert SourceChunk.objects.filter(task=task).exists() and not StagedImport.objects.exists()


def test_canceling_deletes_the_staged_file(news, admin_user):
    staged = stage(news, admin_user)
    import_staged_cancel(staged_id=staged.pk, user=admin_user)
    assert not StagedImport.objects.exists()
    with pytest.raises(ApiProblem):
        import_staged_start(staged_id=staged.pk, user=admin_user)
    assert not ImportTask.objects.exists()


def test_another_user_can_neither_see_start_nor_cancel_it(news, admin_user, django_user_model):
    someone = django_user_model.objects.create_superuser("someone", "someone@example.com", "pw")
    staged = stage(news, admin_user)
    for attempt in (import_staged_get, import_staged_start, import_staged_cancel):
        with pytest.raises(ApiProblem) as refused:
            attempt(staged_id=staged.pk, user=someone)
        assert refused.value.status_code == 404  # as if it did not exist
    assert StagedImport.objects.filter(pk=staged.pk).exists() and not ImportTask.objects.exists()


def test_an_abandoned_upload_expires_and_is_deleted_by_the_sweeper_or_the_next_upload(news, admin_user, settings):
    old, older = stage(news, admin_user), stage(news, admin_user)
    StagedImport.objects.filter(pk__in=[old.pk, older.pk]).update(expires_at=timezone.now() - timedelta(seconds=1))
    with pytest.raises(ApiProblem):  # past its expiry it cannot be used, deleted or not
        import_staged_start(staged_id=old.pk, user=admin_user)
    assert imports_staged_pending()  # the sweeper keeps running while any is staged
    recover_round()  # the sweeper's round
    assert not StagedImport.objects.exists() and not imports_staged_pending()

    abandoned = stage(news, admin_user)
    StagedImport.objects.filter(pk=abandoned.pk).update(expires_at=timezone.now())
    fresh = stage(news, admin_user)  # the next upload deletes what expired
    assert list(StagedImport.objects.values_list("pk", flat=True)) == [fresh.pk]
    kept = fresh.expires_at - fresh.created_at
    assert abs(kept - timedelta(seconds=settings.IMPORT_STAGED_SECONDS)) < timedelta(seconds=1)
    assert imports_staged_expire() == 0


def test_staging_arms_the_sweeper(news, admin_user, queues):
    with TestCase.captureOnCommitCallbacks(execute=True):
        stage(news, admin_user)
    assert django_rq.get_queue("default").scheduled_job_registry.get_job_ids()  # it will delete the file if need be


def test_a_workbook_too_big_to_read_before_the_import_says_so_and_can_be_started(news, admin_user, settings, queues):
    settings.IMPORT_CHECK_BYTES = 0  # as the API: the job reads it whole
    data = xlsx_bytes([["email"], ["a@example.com"]])
    staged = stage(news, admin_user, data, fmt="xlsx", name="big.xlsx")
    assert staged.preview["problems"] == [] and staged.preview["total"] is None
    assert "checked when it runs" in staged.preview["note"]
    with TestCase.captureOnCommitCallbacks(execute=True):
        task = import_staged_start(staged_id=staged.pk, user=admin_user)
    assert ImportTask.objects.get(pk=task.pk).source_options == {}  # left to the job, as the API leaves it
