from django.apps import AppConfig


class ConsentConfig(AppConfig):
    name = "consent"

    def ready(self):
        from consent import docs  # noqa: F401  (rels, problems)
        from consent.services import confirmation_send, confirmations_due
        from subscribers.consents import confirmation_sender_register

        # subscribers decides when a confirmation is due; this app makes and queues it.
        confirmation_sender_register(send=confirmation_send, due=confirmations_due)
