"""``OPTIONS`` on any resource: ``204`` with ``Allow`` naming its methods, no key needed (it tells nothing a 405
would not). A CORS preflight (``OPTIONS`` with ``Access-Control-Request-Method``) never gets here:
django-cors-headers answers it first, except on a view that answers its own (``answers_options = True``: a
signup form's public endpoint, whose allowed origins are per form)."""

from django.http import HttpResponse
from django.urls import Resolver404, resolve

from api.problems import NOT_FOUND, problem_response


def allowed_methods(view_func) -> list[str] | None:
    """The methods a resolved view answers: a DRF view's handlers, or what ``api.decorators.allow_methods`` says."""
    declared = getattr(view_func, "allowed_methods", None)
    if declared is not None:
        return [*declared, "OPTIONS"] if "OPTIONS" not in declared else list(declared)
    view_class = getattr(view_func, "cls", None) or getattr(view_func, "view_class", None)
    if view_class is None:
        return None
    methods = [name.upper() for name in view_class.http_method_names if hasattr(view_class, name)]
    if "GET" in methods and "HEAD" not in methods:
        methods.insert(methods.index("GET") + 1, "HEAD")
    return methods


class OptionsMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method != "OPTIONS" or request.path.startswith("/admin/"):
            return self.get_response(request)
        try:
            match = resolve(request.path_info)
        except Resolver404:
            match = None
        view_class = getattr(match.func, "cls", None) if match is not None else None
        if getattr(view_class, "answers_options", False):
            return self.get_response(request)
        methods = allowed_methods(match.func) if match is not None else None
        if not methods:
            return problem_response(NOT_FOUND, f"No resource at {request.path}.")
        response = HttpResponse(status=204)
        response["Allow"] = ", ".join(methods)
        return response
