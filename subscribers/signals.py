"""What other apps may hear of a subscriber's life, without subscribers knowing who listens."""

from django.dispatch import Signal

# Sent inside the transaction that erases a subscriber, before the row goes (``subscriber_id``): whoever keeps
# personal data about the subscriber (campaign messages and their events) forgets it in the same transaction.
subscriber_erasing = Signal()
