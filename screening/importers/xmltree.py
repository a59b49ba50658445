"""Safe, streaming access to the record elements of an XML export (EndNote XML, PubMed XML),
with the line each record starts on and its content flattened to ``path -> values``."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import iterparse

from .records import MalformedFile, UnsupportedFile

MAX_DEPTH = 100  # elements inside elements; real exports stay under 15

# Inline markup inside a value (italics in a title, EndNote's <style> runs): part of the text.
INLINE_TAGS = frozenset({"style", "i", "b", "u", "sup", "sub", "em", "strong", "mml:math"})


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def text_of(element: Element) -> str:
    """All text inside an element, markup removed."""
    return "".join(element.itertext())


def _is_leaf(element: Element) -> bool:
    if len(element) == 0 or (element.text or "").strip():
        return True
    return all(_local(child.tag) in INLINE_TAGS or (child.tail or "").strip() for child in element)


def flatten(element: Element, raw: dict[str, list[str]], prefix: str = "") -> dict[str, list[str]]:
    """Every value below ``element`` as ``"parent/child" -> [texts]`` and attributes as
    ``"parent/child@name"``, so a record keeps everything its XML held."""
    for child in element:
        if not isinstance(child.tag, str):  # comments and processing instructions
            continue
        path = f"{prefix}{_local(child.tag)}"
        for name, value in child.attrib.items():
            raw.setdefault(f"{path}@{_local(name)}", []).append(value)
        if _is_leaf(child):
            raw.setdefault(path, []).append(text_of(child))
        else:
            flatten(child, raw, f"{path}/")
    return raw


def iter_record_elements(text: str, record_tags: frozenset[str]) -> Iterator[tuple[int, Element]]:
    """Yield ``(line, element)`` for each record element, parsed without DTDs, entities or
    external references (defusedxml). The element is cleared after the caller is done."""
    starts = re.compile("<(?:" + "|".join(map(re.escape, record_tags)) + r")[\s>/]")
    positions = starts.finditer(text)
    line, position, depth = 1, 0, 0
    try:
        for event, element in iterparse(io.StringIO(text), events=("start", "end")):
            if event == "start":
                depth += 1
                if depth > MAX_DEPTH:
                    raise MalformedFile(
                        f"the XML is nested more than {MAX_DEPTH} elements deep, which no "
                        "bibliographic export is"
                    )
                continue
            depth -= 1
            if _local(element.tag) not in record_tags:
                continue
            found = next(positions, None)
            if found is not None:
                line += text.count("\n", position, found.start())
                position = found.start()
            yield line, element
            element.clear()
    except ParseError as error:
        row = error.position[0] if error.position else 0
        raise MalformedFile(f"the XML is broken ({error.msg})", line=row) from None
    except DefusedXmlException:
        raise UnsupportedFile(
            "This XML file declares entities or external references, which reviewapp refuses "
            "to read for safety. Export the records again from the reference manager."
        ) from None
