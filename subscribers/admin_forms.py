"""The back office's subscriber forms: every write is the API's service, every value checked as the API checks it.

Adding takes an account, an address and a list (``subscriber_subscribe``, as ``POST …/lists/{id}/subscribers``);
changing edits the address, the status, the lists and one input per field of the account, typed like the field
(``subscriber_replace``, as ``PUT …/subscribers/{emailMd5}``): a value of the wrong type is refused with the
API's words, and counters, suppressions and the account's field types stay true.
"""

from django import forms

from api.admin import AccountScopedChoiceField, ServiceForm
from fields.models import Field
from fields.selectors import field_types
from fields.services import field_values_validate
from lists.models import MailingList
from subscribers.emails import InvalidEmail, normalize_email
from subscribers.models import ConsentSource, Status, Subscriber
from subscribers.services import ConsentRequest, subscriber_replace, subscriber_subscribe

BOOLEAN_CHOICES = [("", "—"), ("true", "yes"), ("false", "no")]
GENDER_CHOICES = [("", "—"), ("M", "M"), ("F", "F"), ("X", "X")]


def _input(field_type: str) -> forms.Field:
    """A form input for a field of ``field_type``; the value is still checked by the API's rules."""
    if field_type == "boolean":
        return forms.ChoiceField(choices=BOOLEAN_CHOICES, required=False)
    if field_type == "gender":
        return forms.ChoiceField(choices=GENDER_CHOICES, required=False)
    widgets = {
        "number": forms.NumberInput(attrs={"step": "any"}),
        "date": forms.DateInput(attrs={"type": "date"}),
        "email": forms.EmailInput(),
        "country": forms.TextInput(attrs={"size": 2, "maxlength": 2, "placeholder": "ISO code"}),
    }
    return forms.CharField(required=False, max_length=1000, widget=widgets.get(field_type, forms.TextInput()))


def shown_value(value) -> str:
    """A field's value as a form (and a CSV export) shows it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _email(form: forms.Form, value: str):
    try:
        return normalize_email(value)
    except InvalidEmail as exc:
        form.add_error("email", f"Not a valid email address: {exc}.")
        return None


class SubscriberAddForm(ServiceForm):
    consent = ConsentRequest(ConsentSource.ADMIN)  # the admin's request's, set by SubscriberAdmin.get_form

    mailing_list = AccountScopedChoiceField(
        queryset=MailingList.objects.filter(active=True).select_related("account").order_by("account__name", "name"),
        label="List",
    )

    class Meta:
        model = Subscriber
        fields = ("account", "email")

    def write(self):
        data = self.cleaned_data
        if data["mailing_list"].account_id != data["account"].pk:
            self.add_error("mailing_list", "This list belongs to another account.")
            return None
        email = _email(self, data["email"])
        if email is None:
            return None
        subscriber, _ = subscriber_subscribe(
            account=data["account"],
            mailing_list=data["mailing_list"],
            email=email,
            to_set={},
            to_unset=set(),
            consent=self.consent,
        )
        return subscriber


def change_form_for(account) -> type[ServiceForm]:
    """The change form of ``account``'s subscribers: its lists and one typed input per field of the account."""
    types = dict(field_types(account=account))
    labels = dict(Field.objects.filter(account=account).values_list("name", "label"))
    declared = {f"field_{name}": _input(field_type) for name, field_type in types.items()}
    for name, field_type in types.items():
        declared[f"field_{name}"].label = f"{labels.get(name) or name} ({field_type})"
    declared["lists"] = forms.ModelMultipleChoiceField(
        queryset=MailingList.objects.filter(account=account).order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    declared["status"] = forms.ChoiceField(choices=Status.choices)
    return type("SubscriberChangeForm", (SubscriberChangeForm,), {**declared, "field_names": tuple(types)})


class SubscriberChangeForm(ServiceForm):
    field_names: tuple[str, ...] = ()
    consent = ConsentRequest(ConsentSource.ADMIN)

    class Meta:
        model = Subscriber
        fields = ("email",)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        subscriber = self.instance
        self.problem_fields = {f"fields.{name}": f"field_{name}" for name in self.field_names}
        self.problem_fields["belongsToLists"] = "lists"
        self.initial["status"] = subscriber.status
        self.initial["lists"] = list(subscriber.memberships.values_list("list_id", flat=True))
        self.fields[
            "lists"
        ].help_text = "A double opt-in list ticked here makes a pending membership and sends a confirmation."
        for name in self.field_names:
            self.initial[f"field_{name}"] = shown_value(subscriber.fields.get(name))

    def write(self):
        data = self.cleaned_data
        email = _email(self, data["email"])
        if email is None:
            return None
        entries = [{"fieldName": name, "value": data.get(f"field_{name}", "")} for name in self.field_names]
        to_set, to_unset = field_values_validate(account=self.instance.account, entries=entries)
        return subscriber_replace(
            subscriber=self.instance,
            email=email,
            list_ids=[mailing_list.pk for mailing_list in data["lists"]],
            status=data["status"],
            to_set=to_set,
            to_unset=to_unset,
            consent=self.consent,
        )
