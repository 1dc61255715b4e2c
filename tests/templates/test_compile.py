"""Compile-time pieces on their own: CSS inlining that leaves merge tags and links as written, never fetches a
stylesheet and leaves an HTML without <style> byte for byte; the text written from HTML; a single email's HTML
inlined too."""

import pytest

from campaigns.content import compile_campaign, render
from campaigns.inlining import inline_css
from campaigns.plaintext import html_to_text
from emails.models import SingleEmail
from tests.campaigns.builders import post

STYLED = (
    "<html><head><style>.name { color: red } a { color: blue } @media (max-width: 480px) { .name { color: green } }"
    '</style><link rel="stylesheet" href="http://127.0.0.1:9/remote.css"></head><body>'
    '<p class="name">Hi {{ firstName | "Tom & Jerry" }} &amp; {{ lastName | <none> }}</p>'
    '<a href="https://shop.example.com/?a=1&amp;e={{ emailAddress }}">Shop</a> '
    "<a href='{{ unsubscribeUrl }}'>Leave</a>"
    "</body></html>"
)


def test_inlining_keeps_merge_tags_links_media_queries_and_linked_stylesheets_as_written():
    inlined = inline_css(STYLED)
    assert (
        '<p class="name" style="color: red;">Hi {{ firstName | "Tom & Jerry" }} &amp; {{ lastName | <none> }}</p>'
        in (inlined)
    )
    assert '<a href="https://shop.example.com/?a=1&amp;e={{ emailAddress }}" style="color: blue;">Shop</a>' in inlined
    assert '<a href="{{ unsubscribeUrl }}" style="color: blue;">Leave</a>' in inlined
    assert "@media (max-width: 480px)" in inlined and ".name { color: red }" not in inlined
    assert '<link rel="stylesheet" href="http://127.0.0.1:9/remote.css">' in inlined  # kept, never fetched


def test_compiled_html_renders_the_fallback_once_escaped_and_links_tracked():
    fields = {"firstname": "firstName", "lastname": "lastName"}
    compiled = compile_campaign(
        subject="s", html_part=STYLED, text_part="", preheader="", fields=fields, inline_css=inline_css
    )
    urls = {("link", 0): "https://t.example/c/0", ("link", 1): "https://t.example/c/1", "open": "https://t.example/o"}
    html = render(compiled.html, {"emailAddress": "a@example.com"}, escape=True, urls=urls)
    assert '<p class="name" style="color: red;">Hi Tom &amp; Jerry &amp; &lt;none&gt;</p>' in html
    assert compiled.links == ["https://shop.example.com/?a=1&e={{ emailAddress }}"]  # the unsubscribe URL: not tracked
    assert '<a href="https://t.example/c/0" style="color: blue;">Shop</a>' in html


@pytest.mark.parametrize("source", ["<p>Hi {{ firstName }}</p>", "<html><body><b>x</b> &copy; &amp;</body></html>"])
def test_an_html_without_style_is_left_as_written(source):
    assert inline_css(source) is source


def test_the_text_of_an_html():
    source = (
        "<html><head><title>Ignored</title><style>p{}</style></head><body>"
        '<div style="display: none">Preheader<p>hidden too</p></div>'
        "<h1>Title</h1><h3>Sub</h3><p>One  line<br>two &amp; {{ firstName | friend }}</p>"
        '<ol><li>First</li><li>Second<ul><li>inner</li></ul></li></ol><p><a href="https://a.example/">Here</a>, '
        '<a href="https://b.example/">https://b.example/</a>, <a href="mailto:x@example.com">x@example.com</a>, '
        '<a href="#top">top</a></p><hr><pre>  kept\n  spaces</pre><img src="x.png" alt="Logo"></body></html>'
    )
    assert html_to_text(source) == (
        "Title\n=====\n\n### Sub\n\nOne line\ntwo & {{ firstName | friend }}\n\n1. First\n2. Second\n  - inner\n\n"
        "Here (https://a.example/), https://b.example/, x@example.com, top\n\n"
        + "-" * 40
        + "\n\n  kept\n  spaces\n\nLogo\n"
    )
    assert html_to_text("") == "" and html_to_text("<p> </p>") == ""


def test_braces_written_as_entities_never_break_the_text_written_from_the_html():
    stray = compile_campaign(
        subject="s", html_part="<p>&#123;&#123; not a tag &#123;&#123;&#123;</p>", text_part="", preheader="",
        fields={}, text_of_html=html_to_text,
    )  # fmt: skip
    assert render(stray.text, {}, escape=False) == "{ { not a tag { { {\r\n"
    # A well-formed tag of no field, spelt with entities (the HTML's check never saw it): the HTML goes alone.
    unknown = compile_campaign(
        subject="s", html_part="<p>&#123;&#123; nosuch }}</p>", text_part="", preheader="", fields={},
        text_of_html=html_to_text,
    )  # fmt: skip
    assert unknown.text == [] and unknown.html


@pytest.mark.django_db
def test_a_single_emails_html_is_inlined_once_when_it_is_accepted(api):
    body = {
        "to": "ann@example.com",
        "fromEmail": "shop@example.com",
        "subject": "Receipt",
        "html": "<html><head><style>.total { font-weight: bold }</style></head>"
        '<body><p class="total">42</p></body></html>',
    }
    response = post(api, "/api/v1/emails/send", body)
    assert response.status_code == 202, response.content
    single = SingleEmail.objects.get()
    assert single.html == body["html"]  # as written; the compiled copy is inlined
    html = "".join(part for part in single.compiled["html"] if isinstance(part, str))
    assert '<p class="total" style="font-weight: bold;">42</p>' in html
    assert single.compiled["text"] == []  # no text part is written for a single email
