from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.models import Account
from api.epoch_cache import invalidate
from fields.indexing import field_index_queue
from fields.models import Field, IndexStatus
from fields.services import fields_ensure_predefined


@receiver(post_save, sender=Account, dispatch_uid="fields_predefined_on_account_create")
def create_predefined_fields(sender, instance, created, **kwargs):
    if created:
        fields_ensure_predefined(account=instance)


@receiver(post_save, sender=Field, dispatch_uid="field_saved_invalidates_cache")
@receiver(post_delete, sender=Field, dispatch_uid="field_deleted_invalidates_cache")
def field_changed(sender, instance, **kwargs):
    invalidate()  # every app server's cached field types (fields.selectors.field_types)


@receiver(post_delete, sender=Field, dispatch_uid="field_deleted_drops_its_index")
def field_deleted(sender, instance, **kwargs):
    """Deleted by the service or with its account: its index, if it had one, is dropped by a job after commit."""
    if instance.indexed or instance.index_status != IndexStatus.NONE:
        field_index_queue(instance.pk)
