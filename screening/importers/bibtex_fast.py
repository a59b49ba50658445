"""The common BibTeX entry read without bibtexparser, giving exactly what bibtexparser 2's
splitter and default middlewares give (string references resolved, enclosing removed).

bibtexparser steps through every brace, quote, comma and newline in Python and takes
~0.3 ms an entry (30 s for a 200 MB export); most entries are plain
``@type{key, name = {value}, …}`` and read here in a tenth of that. Anything else (a
``@string``, ``@comment`` or ``@preamble`` block, a ``(``-delimited block, an ``@``
after the block start, a duplicate field, a macro once ``@string`` macros exist, an
entry without fields, anything malformed) is left to bibtexparser: `simple_entry`
returns None and the caller parses the text as before. tests/importers/test_bibtex_fast.py
compares the two on every shape in the BibTeX tests.
"""

from __future__ import annotations

import re

_START = re.compile(r"[ \t]*@(\w*)[ \t]*\{")
# bibtexparser's marks inside an entry: a mark right after a backslash is escaped.
_MARKS = re.compile(r'[{}",=]')
_BRACES = re.compile(r"(?<!\\)[{}]")
_BRACES_AND_QUOTE = re.compile(r'(?<!\\)[{}"]')
_NOT_ENTRIES = ("comment", "preamble", "string")  # bibtexparser matches these as prefixes


def simple_entry(text: str, *, macros: bool) -> tuple[str, str, list[tuple[str, str]]] | None:
    """``(entry type, key, [(field name, value), …])`` of the entry that starts `text`
    (what follows its closing brace is a comment), or None to leave it to bibtexparser.
    `macros`: whether ``@string`` macros were defined before it."""
    start = _START.match(text)
    if start is None or "@" in text[start.end() :]:
        return None
    entry_type = start.group(1).lower()
    if entry_type.startswith(_NOT_ENTRIES):
        return None
    marks = _unescaped_marks(text, start.end())
    comma = next(marks, None)
    if comma is None or text[comma] != ",":
        return None
    key = text[start.end() : comma].strip()
    fields: list[tuple[str, str]] = []
    names: set[str] = set()
    name_start = comma + 1
    while True:
        equals = next(marks, None)
        if equals is None:
            return None
        if text[equals] == "}":
            if text[name_start:equals].strip():
                return None  # a name without a value: bibtexparser's error
            return entry_type, key, fields
        if text[equals] != "=":
            return None
        end = _value_end(text, marks)
        if end is None:
            return None
        name = text[name_start:equals].strip()
        if name in names:
            return None  # bibtexparser keeps both values as a DuplicateFieldKeyBlock
        names.add(name)
        value = _value(text[equals + 1 : end].strip(), macros=macros)
        if value is None:
            return None
        fields.append((name, value))
        if text[end] == "}":
            return entry_type, key, fields
        name_start = end + 1


def entry_start(text: str) -> str:
    """The ``@type{`` that starts an entry `simple_entry` read."""
    return _START.match(text).group(0)


def _unescaped_marks(text: str, position: int):
    for match in _MARKS.finditer(text, position):
        index = match.start()
        if text[index - 1] != "\\":
            yield index


def _value_end(text: str, marks) -> int | None:
    """Where the value ends: the `,` or `}` outside braces and quotes (bibtexparser's
    `_move_to_comma_or_closing_delimiter`), or None for an entry that never ends."""
    depth, quoted = 0, False
    for index in marks:
        char = text[index]
        if char == '"' and depth == 0:
            if quoted and text[index - 1] == "{" and text[index + 1 : index + 2] == "}":
                return None  # bibtexparser's {"} escape inside quotes
            quoted = not quoted
        elif quoted:
            continue
        elif char == "{":
            depth += 1
        elif char == "}" and depth:
            depth -= 1
        elif depth == 0 and char in ",}":
            return index
    return None


def _value(value: str, *, macros: bool) -> str | None:
    """bibtexparser's ResolveStringReferences then RemoveEnclosing on one value; None
    when a macro might need resolving."""
    braced = value.startswith("{") and value.endswith("}")
    quoted = value.startswith('"') and value.endswith('"')
    if macros and not (braced or quoted):
        return None
    if len(value) >= 2:
        if braced and _enclosed_in_braces(value):
            return value[1:-1]
        if quoted and _enclosed_in_quotes(value):
            return value[1:-1]
    return value


def _enclosed_in_braces(value: str) -> bool:
    """Whether the first brace is the one closed at the last character."""
    inner = value[1:-1]
    if "{" not in inner and "}" not in inner:
        return not inner.endswith("\\")
    depth, last = 0, len(value) - 1
    for match in _BRACES.finditer(value):
        if match.group() == "{":
            depth += 1
            continue
        depth -= 1
        if depth < 0 or (depth == 0 and match.start() != last):
            return False
    return depth == 0


def _enclosed_in_quotes(value: str) -> bool:
    """Whether the first quote is the one closed at the last character."""
    last = len(value) - 1
    if value.find('"', 1, last) < 0:
        return True
    depth = 0
    for match in _BRACES_AND_QUOTE.finditer(value):
        index = match.start()
        if index in (0, last):
            continue
        char = match.group()
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(depth - 1, 0)
        elif depth == 0:
            return False
    return True
