from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts.models import Account
from fields.services import fields_ensure_predefined


@receiver(post_save, sender=Account, dispatch_uid="fields_predefined_on_account_create")
def create_predefined_fields(sender, instance, created, **kwargs):
    if created:
        fields_ensure_predefined(account=instance)
