from django.apps import AppConfig


class SubscribersConfig(AppConfig):
    name = "subscribers"

    def ready(self):
        from api.counters import register_repairer
        from subscribers import docs, interim  # noqa: F401  (docs: rels, profiles, models, account-index links)
        from subscribers.counters import subscriber_counts_recount

        register_repairer(subscriber_counts_recount)
        interim.register()
