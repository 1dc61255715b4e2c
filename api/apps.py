from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "api"
    verbose_name = "Hypermedia core"

    def ready(self):
        # The core's own rels, profiles and problem types.
        from api import docs, openapi  # noqa: F401
