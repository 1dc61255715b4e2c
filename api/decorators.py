from functools import wraps

from api.problems import METHOD_NOT_ALLOWED, problem_response


def get_only(view):
    """Plain Django views that only read: other methods get a 405 problem."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return problem_response(METHOD_NOT_ALLOWED, f"{request.method} is not allowed here.",
                                    headers={"Allow": "GET, HEAD"})
        return view(request, *args, **kwargs)

    return wrapper
