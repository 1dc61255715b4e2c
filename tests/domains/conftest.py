import pytest

from tests.campaigns.workers import fresh_redis, smtp_servers  # noqa: F401 (fixtures for this folder's tests)
from tests.domains.dns_server import DnsServer


@pytest.fixture
def dns_server(settings):
    """The loopback DNS server, and the settings pointing verification at it."""
    server = DnsServer().start()
    settings.DNS_NAMESERVERS, settings.DNS_PORT, settings.DNS_TIMEOUT_SECONDS = ["127.0.0.1"], server.port, 2.0
    yield server
    server.stop()


@pytest.fixture
def strict(settings):
    """The production default: a from address must be on a verified domain."""
    settings.ALLOW_UNVERIFIED_SENDERS = False
