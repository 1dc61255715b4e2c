from django.apps import AppConfig


class ExportsConfig(AppConfig):
    name = "exports"

    def ready(self):
        from exports import docs  # noqa: F401  (rels, profiles, problems, account-index links)
