import uuid

from django.conf import settings
from django.db import models

from tasks.models import Task

IMPORT = "import"  # the task type (imports/kinds.py registers it)


class ImportTaskManager(models.Manager):
    def get_queryset(self):
        return super().get_queryset().filter(type=IMPORT)


class ImportTask(Task):
    """Import tasks, as the back office shows them (a proxy: the rows are tasks)."""

    objects = ImportTaskManager()

    class Meta:
        proxy = True
        verbose_name = "import"


class StagedImport(models.Model):
    """A file uploaded in the back office and not imported yet: its preview is shown, and the import is queued
    only when the person who uploaded it starts it. It lives in the database (any app server shows it) until
    started, canceled, or past ``expires_at`` (then the sweeper, or the next upload, deletes it)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="+")
    list = models.ForeignKey("lists.MailingList", on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    file_name = models.CharField(max_length=255)
    format = models.CharField(max_length=8)
    size = models.PositiveBigIntegerField()
    data = models.BinaryField()
    preview = models.JSONField(default=dict)  # imports.preview.import_preview
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return f"staged import {self.pk} ({self.file_name})"
