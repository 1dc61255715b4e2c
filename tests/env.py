"""Loaded with ``-p tests.env`` before Django starts: the test environment.

Tests run against PostgreSQL and Redis; the Makefile exports these too, and
the defaults make a bare ``pytest`` do the same.
"""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/emailapi")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/15")
os.environ.setdefault("SECRET_KEY", "test-secret-key-long-enough-for-django-checks-0123456789")
# Tests send from any address (example.com and friends); tests/domains turns the check on where it tests it.
os.environ.setdefault("ALLOW_UNVERIFIED_SENDERS", "true")
# The tests of content compare whole bodies; the footer's own tests turn it on (tests/preferences/test_footer.py).
os.environ.setdefault("CAMPAIGN_FOOTER", "false")
