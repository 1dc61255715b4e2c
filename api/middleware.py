from django.conf import settings

from api.problems import PAYLOAD_TOO_LARGE, problem_response, response_for_exception


class BodySizeLimitMiddleware:
    """Refuse a body larger than MAX_REQUEST_BODY_BYTES before anything reads it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        length = request.META.get("CONTENT_LENGTH") or "0"
        try:
            size = int(length)
        except ValueError:
            size = 0
        limit = settings.MAX_REQUEST_BODY_BYTES
        if size > limit:
            return problem_response(PAYLOAD_TOO_LARGE,
                                    f"The body has {size} bytes; the maximum is {limit} bytes.")
        return self.get_response(request)


class ProblemMiddleware:
    """Errors raised by plain Django views (docs pages, admin-free paths) → problem+json.

    DRF views have their own handler; this covers the rest, also with DEBUG on.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if request.path.startswith("/admin/"):
            return None
        return response_for_exception(exception)
