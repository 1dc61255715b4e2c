"""What DKIM signing costs per message, on one core: bench/send.py's campaign message built by the workers'
MessageBuilder, unsigned and signed, and the signer's parts alone.

    bin/with-test-env .venv/bin/python bench/dkim_sign.py [--messages N]

CPU time (time.process_time) per message, the best of five rounds of N messages; no database is used. Every
signed message of the first round is checked with dkimpy's dkim.verify against the key's public half.
"""

import sys

sys.path.append(sys.path.pop(0))  # bench/collections.py would shadow the standard library's `collections`

import argparse
import os
import time

from common import ROOT


def per_message(function, count: int, rounds: int = 5) -> float:
    """Best CPU seconds per call of ``function(i)`` over ``rounds`` rounds of ``count`` calls."""
    best = float("inf")
    for _ in range(rounds):
        started = time.process_time()
        for i in range(count):
            function(i)
        best = min(best, (time.process_time() - started) / count)
    return best


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=2000)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("PUBLIC_BASE_URL", "https://mail.bench.example")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    import dkim
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import padding
    from django.conf import settings

    from campaigns.content import compile_campaign
    from campaigns.footer import with_footer
    from campaigns.inlining import inline_css
    from campaigns.mime import MessageBuilder
    from campaigns.plaintext import html_to_text
    from domains.dkim import SIGNED_HEADERS, Signer
    from domains.keys import key_pair, private_key
    from send import FROM_EMAIL, HTML, SUBJECT, TEXT

    html, text = with_footer(HTML, TEXT)
    compiled = compile_campaign(
        subject=SUBJECT,
        html_part=html,
        text_part=text,
        preheader="New colours, new cuts",
        fields={"firstname": "firstName", "lastname": "lastName"},
        inline_css=inline_css,
        text_of_html=html_to_text,
    )
    pair = key_pair()
    key = private_key(pair.sealed_private)
    domain = FROM_EMAIL.rpartition("@")[2]
    signer = Signer(domain=domain, selector="bench", key=key)
    record = f"v=DKIM1; k=rsa; p={pair.public}".encode()

    def builder(signer):
        return MessageBuilder(
            compiled=compiled,
            from_name="Example Shop",
            from_email=FROM_EMAIL,
            reply_to="",
            base_url=settings.PUBLIC_BASE_URL,
            preferences=True,
            signer=signer,
        )

    def fields(i):
        return {"firstName": f"First{i}", "lastName": f"Last{i}"}

    unsigned, signed = builder(None), builder(signer)
    n = args.messages
    sample = [signed.build(i + 1, f"subscriber{i}@bench-send.example", fields(i)) for i in range(n)]
    lookup = {f"bench._domainkey.{domain}.".encode(): record}

    def dnsfunc(name, timeout=5):
        return lookup.get(name)

    bad = [data for data in sample if not dkim.verify(data.replace(b"\n..", b"\n."), dnsfunc=dnsfunc)]
    assert not bad, bad[0][:800]
    plain = [unsigned.build(i + 1, f"subscriber{i}@bench-send.example", fields(i)) for i in range(n)]
    undotted = [data.replace(b"\n..", b"\n.") for data in plain]
    header_input = b"x" * 700  # about the size of the canonical headers that are hashed and signed
    pkcs1, sha256 = padding.PKCS1v15(), hashes.SHA256()
    costs = {
        "build, unsigned": per_message(
            lambda i: unsigned.build(i + 1, f"subscriber{i}@bench-send.example", fields(i)), n
        ),
        "build, signed": per_message(lambda i: signed.build(i + 1, f"subscriber{i}@bench-send.example", fields(i)), n),
        "sign alone (the builder's signer)": per_message(lambda i: signed.signer.sign(undotted[i]), n),
        "sign alone (a signer without the prefix)": per_message(lambda i: signer.sign(undotted[i]), n),
        "RSA 2048 alone (key.sign of 700 bytes)": per_message(lambda i: key.sign(header_input, pkcs1, sha256), n),
    }
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    costs["dkimpy's dkim.sign (reference)"] = per_message(
        lambda i: dkim.sign(
            undotted[i],
            b"bench",
            domain.encode(),
            pem,
            canonicalize=(b"relaxed", b"simple"),
            include_headers=list(SIGNED_HEADERS),
        ),
        max(n // 100, 10),
        rounds=1,
    )
    print(
        f"{n:,} messages of {len(plain[0]):,} bytes unsigned, {len(sample[0]):,} signed "
        f"(all verified by dkim.verify); CPU per message, best of 5 rounds:"
    )
    for label, seconds in costs.items():
        print(f"  {label:45} {seconds * 1e6:8.1f} µs")
    print(f"  {'signing adds to a build':45} {(costs['build, signed'] - costs['build, unsigned']) * 1e6:8.1f} µs")
    rest = costs["sign alone (the builder's signer)"] - costs["RSA 2048 alone (key.sign of 700 bytes)"]
    print(f"  {'signing, less the RSA operation':45} {rest * 1e6:8.1f} µs")


if __name__ == "__main__":
    main()
