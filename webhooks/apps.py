from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    verbose_name = "Outgoing webhooks"

    def ready(self):
        from api.events import Writer, writer_register
        from api.registry import notice_source
        from webhooks import docs  # noqa: F401  (rels, profiles, models, problems, account-index links)
        from webhooks.outbox import events_write
        from webhooks.representations import account_notices
        from webhooks.subscriptions import subscribed

        writer_register(Writer(subscribed=subscribed, write=events_write))
        notice_source(account_notices)
