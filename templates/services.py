"""Template writes: the layout checked (its ``{{ content }}`` slot and merge tags, templates/layout.py) before it
is stored. Campaigns read a template when they are previewed or start; the ones that started froze their
composed content then (campaigns.services.campaign_freeze), so an edit here reaches drafts only."""

from django.db import IntegrityError, transaction

from api.audit import record
from api.problems import ApiProblem
from campaigns.selectors import campaigns_using_template
from fields.selectors import field_types
from lists.problems import DUPLICATED_NAME
from templates.layout import layout_errors
from templates.models import Template
from templates.problems import TEMPLATE_IN_USE, TEMPLATE_INVALID


def _duplicated(name: str) -> ApiProblem:
    return ApiProblem(DUPLICATED_NAME, f"Already exists a template with the name '{name}'.")


def template_check(*, account, html: str, text: str) -> None:
    """400.44 naming every member whose slot or merge tags are wrong."""
    fields = {name.lower(): name for name, _ in field_types(account=account)}
    errors = layout_errors(html=html, text=text, fields=fields)
    if errors:
        raise ApiProblem(TEMPLATE_INVALID, "; ".join(f"{e['field']}: {e['detail']}" for e in errors), errors=errors)


def _save(template: Template, *, name: str, html: str, text: str) -> Template:
    template_check(account=template.account, html=html, text=text)
    others = Template.objects.filter(account=template.account, name__iexact=name)
    if template.pk:
        others = others.exclude(pk=template.pk)
    if others.exists():
        raise _duplicated(name)
    template.name, template.html, template.text = name, html, text
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError:  # a concurrent write took the name
        raise _duplicated(name) from None
    return template


def _recorded(template: Template, verb: str) -> Template:
    record(
        account_id=template.account_id,
        action=f"template.{verb}",
        object_type="template",
        object_id=template.pk,
        details={"name": template.name},
    )
    return template


@transaction.atomic
def template_create(*, account, name: str, html: str, text: str = "") -> Template:
    return _recorded(_save(Template(account=account), name=name, html=html, text=text), "create")


@transaction.atomic
def template_update(*, template: Template, name: str, html: str, text: str = "") -> Template:
    """PUT: the whole template. Drafts and scheduled campaigns that use it show and send the new version; a
    campaign that started keeps what it froze."""
    template = Template.objects.select_for_update().select_related("account").get(pk=template.pk)
    return _recorded(_save(template, name=name, html=html, text=text), "update")


@transaction.atomic
def template_delete(*, template: Template) -> None:
    """Refused while an unfinished campaign uses it; finished ones keep their frozen content (templateId null)."""
    template = Template.objects.select_for_update().filter(pk=template.pk).first()  # a campaign taking it up waits
    if template is None:  # deleted meanwhile: what was asked is done
        return
    campaigns = campaigns_using_template(template_id=template.pk)
    if campaigns:
        raise ApiProblem(
            TEMPLATE_IN_USE,
            f"Campaign(s) {', '.join(map(str, campaigns))} use the template; choose another for them first.",
        )
    Template.objects.filter(pk=template.pk).delete()
    _recorded(template, "delete")
