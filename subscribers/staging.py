"""A chunk of an import's rows in COPY's text format, and read back: plain Python, no Django (the import's reader
process, imports/reader_process.py, stages its chunks with it)."""

import json
import re
from json.encoder import encode_basestring as _json_string

from subscribers.emails import Email

_COPY_SPECIAL = re.compile(r"[\\\t\n\r]")
_COPY_ESCAPES = {"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"}


def _copy_text(value: str) -> str:
    if _COPY_SPECIAL.search(value) is None:  # nearly every value: one scan, no copy
        return value
    return _COPY_SPECIAL.sub(lambda match: _COPY_ESCAPES[match.group()], value)


def _json_object(values: dict) -> str:
    """``json.dumps(values, ensure_ascii=False)``, written directly where every value is a string (a CSV's
    fields): a third of the cost, and the same text."""
    parts = []
    for name, value in values.items():
        if type(value) is not str:
            return json.dumps(values, ensure_ascii=False)
        parts.append(f"{_json_string(name)}: {_json_string(value)}")
    return "{" + ", ".join(parts) + "}"


def stage_rows(rows: list) -> bytes:
    """The chunk in COPY's text format: built by the import's reader thread, not the writer."""
    return "".join(
        f"{_copy_text(email.address)}\t{email.md5}\t{_copy_text(_json_object(values))}\n" for email, values in rows
    ).encode("utf-8")


_COPY_ESCAPED = re.compile(r"\\(.)")
_COPY_UNESCAPES = {"\\": "\\", "t": "\t", "n": "\n", "r": "\r"}


def _copy_value(text: str) -> str:
    if "\\" not in text:
        return text
    return _COPY_ESCAPED.sub(lambda match: _COPY_UNESCAPES[match.group(1)], text)


class StagedRows:
    """A chunk's valid rows read back from its staged COPY text, as (Email, values) pairs: how a chunk from the
    import's reader process (imports/reader_process.py) carries them, since the text is all it sends. Read only
    when asked (the subscribers the chunk created, for webhooks; the rows it left untouched)."""

    __slots__ = ("count", "staged")

    def __init__(self, staged: bytes, count: int):
        self.staged, self.count = staged, count

    def __len__(self) -> int:
        return self.count

    def __iter__(self):
        for line in self.staged.decode("utf-8").split("\n")[:-1]:  # not splitlines(): values may hold \x0b, \u2028…
            address, md5, values = line.split("\t")
            yield Email(_copy_value(address), md5), json.loads(_copy_value(values))
