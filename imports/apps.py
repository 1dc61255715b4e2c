from django.apps import AppConfig


class ImportsConfig(AppConfig):
    name = "imports"

    def ready(self):
        from imports import docs  # noqa: F401  (rels, profiles, problems, account-index links)
