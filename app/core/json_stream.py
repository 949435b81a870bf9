"""The members of one JSON array, read from a body chunk by chunk, one member at a time.

A 50,000-item batch body is about 10 MB of JSON and 80 MB of Python objects once parsed
whole. Read member by member, only the member being parsed and the chunk it came in are held,
so the memory of accepting a body no longer grows with its length. Each member is parsed by
`app.core.strictjson`'s decoder (`raw_decode` from where the member starts), so what a
member may hold, and how it is refused, is exactly what the whole-body parser would say.
Pure: the chunks come from whoever calls it.
"""

from __future__ import annotations

import codecs
import json
import re
from collections.abc import Iterator
from typing import Any, Final

from app.core.strictjson import STRICT_DECODER, StrictJsonError

_WHITESPACE: Final = re.compile(r"[ \t\n\r]*")
# What may still follow a number's text: nothing but more of a number up to the chunk's end.
_NUMBER_TAIL: Final = re.compile(r"[0-9.eE+-]*\Z")


class JsonShapeError(ValueError):
    """The body is not JSON, or not shaped ``{"<field>": [ ... ]}``; the message says where."""


class _Text:
    """Decoded text still to be read: chunks are appended as the reader needs them and what
    has been read is dropped, so the buffer stays about one chunk (or one member) long."""

    def __init__(self, chunks: Iterator[bytes], *, max_member_chars: int) -> None:
        self._chunks = chunks
        self._decoder = codecs.getincrementaldecoder("utf-8-sig")()
        self.text = ""
        self.pos = 0
        self.ended = False
        self.max_member_chars = max_member_chars

    def more(self, at_least: int = 1) -> bool:
        """Append at least ``at_least`` more characters (fewer at the body's end); False when
        the body had ended and nothing was added."""
        parts: list[str] = []
        added = 0
        while added < at_least and not self.ended:
            chunk = next(self._chunks, None)
            try:
                if chunk is None:
                    self.ended = True
                    decoded = self._decoder.decode(b"", final=True)
                else:
                    decoded = self._decoder.decode(chunk)
            except UnicodeDecodeError as error:
                raise JsonShapeError(f"The body is not UTF-8 ({error.reason}).") from None
            parts.append(decoded)
            added += len(decoded)
        if not added:
            return False
        # One join per call: a sender of one-byte chunks cannot make this quadratic.
        self.text = self.text[self.pos :] + "".join(parts)
        self.pos = 0
        return True

    def skip_whitespace(self) -> str:
        """The next character that is not whitespace ("" at the end of the body)."""
        while True:
            # A regular expression, not a loop per character: pretty-printed bodies are
            # mostly whitespace.
            spaces = _WHITESPACE.match(self.text, self.pos)
            self.pos = spaces.end() if spaces else self.pos
            if self.pos < len(self.text):
                return self.text[self.pos]
            if not self.more():
                return ""

    def expect(self, char: str, where: str) -> None:
        found = self.skip_whitespace()
        if found != char:
            shown = repr(found) if found else "the end of the body"
            raise JsonShapeError(f"Expected {char!r} {where}, found {shown}.")
        self.pos += 1

    def value(self, where: str) -> Any:
        """The JSON value starting at the next non-whitespace character."""
        if not self.skip_whitespace():
            raise JsonShapeError(f"The body ended where {where} was expected.")
        while True:
            try:
                value, end = STRICT_DECODER.raw_decode(self.text, self.pos)
            except json.JSONDecodeError as error:
                # Also what a member cut short by the chunk's end looks like: read on, unless
                # the body has ended or the member is already longer than any may be.
                if self._too_long():
                    raise JsonShapeError(
                        f"{where} is longer than {self.max_member_chars:,} characters, or not "
                        f"valid JSON ({error.msg})."
                    ) from None
                # Parsed again only once the text has doubled, so a member arriving in many
                # small chunks costs about twice its length, not its length squared.
                if not self.more(at_least=max(1, len(self.text) - self.pos)):
                    raise JsonShapeError(f"{where} is not valid JSON: {error.msg}.") from None
                continue
            except StrictJsonError:
                raise
            except ValueError as error:  # an integer of more digits than Python converts
                raise JsonShapeError(f"{where} is not accepted: {error}.") from None
            except RecursionError:
                raise JsonShapeError(f"{where} is nested too deeply.") from None
            # A number may go on in the next chunk: "12" of "125", or "1" of "1.5" whose
            # chunk ends at the ".".
            if (
                isinstance(value, (int, float))
                and _NUMBER_TAIL.match(self.text, end)
                and not self.ended
                and not self._too_long()
                and self.more(at_least=max(1, len(self.text) - self.pos))
            ):
                continue
            self.pos = end
            return value

    def _too_long(self) -> bool:
        return len(self.text) - self.pos > self.max_member_chars


def array_members(
    chunks: Iterator[bytes], *, field: str, max_member_chars: int = 1_000_000
) -> Iterator[Any]:
    """Yield each member of the array in a body ``{"<field>": [ ... ]}`` as it is parsed.

    Raises `JsonShapeError` (not JSON, another shape, another or a repeated key, a member
    longer than ``max_member_chars`` characters) or `StrictJsonError` (NaN, duplicate keys, a
    float too large) at the point where the body goes wrong: members before it have already
    been yielded, so the caller must undo what it did with them.
    """
    text = _Text(chunks, max_member_chars=max_member_chars)
    text.expect("{", "at the start of the body")
    key = text.value("a field name") if text.skip_whitespace() != "}" else None
    if key != field:
        raise JsonShapeError(f"The body must be an object with only the field {field!r}.")
    text.expect(":", f"after {field!r}")
    text.expect("[", f"as {field!r} must be an array")
    index = 0
    if text.skip_whitespace() == "]":
        text.pos += 1
    else:
        while True:
            yield text.value(f"{field}[{index}]")
            index += 1
            separator = text.skip_whitespace()
            text.pos += 1
            if separator == "]":
                break
            if separator != ",":
                shown = repr(separator) if separator else "the end of the body"
                raise JsonShapeError(
                    f"Expected ',' or ']' after {field}[{index - 1}], found {shown}."
                )
    closing = text.skip_whitespace()
    if closing == ",":
        raise JsonShapeError(f"The body must be an object with only the field {field!r}.")
    text.expect("}", f"after the {field!r} array")
    if text.skip_whitespace():
        raise JsonShapeError("The body goes on after its closing '}'.")
