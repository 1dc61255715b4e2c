from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"

    def ready(self):
        from campaigns import docs  # noqa: F401  (rels, profiles, models, account-index links)
        from campaigns.messages import messages_forget_subscriber
        from subscribers.signals import subscriber_erasing

        subscriber_erasing.connect(messages_forget_subscriber, dispatch_uid="campaigns-forget-erased-subscriber")
