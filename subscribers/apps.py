from django.apps import AppConfig


class SubscribersConfig(AppConfig):
    name = "subscribers"

    def ready(self):
        from subscribers import docs  # noqa: F401  (rels, profiles, models, account-index links)
