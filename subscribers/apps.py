from django.apps import AppConfig


class SubscribersConfig(AppConfig):
    name = "subscribers"

    def ready(self):
        from django.db.models.signals import post_delete

        from accounts.models import Account
        from api.counters import register_repairer
        from lists.models import MailingList
        from subscribers import docs  # noqa: F401  (rels, profiles, models, account-index links)
        from subscribers.counters import subscriber_counts_recount
        from subscribers.tally import contact_counts_recount, created_days_forget_account, member_count_forget_list

        register_repairer(subscriber_counts_recount)
        register_repairer(contact_counts_recount)
        post_delete.connect(member_count_forget_list, sender=MailingList, dispatch_uid="subscribers-forget-list-count")
        post_delete.connect(created_days_forget_account, sender=Account, dispatch_uid="subscribers-forget-created-days")
