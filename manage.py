#!/usr/bin/env python
import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.conf import settings
    from django.core.management import execute_from_command_line

    from config.startup import explained

    traceback = "--traceback" in sys.argv
    # Settings first: a malformed one is one line whatever the command (Django would print a traceback).
    explained(lambda: settings.INSTALLED_APPS, traceback=traceback)
    explained(execute_from_command_line, sys.argv, traceback=traceback)


if __name__ == "__main__":
    main()
