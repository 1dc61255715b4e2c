"""OpenAPI from the same registry: profiles become components, problems are documented."""

import copy

from drf_spectacular.extensions import OpenApiAuthenticationExtension

from api.registry import REGISTRY

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
    """POSTPROCESSING_HOOK: an operation that takes a body documents the problems any body can cause."""
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "requestBody" not in operation:
                continue
            answers = operation.setdefault("responses", {})
            for status in BODY_PROBLEMS:
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
