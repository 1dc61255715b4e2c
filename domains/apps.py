from django.apps import AppConfig


class DomainsConfig(AppConfig):
    name = "domains"
    verbose_name = "Sending domains"

    def ready(self):
        from domains import docs  # noqa: F401  (rels, profiles, models, account-index links)
