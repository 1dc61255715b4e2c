"""Task callbacks: POST the task, signed, to a URL that must not point inside our network.

The address check runs when the import is submitted and again at each delivery, and
the connection goes to the very address that was checked (no DNS rebinding).
"""

import hashlib
import hmac
import http.client
import ipaddress
import json
import logging
import socket
import ssl
import time
from urllib.parse import urlsplit

from django.conf import settings

from api.problems import ApiProblem
from tasks.models import Task
from tasks.problems import CALLBACK_REFUSED
from tasks.representations import task_detail

logger = logging.getLogger("tasks")


class CallbackRefused(ValueError):
    pass


def _split(url: str):
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise CallbackRefused("the callback must be an http or https URL with a host")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts, port


def _allowed(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return settings.CALLBACK_ALLOW_PRIVATE_ADDRESSES or ip.is_global


def resolve_checked(url: str) -> tuple[str, int]:
    """The (address, port) to connect to; CallbackRefused for a forbidden or unresolvable host."""
    parts, port = _split(url)
    try:
        infos = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except socket.gaierror:
        raise CallbackRefused(f"the host {parts.hostname} does not resolve") from None
    addresses = [info[4][0] for info in infos]
    refused = [a for a in addresses if not _allowed(a)]
    if refused:
        raise CallbackRefused(f"the host {parts.hostname} resolves to a private or reserved address ({refused[0]})")
    return addresses[0], port


def callback_check(url: str) -> None:
    """At submission: refuse a URL whose host resolves to a forbidden address (400)."""
    try:
        _split(url)
        resolve_checked(url)
    except CallbackRefused as exc:
        if "does not resolve" in str(exc):
            return  # nothing proves it private; delivery checks again
        raise ApiProblem(
            CALLBACK_REFUSED, f"Callback refused: {exc}.", errors=[{"field": "callback", "detail": str(exc)}]
        ) from None


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _post(url: str, body: bytes, headers: dict) -> int:
    parts, _ = _split(url)
    address, port = resolve_checked(url)
    timeout = settings.CALLBACK_TIMEOUT_SECONDS
    # Connect to the checked address ourselves; TLS still verifies the host name.
    conn = http.client.HTTPConnection(parts.hostname, port, timeout=timeout)
    sock = socket.create_connection((address, port), timeout=timeout)
    if parts.scheme == "https":
        sock = ssl.create_default_context().wrap_socket(sock, server_hostname=parts.hostname)
    conn.sock = sock
    try:
        path = parts.path or "/"
        conn.request("POST", f"{path}?{parts.query}" if parts.query else path, body=body, headers=headers)
        return conn.getresponse().status
    finally:
        conn.close()


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
            status = _post(task.callback_url, body, headers)
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
