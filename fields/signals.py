from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.models import Account
from api.epoch_cache import invalidate
from fields.models import Field
from fields.services import fields_ensure_predefined


@receiver(post_save, sender=Account, dispatch_uid="fields_predefined_on_account_create")
def create_predefined_fields(sender, instance, created, **kwargs):
    if created:
        fields_ensure_predefined(account=instance)


@receiver(post_save, sender=Field, dispatch_uid="field_saved_invalidates_cache")
@receiver(post_delete, sender=Field, dispatch_uid="field_deleted_invalidates_cache")
def field_changed(sender, instance, **kwargs):
    invalidate()  # every app server's cached field types (fields.selectors.field_types)
