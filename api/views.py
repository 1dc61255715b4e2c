"""The general entry point, the account index, and the base of account-scoped views."""

import contextlib

from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import AllowAny
from rest_framework.views import APIView

from api import representations as rep
from api.conditional import PreconditionedWrites
from api.openapi import responses
from api.problems import NOT_FOUND, WRONG_ACCOUNT, ApiProblem, problem_response
from api.registry import REGISTRY
from api.responses import DEFAULT_CACHE_CONTROL, hypermedia
from api.scopes import EVERY_KEY, ScopedAccess, held_scopes


class AnyAccept(BaseContentNegotiation):
    """The view's first renderer, whatever ``Accept`` says: for probes, pixels, redirects and pages that any
    client (a load balancer, a mail client) calls. Problems are still JSON."""

    def select_parser(self, request, parsers):
        return parsers[0] if parsers else None

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type


# No key, no rate limit, any Accept: health probes, and the token-signed pages of sent messages. (A comment,
# not a docstring: drf-spectacular would publish a docstring as the description of every view built on it.)
class PublicView(APIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []
    content_negotiation_class = AnyAccept


class AccountScopedView(ScopedAccess, PreconditionedWrites, APIView):
    """A view under ``/accounts/{accountName}``: the key's account must be that account, and its scopes must
    allow the view's ``scope`` declaration (``api.scopes``).

    The same 403 answers a foreign account whether it exists or not, so a key
    cannot be used to probe which accounts exist. A write with ``If-Match`` is checked
    against the current representation (``api.conditional``).
    """

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        self.account = request.user.account
        if kwargs.get("account_name", "").casefold() != self.account.name.casefold():
            raise ApiProblem(WRONG_ACCOUNT, "This API key does not give access to the account in the URL.")
        self.check_scope(request)
        self.check_preconditions(request)


class RootView(APIView):
    permission_classes = [AllowAny]

    def perform_authentication(self, request):
        # Public: a valid key personalises the account link, a bad one is ignored.
        with contextlib.suppress(AuthenticationFailed):
            _ = request.user  # DRF authenticates on the first access

    @extend_schema(
        operation_id="root", summary="General entry point", responses=responses({200: "message"}, problems=())
    )
    def get(self, request):
        account = getattr(request.user, "account", None)
        body = rep.root(account.name if account is not None else None)
        return hypermedia(body, "message", headers={"Cache-Control": DEFAULT_CACHE_CONTROL})


class AccountIndexView(AccountScopedView):
    scope = EVERY_KEY  # links only: any key of the account may start here, and sees the links its scopes allow

    @extend_schema(operation_id="account_index", summary="Account entry point", responses=responses({200: "message"}))
    def get(self, request, account_name):
        notices = [notice for source in REGISTRY.notices for notice in source(self.account)]
        return hypermedia(
            rep.account_index(self.account.name, notices, held_scopes(request)),
            "message",
            # its links depend on the key's scopes: a cache keeps one answer per key
            headers={"Cache-Control": DEFAULT_CACHE_CONTROL, "Vary": "Authorization"},
        )


def not_found(request, *args, **kwargs):
    """Any URL no route matches, with DEBUG on or off."""
    return problem_response(NOT_FOUND, f"No resource at {request.path}.")
