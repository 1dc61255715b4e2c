from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"

    def ready(self):
        from campaigns import docs  # noqa: F401  (rels, profiles, models, account-index links)
