"""Conditional requests (RFC 9110 §13): one strong ``ETag`` per representation, computed from its bytes.

Reads: ``ConditionalGetMiddleware`` tags every 200 answer to a ``GET`` or ``HEAD`` with a strong ``ETag`` (a
SHA-256 of the body as sent), answers ``If-None-Match`` with ``304 Not Modified`` and no body (a 304 does not
count against the rate limit: ``api.throttling.refund``), and sends ``HEAD`` the headers of the ``GET`` without
its body.

Writes: a ``PUT``, ``DELETE`` or ``POST`` with ``If-Match`` is compared, before anything is written, with the
``ETag`` of the current representation of the resource it acts on: its own ``GET`` when the URL has one (an
item, a collection one posts to), else its parent's (``…/tasks/567/pause`` acts on ``…/tasks/567``). That
representation is made by the same view a client's ``GET`` reaches, so the tags are the ones clients saw. A tag
that no longer matches answers ``412.1-precondition-failed`` and nothing changes. Two conditional writes to one
resource are serialised (a PostgreSQL advisory lock on its path, held from the comparison to the end of the
write), so of two clients holding the same tag exactly one wins and the other gets the 412.
"""

import hashlib
import io
import threading
from contextlib import suppress
from urllib.parse import urlencode

from django.core.handlers.wsgi import WSGIRequest
from django.db import connection
from django.http import HttpResponseNotModified
from django.urls import Resolver404, resolve

from api.problems import PRECONDITION_FAILED, ApiProblem
from api.throttling import refund

SAFE_METHODS = frozenset({"GET", "HEAD"})
CONDITIONAL_WRITES = frozenset({"PUT", "DELETE", "POST", "PATCH"})
# What a 304 repeats of the 200 it stands for (RFC 9110 §15.4.5), plus what clients read on every answer.
NOT_MODIFIED_KEEPS = ("ETag", "Last-Modified", "Cache-Control", "Vary", "Expires", "Content-Location", "Link", "Allow")
_PROBE_DROPS = ("CONTENT_LENGTH", "CONTENT_TYPE", "HTTP_IF_MATCH", "HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")


def etag_of(content: bytes) -> str:
    return '"' + hashlib.sha256(content).hexdigest()[:32] + '"'


def entity_tags(header: str) -> list[tuple[bool, str]] | None:
    """The ``(weak, opaque tag)`` pairs of an ``If-Match``/``If-None-Match`` value; None for ``*``."""
    if header.strip() == "*":
        return None
    tags = []
    for part in header.split(","):
        tag = part.strip()
        weak = tag.startswith("W/")
        if tag:
            tags.append((weak, tag[2:] if weak else tag))
    return tags


def _none_match(header: str, etag: str) -> bool:
    tags = entity_tags(header)
    return tags is None or any(tag == etag for _, tag in tags)  # weak comparison: W/"x" matches "x"


def _match(header: str, etag: str) -> bool:
    tags = entity_tags(header)
    return tags is None or any(not weak and tag == etag for weak, tag in tags)  # strong: a weak tag never matches


class ConditionalGetMiddleware:
    """ETag on every 200 to a GET or HEAD; If-None-Match → 304; HEAD without a body."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.method not in SAFE_METHODS or request.path.startswith("/admin/"):
            return response
        if response.status_code == 200 and not response.streaming:
            if not response.has_header("ETag"):
                response["ETag"] = etag_of(response.content)
            header = request.headers.get("If-None-Match")
            if header is not None and _none_match(header, response["ETag"]):
                return self._not_modified(request, response)
        if request.method == "HEAD" and not response.streaming:
            length = len(response.content)
            response.content = b""
            response["Content-Length"] = str(length)
        return response

    @staticmethod
    def _not_modified(request, response):
        not_modified = HttpResponseNotModified()
        for name in NOT_MODIFIED_KEEPS:
            if response.has_header(name):
                not_modified[name] = response[name]
        refund(request)
        return not_modified


def target_path(view, request) -> str:
    """The resource a write acts on: the URL itself if its view answers GET, else the parent URL."""
    path = request.path
    if hasattr(type(view), "get"):
        return path
    return path.rstrip("/").rsplit("/", 1)[0]


def current_etag(request, path: str) -> str | None:
    """The ETag a client's JSON ``GET path`` would get now, with this request's credentials; None when that
    GET would not answer 200 (then the precondition is not evaluated: the write answers its own 404 or 403)."""
    meta = {key: value for key, value in request.META.items() if key not in _PROBE_DROPS}
    token = request.GET.get("access_token")
    meta.update(
        REQUEST_METHOD="GET",
        PATH_INFO=path,
        SCRIPT_NAME="",
        QUERY_STRING=urlencode({"access_token": token}) if token is not None else "",
        HTTP_ACCEPT="application/json",
    )
    meta["wsgi.input"] = io.BytesIO(b"")
    probe = WSGIRequest(meta)
    probe.precondition_probe = True  # api.throttling counts the request once, not its probe
    try:
        match = resolve(path)
    except Resolver404:
        return None
    response = match.func(probe, *match.args, **match.kwargs)
    if hasattr(response, "render"):
        response.render()
    if response.status_code != 200 or response.streaming:
        return None
    return etag_of(response.content)


class _Lock:
    """Serialises conditional writes to one path: a PostgreSQL session advisory lock (every server process),
    or a process lock on the embedded SQLite default (one process serves it)."""

    _local = threading.Lock()

    def __init__(self, path: str):
        # Case-folded: /accounts/User@Example.com/… and /accounts/user@example.com/… are one resource.
        self.key = int.from_bytes(hashlib.sha256(path.casefold().encode()).digest()[:8], "big", signed=True)
        self.postgres = connection.vendor == "postgresql"

    def acquire(self) -> None:
        if self.postgres:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_lock(%s)", [self.key])
        else:
            self._local.acquire()

    def release(self) -> None:
        if self.postgres:
            with suppress(Exception), connection.cursor() as cursor:  # a lost connection released it already
                cursor.execute("SELECT pg_advisory_unlock(%s)", [self.key])
        else:
            self._local.release()


class PreconditionedWrites:
    """Mixed into the API's base views: ``check_preconditions`` after authentication, the lock released when the
    view has answered."""

    _precondition_lock = None

    def check_preconditions(self, request) -> None:
        header = request.headers.get("If-Match")
        if header is None or request.method not in CONDITIONAL_WRITES or not hasattr(self, request.method.lower()):
            return  # no precondition, or a method the resource does not take (its 405 comes next)
        path = target_path(self, request)
        lock = _Lock(path)
        lock.acquire()
        self._precondition_lock = lock
        etag = current_etag(request._request, path)
        if etag is None:
            return
        if not _match(header, etag):
            raise ApiProblem(
                PRECONDITION_FAILED,
                f"If-Match names {header.strip()[:200]}, but {path} is now {etag}: it changed since you read it. "
                "Nothing was changed.",
                headers={"ETag": etag},
            )

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        finally:
            if self._precondition_lock is not None:
                self._precondition_lock.release()
                self._precondition_lock = None
