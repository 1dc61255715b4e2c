"""Django's own error handlers, answering problem+json (used with DEBUG off)."""

from api.problems import BAD_REQUEST, FORBIDDEN, INTERNAL_ERROR, NOT_FOUND, problem_response


def bad_request(request, exception=None):
    return problem_response(BAD_REQUEST)


def forbidden(request, exception=None):
    return problem_response(FORBIDDEN)


def page_not_found(request, exception=None):
    return problem_response(NOT_FOUND, f"No resource at {request.path}.")


def server_error(request):
    return problem_response(INTERNAL_ERROR)


def csrf_failure(request, reason=""):
    return problem_response(FORBIDDEN, "CSRF verification failed.")
