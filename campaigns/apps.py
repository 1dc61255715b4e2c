from django.apps import AppConfig


class CampaignsConfig(AppConfig):
    name = "campaigns"

    def ready(self):
        from anymail.signals import tracking
        from django.db.models.signals import post_delete

        from accounts.models import Account
        from api.counters import register_repairer
        from campaigns import docs  # noqa: F401  (rels, profiles, models, account-index links)
        from campaigns.counters import campaign_counts_recount, message_count_recount
        from campaigns.messages import messages_forget_subscriber
        from campaigns.provider_events import provider_event_received
        from campaigns.tally import tally_forget_account, tally_recount
        from subscribers.signals import subscriber_erasing

        register_repairer(campaign_counts_recount)
        register_repairer(message_count_recount)
        register_repairer(tally_recount)
        post_delete.connect(tally_forget_account, sender=Account, dispatch_uid="campaigns-tally-forget-account")
        subscriber_erasing.connect(messages_forget_subscriber, dispatch_uid="campaigns-forget-erased-subscriber")
        # What providers report about the messages they took (their webhooks: providers/).
        tracking.connect(provider_event_received, dispatch_uid="campaigns-provider-events")
