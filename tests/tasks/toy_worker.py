"""`manage.py rqworker`, with the toy kind registered first (the sweeper must know it before any of its jobs
has run): ``python tests/tasks/toy_worker.py QUEUE… [rqworker options]``."""

import os
import sys
from pathlib import Path

if __name__ == "__main__":
    root = Path(__file__).resolve().parents[2]
    sys.path.insert(0, str(root))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    import tests.tasks.toy_kind  # noqa: F401  (registers the kind)

    call_command("rqworker", *sys.argv[1:])
