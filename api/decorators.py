from functools import wraps

from api.problems import METHOD_NOT_ALLOWED, problem_response


def allow_methods(*methods: str):
    """Plain Django views: other methods get a 405 problem with ``Allow`` (``OPTIONS`` is answered by
    ``api.options``, from the ``allowed_methods`` this leaves on the view)."""
    methods = (*methods, "OPTIONS")
    allowed = ", ".join(methods)

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in methods:
                return problem_response(
                    METHOD_NOT_ALLOWED, f"{request.method} is not allowed here.", headers={"Allow": allowed}
                )
            return view(request, *args, **kwargs)

        wrapper.allowed_methods = methods
        return wrapper

    return decorate


def get_only(view):
    """Plain Django views that only read."""
    return allow_methods("GET", "HEAD")(view)
