from django.apps import AppConfig


class SubscribersConfig(AppConfig):
    name = "subscribers"

    def ready(self):
        from api.counters import register_repairer
        from subscribers import docs  # noqa: F401  (rels, profiles, models, account-index links)
        from subscribers.counters import subscriber_counts_recount

        register_repairer(subscriber_counts_recount)
