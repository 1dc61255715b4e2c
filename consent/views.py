from drf_spectacular.utils import extend_schema

from api.openapi import responses
from api.responses import message
from api.views import AccountScopedView
from consent.services import confirmation_resend
from lists.selectors import list_get
from subscribers.representations import membership_links
from subscribers.selectors import subscriber_get


class ConfirmationView(AccountScopedView):
    scope = "lists"

    @extend_schema(
        operation_id="list_subscriber_confirmation_resend",
        request=None,
        responses=responses({202: "message"}, extra_problems=(404, 409, 429)),
    )
    def post(self, request, account_name, list_id, email_md5):
        mailing_list = list_get(account=self.account, list_id=list_id)
        subscriber = subscriber_get(account=self.account, email_md5=email_md5)
        confirmation_resend(account=self.account, mailing_list=mailing_list, subscriber=subscriber)
        return message(
            "Confirmation email queued",
            membership_links(self.account.name, subscriber.email_md5, list_id),
            status=202,
        )
