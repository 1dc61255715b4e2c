"""A changed or deleted account or API key invalidates every app server's cached keys (api.epoch_cache).

Queryset updates send no signal: the models' querysets invalidate themselves (accounts.models). Each runs
inside the write's transaction and raises if Redis fails, so the write rolls back.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from accounts.models import Account, ApiKey
from api.epoch_cache import invalidate


@receiver(post_save, sender=Account, dispatch_uid="account_saved_invalidates_cache")
@receiver(post_save, sender=ApiKey, dispatch_uid="api_key_saved_invalidates_cache")
def changed(sender, instance, created, **kwargs):
    if not created:  # a new row is in no cache yet
        invalidate()


@receiver(post_delete, sender=Account, dispatch_uid="account_deleted_invalidates_cache")
@receiver(post_delete, sender=ApiKey, dispatch_uid="api_key_deleted_invalidates_cache")
def deleted(sender, instance, **kwargs):
    invalidate()
