"""Per-recipient quoted-printable by joining pieces encoded apart (campaigns/mime.py): it decodes to exactly
the rendered text, with CRLF line ends only, no line over 76 characters and no trailing whitespace."""

import email
import email.policy
import quopri
import random

from campaigns.content import compile_campaign, crlf
from campaigns.mime import MessageBuilder, encoded, join

ALPHABET = ["a", "b", " ", "\t", "=", ".", "é", "€", "\n", "\r\n", "\r", "x" * 30, "y" * 70, "   ", "-", "<a>"]


def assert_valid_qp(data: bytes, text: str) -> None:
    assert b"\n" not in data.replace(b"\r\n", b""), data
    for line in data.split(b"\r\n"):
        assert len(line) <= 76, line
        assert not line.endswith((b" ", b"\t")), line
    assert quopri.decodestring(data).decode() == crlf(text)


def test_joined_pieces_decode_to_the_text():
    rnd = random.Random(5)
    for _ in range(5000):
        texts = ["".join(rnd.choice(ALPHABET) for _ in range(rnd.randint(0, 12))) for _ in range(rnd.randint(1, 8))]
        assert_valid_qp(join([encoded(text) for text in texts]), "".join(crlf(text) for text in texts))


def test_a_message_of_long_lines_and_many_tags_decodes_exactly():
    html = (
        "<p>"
        + "".join(f'word{i} {{{{ firstName }}}}, <a href="https://x.example/{i}">{i}</a> = ' for i in range(60))
        + "</p>\n.\n. dot"
    )
    text = "Hi {{ firstName }} " + "z" * 300 + "\n.leading dot\n"
    compiled = compile_campaign(
        subject="S", html_part=html, text_part=text, preheader="", fields={"firstname": "firstName"}
    )
    builder = MessageBuilder(
        compiled=compiled,
        from_name="Shop",
        from_email="news@shop.example.com",
        reply_to="",
        base_url="https://mail.example.com",
    )
    raw = builder.build(42, "a@example.com", {"firstName": "Zoë Ünïcode =?utf-8?"})
    assert b"\n" not in raw.replace(b"\r\n", b"")
    assert all(len(line) <= 76 for line in raw.split(b"\r\n\r\n", 1)[1].split(b"\r\n"))
    message = email.message_from_bytes(raw.replace(b"\r\n.", b"\r\n"), policy=email.policy.default)  # un-stuffed
    plain, markup = (message.get_body((kind,)).get_content().replace("\r\n", "\n") for kind in ("plain", "html"))
    assert plain == text.replace("{{ firstName }}", "Zoë Ünïcode =?utf-8?")
    assert markup.count("Zoë Ünïcode =?utf-8?") == 60 and markup.count("https://mail.example.com/t/c/") == 60
    assert '</p>\n.\n. dot<img src="https://mail.example.com/t/o/' in markup
