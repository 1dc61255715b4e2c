"""The received Blueprint, repaired only where it is broken, for Dredd's second run.

``dredd/doppler-blueprint.apib`` is the received text, byte for byte (the project's copy of
``/work/shared/spec/doppler-blueprint.apib``). ``dredd/received.apib`` is what this script makes of it:

    python dredd/repair_received.py          # write dredd/received.apib
    python dredd/repair_received.py --check  # fail when it is not what the script makes

Each repair is listed in ``REPAIRS`` (and in docs/contract.md, "The received Blueprint, run as it is"):
the indentation lost when the text was copied from a web page, JSON examples that are not JSON, two URI
templates that expand to a URL no server reads, and the text cut off in "Get a Task". Nothing else changes:
names, status codes, keys, rels and example values stay as received.
"""

import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
RECEIVED = HERE / "doppler-blueprint.apib"
REPAIRED = HERE / "received.apib"

# (what was received, what it becomes, why): applied once each, in order, before the indentation.
REPAIRS = [
    ("998\n999\n1000\n", "", "three stray line numbers before `FORMAT: 1A`"),
    (
        '"/accounts/user@example.com/lists/{listId}/subscribers". "rel"',
        '"/accounts/user@example.com/lists/{listId}/subscribers", "rel"',
        "a dot for a comma",
    ),
    ('"rel": "delete", "Delete list" }', '"rel": "delete", "description": "Delete list" }', "a value with no key"),
    ("\nfields: [", '\n"fields": [', "an unquoted key"),
    (
        '{\n"name": "user@example.com"\n}',
        '{\n"emailAddress": "user@example.com"\n}',
        "the Subscribe body says `name` where its attributes say `emailAddress`",
    ),
    (
        "## Retrieve Account Entry Point [GET]\n",
        "## Retrieve Account Entry Point [GET]\n+ Parameters\n"
        "+ accountName: `user@example.com` (required, string) - Selected _Account_.\n",
        "the Account Index defines no `accountName`: its URI cannot be expanded (Dredd leaves the action out)",
    ),
    ("{?page}{?per_page}{?status}", "{?page,per_page,status}", "`{?a}{?b}` expands to `?a=1?b=2`: one expression"),
    ("{?page}{?per_page}", "{?page,per_page}", "`{?a}{?b}` expands to `?a=1?b=2`: one expression"),
    (
        '"status": "in-progress",\n\\Z',
        '"status": "in-progress"\n}\n```\n',
        "the text stops in Get a Task: its body is closed",
    ),
]
TRAILING_COMMA = re.compile(r",(\s*\n\s*(?://, \.\.\.\n\s*)?[\]}])")
ELLIPSIS = re.compile(r"\n//, \.\.\.(?=\n)")


def fix_json(text: str) -> str:
    """Trailing commas and the `//, ...` comments inside arrays."""
    text = ELLIPSIS.sub("", text)
    return TRAILING_COMMA.sub(r"\1", text)


def indent(text: str) -> str:
    """Nest what the copy flattened: parameters and attributes under their section, `+ Headers` and
    `+ Body` under their request or response, and their fenced payloads as indented code blocks."""
    out: list[str] = []
    section = None  # "parameters", "attributes", "payload" (a request or response), "asset"
    asset_fence = in_fence = False
    for line in text.split("\n"):
        if line.startswith("```"):
            if in_fence:
                in_fence = False
                if asset_fence:
                    asset_fence = False
                    out.append("")
                    continue
            else:
                in_fence = True
                asset_fence = section == "asset"
                if asset_fence:
                    out.append("")
                    continue
            out.append(line)
            continue
        if in_fence:
            out.append(" " * 12 + line if asset_fence and line else line)
            continue
        if line.startswith("#") or not line.startswith("+ "):
            section = None if line.startswith("#") or (line and section != "asset") else section
            out += ["", line] if line.startswith("#") else [line]
            continue
        if line.startswith(("+ Request", "+ Response")):
            out += ["", line]
            section = "payload"
        elif line.startswith("+ Parameters"):
            out += ["", line]
            section = "parameters"
        elif line.startswith("+ Attributes"):
            if section in ("payload", "payload-attributes"):
                out.append("    " + line)
                section = "payload-attributes"
            else:
                out += ["", line]
                section = "attributes"
        elif line.startswith(("+ Headers", "+ Body")) and section in ("payload", "asset", "payload-attributes"):
            out += ["", "    " + line]
            section = "asset"
        elif line.startswith(("+ Default:", "+ `")):
            out.append(" " * (12 if section == "payload-attributes" else 8) + line)
        else:
            out.append(" " * (8 if section == "payload-attributes" else 4) + line)
    return "\n".join(out)


def repair(text: str) -> str:
    for before, after, _why in REPAIRS:
        if before.endswith("\\Z"):  # at the end of the text only
            assert text.endswith(before[:-2]), f"not at the end of the received text: {before!r}"
            text = text[: -len(before) + 2] + after
            continue
        assert before in text, f"not in the received text: {before!r}"
        text = text.replace(before, after)
    return indent(fix_json(text))


def main(argv: list[str]) -> int:
    repaired = repair(RECEIVED.read_text(encoding="utf-8"))
    if "--check" in argv:
        if REPAIRED.read_text(encoding="utf-8") != repaired:
            print(f"{REPAIRED} is not the repair of {RECEIVED}: run python dredd/repair_received.py", file=sys.stderr)
            return 1
        return 0
    REPAIRED.write_text(repaired, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
