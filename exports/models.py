from django.db import models

EXPORT = "export"  # the task kind (exports.kinds)
SUBSCRIBERS = "subscribers"
CAMPAIGN_REPORT = "campaign-report"
KINDS = (SUBSCRIBERS, CAMPAIGN_REPORT)
CSV = "csv"
XLSX = "xlsx"
FORMATS = (CSV, XLSX)
RESULT_KEYS = ("rows", "bytes")  # a task's result: rows written, and the file's size once whole
CONTENT_TYPES = {
    CSV: "text/csv; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class ExportPiece(models.Model):
    """A piece of an export task's file, in the database: any worker writes it, any app server reads it.

    ``rows`` pieces are the CSV of one chunk each (seq 0: the header row), committed in the transaction that
    moves the task's checkpoint, so a worker that dies mid-export leaves whole chunks only and the next run
    goes on after the last one's key (``after``). A CSV export's file is its ``rows`` pieces in order; an XLSX
    export's is its ``file`` pieces, the workbook written from the ``rows`` pieces once they are all there
    (which then go). The sweeper deletes them EXPORT_RETENTION_SECONDS after the task ends; a canceled task's
    go at once.
    """

    ROWS = "rows"
    FILE = "file"

    task = models.ForeignKey("tasks.Task", on_delete=models.CASCADE, related_name="+", db_index=False)
    part = models.CharField(max_length=4)
    seq = models.PositiveIntegerField()
    rows = models.PositiveIntegerField(default=0)
    after = models.BigIntegerField(default=0)
    data = models.BinaryField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["task", "part", "seq"], name="export_piece_unique")]
        ordering = ["task", "part", "seq"]
