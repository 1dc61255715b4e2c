"""Which SMTP server a send goes through: several may be configured (EMAIL_TRANSPORTS), with weights and limits;
or the email service provider of EMAIL_PROVIDER (campaigns/provider.py), a server of its own with its limits.

A campaign sender sends each batch through one server, chosen by smooth weighted round robin (nginx's: over
any run of batches each server gets its weight's share, to within one batch), so the lanes of a batch share
one server and a fault stops only that batch (its messages not yet sent go back to the queue, none is sent
twice, the one whose data may have arrived stays ``unknown``) while the next batch goes to another server.
Single emails choose at random by weight.

A server that faults (refused or dropped connection, a timeout, a 4xx greeting, our sender or login refused)
is **set aside** for SMTP_SERVER_COOLDOWN_SECONDS: a Redis key with that expiry, so every worker skips it
(without Redis, in this process). When every server is set aside, the sender waits as it always did after a
fault, then tries the one whose cool-down ends first. With a single server nothing is ever set aside: the
sender's own backoff after a fault is all there is, as before.
"""

import logging
import random
import time
from dataclasses import dataclass

from django.conf import settings
from redis.exceptions import RedisError

from api.redis_client import redis_client
from campaigns import throttle
from campaigns.file_transport import FileTransport
from campaigns.provider import ProviderTransport
from campaigns.transport import SmtpTransport

logger = logging.getLogger("campaigns")
ASIDE = "emailapi:smtp-aside:"
_local_aside: dict[str, float] = {}  # name → time.monotonic() when it may be tried again (no Redis)


@dataclass(frozen=True)
class Server:
    name: str
    host: str = ""
    port: int = 25
    username: str = ""
    password: str = ""
    use_tls: bool = False
    use_ssl: bool = False
    weight: int = 1
    per_second: int = 0
    per_hour: int = 0
    provider: str = ""  # an email service provider's API (EMAIL_PROVIDER) instead of an SMTP server

    @property
    def limits(self) -> tuple:
        return throttle.server_limits(self.name, self.per_second, self.per_hour)

    def open(self, connections: int = 1):
        if self.provider:
            return ProviderTransport(
                provider=self.provider, connections=connections, timeout=getattr(settings, "EMAIL_TIMEOUT", None) or 30
            )
        if not self.host:
            return FileTransport(settings.EMAIL_FILE_PATH)
        return SmtpTransport(
            host=self.host,
            port=self.port,
            username=self.username,
            password=self.password,
            use_tls=self.use_tls,
            use_ssl=self.use_ssl,
            timeout=getattr(settings, "EMAIL_TIMEOUT", None) or 30,
            connections=connections,
        )


def configured() -> list[Server]:
    """The provider of EMAIL_PROVIDER; else EMAIL_TRANSPORTS; else the one server of EMAIL_HOST (read now: tests point
    it at their own); else files."""
    if settings.EMAIL_PROVIDER != "smtp":
        return [
            Server(
                name=f"provider-{settings.EMAIL_PROVIDER}",
                provider=settings.EMAIL_PROVIDER,
                per_second=settings.EMAIL_PROVIDER_PER_SECOND,
                per_hour=settings.EMAIL_PROVIDER_PER_HOUR,
            )
        ]
    if settings.EMAIL_TRANSPORTS:
        return [Server(**server) for server in settings.EMAIL_TRANSPORTS]
    if settings.EMAIL_HOST:
        return [
            Server(
                name="default",
                host=settings.EMAIL_HOST,
                port=settings.EMAIL_PORT,
                username=settings.EMAIL_HOST_USER,
                password=settings.EMAIL_HOST_PASSWORD,
                use_tls=settings.EMAIL_USE_TLS,
                use_ssl=getattr(settings, "EMAIL_USE_SSL", False),
            )
        ]
    return [Server(name="files")]


def signed_here() -> bool:
    """Whether messages get this server's DKIM signature (domains/): not through a provider, which signs them."""
    return settings.EMAIL_PROVIDER == "smtp"


def set_aside(server: Server, servers: list[Server]) -> None:
    """Every worker skips ``server`` for the cool-down (nothing to do when it is the only one)."""
    if len(servers) < 2:
        return
    seconds = settings.SMTP_SERVER_COOLDOWN_SECONDS
    logger.warning("SMTP server %s faulted: set aside for %s s", server.name, seconds)
    _local_aside[server.name] = time.monotonic() + seconds
    client = redis_client()
    if client is not None:
        try:
            client.set(ASIDE + server.name, 1, ex=seconds)
        except RedisError as exc:
            logger.warning("SMTP server %s set aside in this process only (%s)", server.name, exc)


def aside(servers: list[Server]) -> set[str]:
    """The names of the servers set aside now (one MGET; without Redis, or when it fails, this process's view)."""
    if len(servers) < 2:
        return set()
    now = time.monotonic()
    names = {name for name, until in _local_aside.items() if until > now}
    client = redis_client()
    if client is not None:
        try:
            flags = client.mget([ASIDE + server.name for server in servers])
            names |= {server.name for server, flag in zip(servers, flags, strict=True) if flag}
        except RedisError:
            pass
    return names


def first_back(servers: list[Server]) -> Server:
    """When all are set aside: the one this process set aside first (its cool-down ends first)."""
    return min(servers, key=lambda server: _local_aside.get(server.name, 0.0))


def pick(servers: list[Server]) -> Server:
    """A server at random by weight, among those not set aside (single emails, test sends)."""
    if len(servers) == 1:
        return servers[0]
    skipped = aside(servers)
    available = [server for server in servers if server.name not in skipped]
    if not available:
        return first_back(servers)
    return random.choices(available, weights=[server.weight for server in available])[0]


class Router:
    """A campaign sender's servers: one transport (its lanes) per server, opened when first used, and the
    smooth weighted round robin that gives each batch its server."""

    def __init__(self, *, connections: int):
        self.servers = configured()
        self.connections = connections
        self.transports: dict[str, object] = {}
        self.current = dict.fromkeys((server.name for server in self.servers), 0)

    def choose(self, *, probe: bool = False) -> Server | None:
        """The next batch's server; None when every server is set aside (``probe``: the first to come back)."""
        if len(self.servers) == 1:
            return self.servers[0]
        skipped = aside(self.servers)
        available = [server for server in self.servers if server.name not in skipped]
        if not available:
            return first_back(self.servers) if probe else None
        total = sum(server.weight for server in available)
        for server in available:
            self.current[server.name] += server.weight
        chosen = max(available, key=lambda server: self.current[server.name])
        self.current[chosen.name] -= total
        return chosen

    def others_available(self, server: Server) -> bool:
        """Whether a server other than ``server`` is not set aside now."""
        skipped = aside(self.servers) | {server.name}
        return any(other.name not in skipped for other in self.servers)

    def transport(self, server: Server):
        transport = self.transports.get(server.name)
        if transport is None:
            connections = settings.EMAIL_PROVIDER_CONNECTIONS if server.provider else self.connections
            transport = self.transports[server.name] = server.open(connections)
        return transport

    def fault(self, server: Server) -> None:
        set_aside(server, self.servers)

    def close(self) -> None:
        for transport in self.transports.values():
            transport.close()
        self.transports.clear()
