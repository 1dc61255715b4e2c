"""The fast path for plain addresses never accepts what email-validator rejects."""

import random
import string

import email_validator
import pytest

from subscribers.emails import InvalidEmail, _is_plain, normalize_email

DOMAINS = [
    "ex.com",
    "a-b.co",
    "x.y.museum",
    "q.test",
    "w.localhost",
    "1.io",
    "-a.com",
    "a..b.org",
    "ab--c.com",
    "a.b-.com",
    "b.c",
]


def test_fast_path_agrees_with_email_validator():
    rng = random.Random(7)
    accepted = 0
    for alphabet in (string.ascii_lowercase + string.digits + ".-_+@!#'", "ab.@-1", "a-.@b"):
        for _ in range(15000):
            text = "".join(rng.choice(alphabet) for _ in range(rng.randint(3, 30)))
            if rng.random() < 0.5:
                text = text.replace("@", "") + "@" + rng.choice(DOMAINS)
            if _is_plain(text):
                accepted += 1
                email_validator.validate_email(text, check_deliverability=False)
    assert accepted > 1000


@pytest.mark.parametrize("address", ["user@example.com", "a@bücher.de", "ü@example.com", "x+tag@sub.example.org"])
def test_valid_addresses(address):
    assert normalize_email(f"  {address.upper()}  ").address == address.lower()


@pytest.mark.parametrize(
    "address",
    [
        "bad",
        "a@b",
        "a..b@c.com",
        "x" * 65 + "@e.com",
        "a@" + "b" * 250 + ".com",
        "a@example.test",
        "a@x.localhost",
        "",
        "   ",
    ],
)
def test_invalid_addresses(address):
    with pytest.raises(InvalidEmail):
        normalize_email(address)
