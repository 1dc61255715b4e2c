from django.apps import AppConfig


class TemplatesConfig(AppConfig):
    name = "templates"

    def ready(self):
        from templates import docs  # noqa: F401  (rels, profiles, models, account-index links)
