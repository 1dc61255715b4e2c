"""Task callbacks: POST the task, signed, to a URL that must not point inside our network.

The address check (tasks.addresses) runs when the import is submitted and again at each delivery, and
the connection goes to the very address that was checked (no DNS rebinding). Each attempt ends by
CALLBACK_TIMEOUT_SECONDS, whatever the receiver does (a socket timeout alone bounds each read, not a peer
that drips a byte at a time), and the jobs run on their own queue, so a slow receiver holds only a
callbacks worker, never one that imports or sends.
"""

import hashlib
import hmac
import http.client
import io
import json
import logging
import socket
import ssl
import time
from concurrent.futures import ThreadPoolExecutor, TimeoutError as FuturesTimeout
from time import monotonic  # by name: tests replace this module's `time` to record backoff sleeps
from urllib.parse import urlsplit

from django.conf import settings

from api.problems import ApiProblem
from tasks.addresses import is_public
from tasks.models import Task
from tasks.problems import CALLBACK_REFUSED
from tasks.representations import task_detail

logger = logging.getLogger("tasks")
QUEUE = "callbacks"
SUBMISSION_LOOKUP_SECONDS = 2.0  # how long an import request waits for its callback host's lookup


class CallbackRefused(ValueError):
    pass


class HostUnresolved(CallbackRefused):
    """The host does not resolve (now): nothing proves it private, and a later attempt may find it."""


def _split(url: str):
    try:
        parts = urlsplit(url)
        port = parts.port  # a port that is no number, or out of range, raises here
    except ValueError:
        raise CallbackRefused("the callback is not a valid URL") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CallbackRefused("the callback must be an http or https URL with a host")
    return parts, port or (443 if parts.scheme == "https" else 80)


def _allowed(address: str) -> bool:
    return settings.CALLBACK_ALLOW_PRIVATE_ADDRESSES or is_public(address)


# getaddrinfo cannot be interrupted: it runs on these threads, and the caller stops waiting at its deadline (a
# lookup a slow name server holds finishes in the background, holding one of them).
_resolver = ThreadPoolExecutor(max_workers=4, thread_name_prefix="callback-dns")


def _lookup(host: str, port: int, timeout: float) -> list:
    future = _resolver.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
    try:
        return future.result(timeout=timeout)
    except FuturesTimeout:
        raise TimeoutError(f"the lookup of {host} took more than {timeout:.1f} s") from None


def resolve_checked(url: str, timeout: float | None = None) -> tuple[str, int]:
    """The (address, port) to connect to; CallbackRefused for a forbidden or unresolvable host, TimeoutError when
    the lookup takes longer than ``timeout`` (default CALLBACK_TIMEOUT_SECONDS)."""
    parts, port = _split(url)
    try:
        infos = _lookup(parts.hostname, port, settings.CALLBACK_TIMEOUT_SECONDS if timeout is None else timeout)
    except socket.gaierror:
        raise HostUnresolved(f"the host {parts.hostname} does not resolve") from None
    except UnicodeError:  # a label too long, or empty: no such name can exist
        raise CallbackRefused("the callback's host is not a valid name") from None
    addresses = [info[4][0] for info in infos]
    refused = [a for a in addresses if not _allowed(a)]
    if refused:
        # The client learns only that it is refused: where an internal name points is the server's to know.
        logger.info("callback host %s refused: it resolves to %s", parts.hostname, refused[0])
        raise CallbackRefused("its host resolves to a non-public address")
    return addresses[0], port


def url_refusal(url: str) -> str | None:
    """At submission (a task's callback, a webhook's URL): why the URL is refused (not http(s), or a host that
    resolves to a forbidden address), or None. A host that does not resolve, or not within
    SUBMISSION_LOOKUP_SECONDS, proves nothing private: it is accepted, and each delivery checks again."""
    try:
        _split(url)
        resolve_checked(url, timeout=SUBMISSION_LOOKUP_SECONDS)
    except TimeoutError:
        return None  # a slow name server must not hold the request
    except HostUnresolved:
        return None
    except CallbackRefused as exc:
        return str(exc)
    return None


