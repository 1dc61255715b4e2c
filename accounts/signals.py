"""A changed or deleted account or API key invalidates every app server's cached keys (api.epoch_cache).

``api_key_revoke`` invalidates itself: it updates with a query, which sends no signal.
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
