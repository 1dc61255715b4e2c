from django.db import models

from api.counters import AccountBuckets
from tasks.pieces import PIECE_BYTES


class TaskStatus(models.TextChoices):
    QUEUED = "queued"
    IN_PROGRESS = "in-progress"
    PAUSED = "paused"
    CANCELED = "canceled"
    DONE = "done"
    ERROR = "error"


def no_chunks() -> list:
    return []  # (in Task's body, ``list`` is its list field)


class Task(models.Model):
    """A background job of a registered kind. This row is the truth; the RQ job is only the engine that moves it."""

    account = models.ForeignKey("accounts.Account", on_delete=models.CASCADE, related_name="tasks", db_index=False)
    type = models.CharField(max_length=20, help_text="the task's kind (tasks.registry)")
    status = models.CharField(max_length=12, choices=TaskStatus.choices, default=TaskStatus.QUEUED)
    list = models.ForeignKey("lists.MailingList", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    total = models.PositiveIntegerField(default=0)
    processed = models.PositiveIntegerField(default=0)
    succeeded = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    result = models.JSONField(default=dict, blank=True)
    errors_count = models.PositiveIntegerField(default=0)
    # Work is done in chunks; `checkpoint` counts the source rows whose chunk has committed.
    checkpoint = models.PositiveIntegerField(default=0)
    # Chunks committed beyond the checkpoint while one before them was still being written (an import writes
    # chunks in parallel): [first source row, rows] each, in order. The checkpoint absorbs them as it reaches
    # them; a resumed run skips them.
    ahead = models.JSONField(default=no_chunks, blank=True)
    # The run that owns the task: a worker commits a chunk only while its run id is current.
    run_id = models.UUIDField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(null=True, blank=True)
    # The task's input payload, if it has one (SourceChunk rows, tasks.payload): its format and how to read it.
    source_format = models.CharField(max_length=8, blank=True, default="")
    source_options = models.JSONField(default=dict, blank=True)
    callback_url = models.URLField(max_length=2000, null=True, blank=True)
    callback_status = models.CharField(
        max_length=12, blank=True, default="", help_text="'' (none), pending, delivered or failed"
    )
    callback_attempts = models.PositiveSmallIntegerField(default=0)
    callback_error = models.TextField(blank=True, default="")

    class Meta:
        indexes = [
            models.Index(fields=["account", "id"], name="task_account_id"),
            models.Index(fields=["account", "status", "id"], name="task_account_status_id"),
            models.Index(fields=["status", "heartbeat_at"], name="task_status_heartbeat"),
        ]
        ordering = ["-id"]

    def __str__(self):
        return f"{self.type} task {self.pk} ({self.status})"

    @property
    def percent(self) -> float:
        if not self.total:
            return 100.0 if self.status == TaskStatus.DONE else 0.0
        return round(min(100.0, self.processed * 100 / self.total), 1)


class TaskError(models.Model):
    """A row the task could not process."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="errors", db_index=False)
    row = models.PositiveIntegerField()
    email = models.CharField(max_length=500, blank=True, default="")
    problem = models.CharField(max_length=500)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task", "row"], name="task_error_row_unique")]
        ordering = ["row"]


class TaskCount(AccountBuckets):
    """Tasks of an account per status bucket (each status and 'all'), kept exact."""

    class Meta:
        constraints = [models.UniqueConstraint(fields=["account", "bucket"], name="task_count_unique")]


class SourceChunk(models.Model):
    """A task's input payload (an import's file), stored in pieces before the 202 so any worker can run it."""

    CHUNK_BYTES = PIECE_BYTES  # tasks/pieces.py reads them back

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="source_chunks", db_index=False)
    seq = models.PositiveIntegerField()
    data = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task", "seq"], name="source_chunk_unique")]
