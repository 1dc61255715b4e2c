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