def callback_check(url: str) -> None:
    """At submission: refuse a URL whose host resolves to a forbidden address (400)."""
    refusal = url_refusal(url)
    if refusal is not None:
        raise ApiProblem(
            CALLBACK_REFUSED, f"Callback refused: {refusal}.", errors=[{"field": "callback", "detail": refusal}]
        )


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _left(deadline: float) -> float:
    left = deadline - monotonic()
    if left <= 0:
        raise TimeoutError("timed out")
    return left


class _DeadlineSocket:
    """The socket of one attempt, as http.client uses it: each send and read gets only the time left."""

    def __init__(self, sock: socket.socket, deadline: float):
        self.sock, self.deadline = sock, deadline

    def sendall(self, data) -> None:
        self.sock.settimeout(_left(self.deadline))
        self.sock.sendall(data)  # its timeout bounds the whole call (Python 3.5+)

    def makefile(self, mode: str = "rb", *args, **kwargs) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineReader(self))

    def close(self) -> None:
        self.sock.close()


class _DeadlineReader(io.RawIOBase):
    def __init__(self, conn: _DeadlineSocket):
        self.conn = conn

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        self.conn.sock.settimeout(_left(self.conn.deadline))
        return self.conn.sock.recv_into(buffer)


def post(url: str, body: bytes, headers: dict, *, timeout: float | None = None) -> int:
    """One POST of ``body`` to ``url``, over by ``timeout`` seconds in all (default CALLBACK_TIMEOUT_SECONDS):
    the lookup, the check of every address it gives (``CallbackRefused``), connect to the checked one, send, read
    the status line and headers. The status is the outcome: the body is not read, a redirect is not followed.
    Task callbacks and outgoing webhooks (webhooks/) go out through it."""
    deadline = monotonic() + (settings.CALLBACK_TIMEOUT_SECONDS if timeout is None else timeout)
    parts, _ = _split(url)
    address, port = resolve_checked(url, timeout=_left(deadline))
    # Connect to the checked address ourselves; TLS still verifies the host name.
    conn = http.client.HTTPConnection(parts.hostname, port)
    sock = socket.create_connection((address, port), timeout=_left(deadline))
    try:
        if parts.scheme == "https":
            sock.settimeout(_left(deadline))  # the handshake's deadline, as a whole
            sock = ssl.create_default_context().wrap_socket(sock, server_hostname=parts.hostname)
        conn.sock = _DeadlineSocket(sock, deadline)
        path = parts.path or "/"
        conn.request("POST", f"{path}?{parts.query}" if parts.query else path, body=body, headers=headers)
        return conn.getresponse().status
    finally:
        conn.close()
        sock.close()  # also when the TLS handshake failed


def deliver_callback(task_id: int) -> None:
    """The job: POST the ended task, retrying with backoff; the outcome is kept on the task."""
    task = Task.objects.select_related("account").get(pk=task_id)
    body = json.dumps(task_detail(task.account.name, task), ensure_ascii=False).encode()
    headers = {
        "Content-Type": "application/json; profile=/schemas/task",
        "User-Agent": "email-marketing-api",
        "X-Signature": sign(task.account.signing_secret, body),
        "X-Task-Id": str(task.pk),
    }
    error = ""
    for attempt in range(1, settings.CALLBACK_ATTEMPTS + 1):
        Task.objects.filter(pk=task_id).update(callback_attempts=attempt)
        try:
            status = post(task.callback_url, body, headers)
            if 200 <= status < 300:
                Task.objects.filter(pk=task_id).update(callback_status="delivered", callback_error="")
                return
            error = f"HTTP {status}"
        except CallbackRefused as exc:
            error = f"refused: {exc}"
            break
        except (OSError, http.client.HTTPException) as exc:
            error = f"{type(exc).__name__}: {exc}"
        if attempt < settings.CALLBACK_ATTEMPTS:
            time.sleep(settings.CALLBACK_BACKOFF_SECONDS * 2 ** (attempt - 1))
    logger.warning("callback of task %s failed: %s", task_id, error)
    Task.objects.filter(pk=task_id).update(callback_status="failed", callback_error=error[:1000])
