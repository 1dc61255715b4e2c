"""What the request limits cost: the limited JSON parser against DRF's plain one, same bodies.

No database: only the parser, on bodies the API takes (a subscriber, a campaign with a 1 MB HTML, a
batch of 1,000 bounce reports) and the widest bodies the default limits let through.

    bin/with-test-env .venv/bin/python bench/json_limits.py [--runs N]
"""

import sys

# bench/collections.py shadows the standard library's `collections`: look here last.
sys.path.append(sys.path.pop(0))

import argparse
import io
import json
import os
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("SECRET_KEY", "bench-secret-key-long-enough-for-django-checks-0123456789")

from common import measure


def bodies() -> dict[str, bytes]:
    subscriber = {
        "emailAddress": "ann@example.com",
        "resubscribe": False,
        "fields": [{"fieldName": "firstName", "value": "Ann"}, {"fieldName": "city", "value": "Oslo"}],
    }
    campaign = {
        "name": "Spring",
        "subject": "Hi",
        "fromEmail": "news@example.com",
        "lists": [1, 2],
        "html": "<p>" + "x" * (1024 * 1024 - 8) + "</p>",
    }
    bounces = [
        {
            "type": "hard-bounce",
            "messageId": f"<{i}.abcdefghij@example.com>",
            "detail": "550 no such user",
            "occurredAt": "2026-11-23T10:00:00Z",
        }
        for i in range(1000)
    ]
    widest = {"values": {f"k{i}": [f"v{j}" for j in range(999)] for i in range(30)}}
    # The most members the default limits let through: 1,000 arrays of 999 numbers, just under 2 MB.
    most = [[0] * 999 for _ in range(1000)]
    return {
        name: json.dumps(value, separators=(",", ":")).encode()
        for name, value in (
            ("subscriber", subscriber),
            ("campaign, 1 MB html", campaign),
            ("1,000 bounce reports", bounces),
            ("30 x 999 strings", widest),
            ("1,000 x 999 numbers", most),
        )
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    import django

    django.setup()
    from rest_framework.parsers import JSONParser

    from api.parsers import LimitedJSONParser

    plain, limited = JSONParser(), LimitedJSONParser()
    print(f"{'body':<24} {'bytes':>9}  {'plain ms':>9}  {'limited ms':>10}  {'walk ms':>8}")
    for name, raw in bodies().items():
        base = measure(lambda raw=raw: plain.parse(io.BytesIO(raw), "application/json", {}), args.runs)["median"]
        ours = measure(lambda raw=raw: limited.parse(io.BytesIO(raw), "application/json", {}), args.runs)["median"]
        print(f"{name:<24} {len(raw):>9,}  {base:>9.3f}  {ours:>10.3f}  {ours - base:>8.3f}")


if __name__ == "__main__":
    main()
