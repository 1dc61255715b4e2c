"""``/rels``, ``/models``, ``/errors`` (HTML) and ``/schemas`` (JSON Schema), from the registry."""

import json

from django.http import Http404, JsonResponse
from django.shortcuts import render
from drf_spectacular.utils import extend_schema

from api.problems import PRECONDITION_FAILED
from api.registry import REGISTRY


def _page(request, title, **context):
    return render(request, "api/doc.html", {"title": title, "path": request.path, **context})


def rel_index(request):
    entries = [(f"/rels/{name}", name, doc.title) for name, doc in sorted(REGISTRY.rels.items())]
    return _page(request, "Relation types", entries=entries)


def rel_detail(request, name):
    doc = REGISTRY.rels.get(name) or _missing()
    facts = [("Method", doc.method, None)]
    if doc.request_profile:
        facts.append(
            (
                "Request body",
                f"application/json; profile=/schemas/{doc.request_profile}",
                f"/schemas/{doc.request_profile}",
            )
        )
    if doc.response_profile:
        facts.append(
            (
                "Response body",
                f"application/json; profile=/schemas/{doc.response_profile}",
                f"/schemas/{doc.response_profile}",
            )
        )
    facts.extend(("Possible problem", key, f"/errors/{key}") for key in doc.problems)
    # Every read answers an ETag and every write takes If-Match (api/conditional.py).
    if doc.method == "GET":
        facts.append(("Conditional", "ETag; If-None-Match with it answers 304 Not Modified", None))
    else:
        facts.append(("Conditional", "If-Match: the ETag you read; stale → 412", None))
        facts.append(("Possible problem", PRECONDITION_FAILED.key, PRECONDITION_FAILED.type))
    return _page(request, doc.title, kind="Relation type", description=doc.description, facts=facts)


def model_index(request):
    entries = [(f"/models/{name}", name, doc.title) for name, doc in sorted(REGISTRY.models.items())]
    return _page(request, "Models", entries=entries)


def model_detail(request, name):
    doc = REGISTRY.models.get(name) or _missing()
    facts = [("JSON Schema", f"/schemas/{doc.profile}", f"/schemas/{doc.profile}")] if doc.profile else []
    schema = json.dumps(REGISTRY.profiles[doc.profile].schema, indent=2) if doc.profile else None
    return _page(request, doc.title, kind="Model", description=doc.description, facts=facts, schema=schema)


def error_index(request):
    entries = [(doc.type, key, doc.title) for key, doc in sorted(REGISTRY.problems.items())]
    return _page(request, "Problem types", entries=entries)


def error_detail(request, key):
    doc = REGISTRY.problems.get(key) or _missing()
    facts = [
        ("HTTP status", str(doc.status), None),
        ("errorCode", str(doc.code), None),
        ("Content-Type", "application/problem+json", "/schemas/problem"),
    ]
    return _page(request, doc.title, kind="Problem type", description=doc.description, facts=facts)


def schema_index(request):
    entries = [(f"/schemas/{name}", name, doc.title) for name, doc in sorted(REGISTRY.profiles.items())]
    return _page(request, "JSON Schemas", entries=entries)


@extend_schema(exclude=True)
def schema_detail(request, name):
    doc = REGISTRY.profiles.get(name) or _missing()
    return JsonResponse(
        doc.schema, content_type="application/schema+json", json_dumps_params={"indent": 2, "ensure_ascii": False}
    )


def _missing():
    raise Http404
