"""A campaign's content as it is sent: its HTML in its template's ``{{ content }}`` slot, the footer with the
preference link when it has none (campaigns/footer.py, ``CAMPAIGN_FOOTER``), the CSS of ``<style>`` blocks inlined
(campaigns/inlining.py), and a text part written from the HTML when it has none (campaigns/plaintext.py), then
compiled (campaigns/content.py). All of it once per compilation: when the campaign starts (frozen in
``Campaign.compiled``: a later edit of its template never reaches it) and for each preview or test of a campaign
that has not started (its template's current version). Never per recipient.
"""

from django.conf import settings

from campaigns.content import Compiled, check, compile_campaign
from campaigns.footer import with_footer
from campaigns.inlining import inline_css
from campaigns.plaintext import html_to_text
from templates.layout import compose, layout_errors


def parts(template, html: str, text: str) -> tuple[str, str]:
    """The HTML and text with ``template``'s layouts around them. With a text layout and no text, the text of the
    campaign's own HTML goes in its slot (the layout's words are written once, by the layout)."""
    if template is None:
        return html, text
    if template.text.strip() and html.strip() and not text.strip():
        text = html_to_text(html)
    if html.strip():
        html = compose(template.html, html)
    if text.strip() and template.text.strip():
        text = compose(template.text, text)
    return html, text


def template_errors(template, *, html: str, text: str, fields: dict[str, str]) -> list[dict]:
    """What keeps ``template`` from wrapping this content: its layout gone bad (a field its merge tags name was
    deleted), under ``templateId``; else the composed content's merge tags (a brace of the layout's and one of
    the content's that join)."""
    if template is None:
        return []
    errors = [
        {"field": "templateId", "detail": f"the template's {e['field']}: {e['detail']}"}
        for e in layout_errors(html=template.html, text=template.text, fields=fields)
    ]
    if errors:
        return errors
    html, text = parts(template, html, text)
    return check(subject="", html_part=html, text_part=text, fields=fields)


def campaign_compiled(campaign, fields: dict[str, str]) -> Compiled:
    """``campaign`` compiled as it goes out now (raises content.TemplateError as compile_campaign does)."""
    html, text = parts(campaign.template, campaign.html, campaign.text)
    if settings.CAMPAIGN_FOOTER:
        html, text = with_footer(html, text)
    return compile_campaign(
        subject=campaign.subject,
        html_part=html,
        text_part=text,
        preheader=campaign.preheader,
        fields=fields,
        inline_css=inline_css,
        text_of_html=html_to_text,
    )
