from django.contrib import admin

from api.admin import ServiceAdmin, ServiceForm
from lists.models import MailingList
from lists.services import list_create, list_delete, list_update


class MailingListForm(ServiceForm):
    """Created, renamed and (de)activated by the API's services: the account's list counter and the
    duplicate-name rule (400.1) hold."""

    class Meta:
        model = MailingList
        fields = (
            "account",
            "name",
            "active",
            "public",
            "public_name",
            "public_description",
            "double_opt_in",
            "confirmation_subject",
            "confirmation_html",
            "confirmation_text",
        )
        help_texts = {
            "public": "Shown on the preference page: subscribers may join or leave it themselves.",
            "public_name": "What subscribers read there; the name when blank.",
            "double_opt_in": "New members confirm by the link of a confirmation email; until then they are pending.",
            "confirmation_subject": "Blank: “Please confirm your subscription to {{ listName }}”.",
            "confirmation_html": "Blank: the default. Must hold {{ confirmUrl }}; {{ listName }}, {{ emailAddress }} "
            "and the account's fields are merge tags too.",
            "confirmation_text": "Blank: the default. Must hold {{ confirmUrl }}.",
        }

    problem_fields = {f"confirmationEmail.{part}": f"confirmation_{part}" for part in ("subject", "html", "text")}

    def write(self):
        data = self.cleaned_data
        confirmation = (data["confirmation_subject"], data["confirmation_html"], data["confirmation_text"])
        options = {key: data[key] for key in ("active", "public", "public_name", "public_description")}
        options.update(double_opt_in=data["double_opt_in"], confirmation=confirmation)
        if self.instance.pk:
            return list_update(mailing_list=self.instance, name=data["name"], **options)
        return list_create(account=data["account"], name=data["name"], **options)


@admin.register(MailingList)
class MailingListAdmin(ServiceAdmin):
    form = MailingListForm
    delete_service = list_delete
    delete_noun = "mailing_list"
    list_display = ("name", "account", "active", "public", "double_opt_in", "subscribers_count", "created_at")
    list_filter = ("active", "public", "double_opt_in")
    search_fields = ("name", "account__name")
    readonly_fields = ("subscribers_count", "created_at")
    list_select_related = ("account",)

    def get_readonly_fields(self, request, obj=None):
        return ("account", *self.readonly_fields) if obj else self.readonly_fields
