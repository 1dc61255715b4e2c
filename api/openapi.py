"""OpenAPI from the same registry: profiles become components, problems are documented."""

import copy

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from api.registry import REGISTRY
from api.scopes import needed_scopes

COMMON_PROBLEMS = (401, 403, 406, 429)
# What any request body can be answered with (api/parsers.py, api/middleware.py, DRF's media types).
BODY_PROBLEMS = (400, 413, 415)


def component_name(profile: str) -> str:
    return "".join(part.capitalize() for part in profile.replace("_", "-").split("-"))


def openapi_ref(profile: str) -> dict:
    return {"$ref": f"#/components/schemas/{component_name(profile)}"}


def responses(ok: dict[int, str | None], *, problems=COMMON_PROBLEMS, extra_problems=()) -> dict:
    """``extend_schema(responses=…)`` for a hypermedia operation.

    ``ok`` maps a success status to its profile (None: no body). Problems are
    documented as ``application/problem+json``.
    """
    result = {}
    for status, profile in ok.items():
        result[(status, "application/json")] = openapi_ref(profile) if profile else None
    for status in sorted(set(problems) | set(extra_problems)):
        result[(status, "application/problem+json")] = openapi_ref("problem")
    return result


def request_body(profile: str) -> dict:
    return {"application/json": openapi_ref(profile)}


def _to_openapi(schema):
    if isinstance(schema, dict):
        out = {}
        for key, value in schema.items():
            if key in ("$schema", "$id"):
                continue
            if key == "$ref" and isinstance(value, str) and value.startswith("/schemas/"):
                out[key] = openapi_ref(value[len("/schemas/") :])["$ref"]
            else:
                out[key] = _to_openapi(value)
        return out
    if isinstance(schema, list):
        return [_to_openapi(item) for item in schema]
    return schema


def add_registry_components(result, generator, request, public):
    """POSTPROCESSING_HOOK: every registered profile becomes a component schema."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    for name, doc in REGISTRY.profiles.items():
        schemas[component_name(name)] = _to_openapi(copy.deepcopy(doc.schema))
    return result


def add_body_problems(result, generator, request, public):
    """POSTPROCESSING_HOOK: an operation that takes a body documents the problems any body can cause; every
    operation documents 400, which any query parameter holding a NUL character gets
    (api.middleware.QueryTextMiddleware)."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict):
                continue
            answers = operation.setdefault("responses", {})
            for status in BODY_PROBLEMS if "requestBody" in operation else (400,):
                answers.setdefault(
                    str(status),
                    {
                        "description": "",
                        "content": {"application/problem+json": {"schema": openapi_ref("problem")}},
                    },
                )
    return result


class ApiKeyAuthenticationScheme(OpenApiAuthenticationExtension):
    target_class = "api.auth.ApiKeyAuthentication"
    match_subclasses = True  # the optional variant on public resources too
    name = ["bearerAuth", "basicAuth", "accessToken"]

    def get_security_requirement(self, auto_schema):
        """Any one of the schemes (alternatives, not all three at once), each with the scopes the operation needs
        (``api.scopes``: any one of them; OpenAPI 3.1 lets a non-OAuth scheme list the roles it requires)."""
        rule = getattr(type(auto_schema.view), "scope", None)
        needed = needed_scopes(rule, auto_schema.method) if rule is not None else ()
        return [{name: [scope]} for name in self.name for scope in needed] or [{name: []} for name in self.name]

    def get_security_definition(self, auto_schema):
        return [
            {
                "type": "http",
                "scheme": "bearer",
                "description": "Authorization: Bearer KEY (also `Token KEY` or `OAuth2 KEY`).",
            },
            {"type": "http", "scheme": "basic", "description": "The key as the Basic password."},
            {
                "type": "apiKey",
                "in": "query",
                "name": "access_token",
                "description": "?access_token=KEY (not recommended in production).",
            },
        ]


# HTTP for link-following clients (api/conditional.py, api/link_header.py, api/throttling.py): what every operation
# answers besides its body.
_HEADER = {"schema": {"type": "string"}}
RESPONSE_HEADERS = {
    "ETag": {
        **_HEADER,
        "description": "Strong entity tag of the representation: send it back in `If-None-Match` "
        "(GET) or `If-Match` (PUT, DELETE, actions).",
    },
    "Link": {
        **_HEADER,
        "description": "The body's `_links` that are not URI templates, as RFC 8288 links "
        "(custom relation types as absolute URIs).",
    },
    "RateLimit-Limit": {**_HEADER, "description": "Requests the API key may make per window (60 s)."},
    "RateLimit-Remaining": {**_HEADER, "description": "Requests left in the current window."},
    "RateLimit-Reset": {**_HEADER, "description": "Seconds until the window closes."},
}
CONDITIONAL_SURFACES = ("/accounts/", "/api/v1/")


def _header_parameter(name: str, description: str) -> dict:
    return {"in": "header", "name": name, "required": False, "schema": {"type": "string"}, "description": description}


IF_NONE_MATCH = _header_parameter(
    "If-None-Match", "An `ETag` you hold: `304 Not Modified` (no body, not counted by the rate limit) if it is current."
)
IF_MATCH = _header_parameter(
    "If-Match",
    "The `ETag` of the resource as you last read it (for an action, the resource it acts on): if it changed since, "
    "`412` (`412.1-precondition-failed`) and nothing is written.",
)


def add_http_semantics(result, generator, request, public):
    """POSTPROCESSING_HOOK: ETag, If-None-Match and 304 on reads; If-Match and 412 on writes; Link and RateLimit-*."""
    for path, operations in result.get("paths", {}).items():
        scoped = path.startswith(CONDITIONAL_SURFACES) and "/webhooks/" not in path
        for method, operation in operations.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            answers, parameters = operation["responses"], operation.setdefault("parameters", [])
            if method == "get":
                parameters.append(copy.deepcopy(IF_NONE_MATCH))
                answers.setdefault("304", {"description": "Not modified: `If-None-Match` named the current `ETag`."})
            elif scoped and method in ("put", "post", "delete", "patch"):
                parameters.append(copy.deepcopy(IF_MATCH))
                answers.setdefault(
                    "412",
                    {
                        "description": "`If-Match` named a stale `ETag`.",
                        "content": {"application/problem+json": {"schema": openapi_ref("problem")}},
                    },
                )
            for status, answer in answers.items():
                headers = answer.setdefault("headers", {})
                if status in ("200", "304") and method == "get":
                    headers.setdefault("ETag", copy.deepcopy(RESPONSE_HEADERS["ETag"]))
                if status.startswith("2"):
                    headers.setdefault("Link", copy.deepcopy(RESPONSE_HEADERS["Link"]))
                if scoped and status != "401":
                    for name in ("RateLimit-Limit", "RateLimit-Remaining", "RateLimit-Reset"):
                        headers.setdefault(name, copy.deepcopy(RESPONSE_HEADERS[name]))
    return result
