"""Safe, streaming access to the record elements of an XML export (EndNote XML, PubMed XML),
with the line each record starts on and its content flattened to ``path -> values``."""

from __future__ import annotations

import io
from collections.abc import Iterator
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser, iterparse

from .decoding import FileLines
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


class _LineBuilder(TreeBuilder):
    """Builds the tree and notes the line each record element starts on, read from expat
    while it reports the start tag."""

    def __init__(self, record_tags: frozenset[str]) -> None:
        super().__init__()
        self.record_tags = record_tags
        self.lines: dict[Element, int] = {}
        self.expat = None

    def start(self, tag, attrs):
        element = super().start(tag, attrs)
        if _local(tag) in self.record_tags:
            self.lines[element] = self.expat.CurrentLineNumber
        return element


def iter_record_elements(
    source: str | FileLines, record_tags: frozenset[str]
) -> Iterator[tuple[int, Element]]:
    """Yield ``(line, element)`` for each record element, parsed as a stream without DTDs,
    entities or external references (defusedxml). The element is cleared and dropped
    from the tree after the caller is done, and so is everything outside the records, so
    memory holds one record at a time however large the file."""
    if isinstance(source, str):
        yield from _iter_elements(io.StringIO(source), record_tags)
    else:
        with source.open_text() as stream:
            yield from _iter_elements(stream, record_tags)


def _iter_elements(stream, record_tags: frozenset[str]) -> Iterator[tuple[int, Element]]:
    builder = _LineBuilder(record_tags)
    parser = DefusedXMLParser(target=builder, forbid_entities=True, forbid_external=True)
    builder.expat = parser.parser
    open_elements: list[Element] = []
    records_open = 0
    try:
        for event, element in iterparse(stream, events=("start", "end"), parser=parser):
            if event == "start":
                open_elements.append(element)
                if len(open_elements) > MAX_DEPTH:
                    raise MalformedFile(
                        f"the XML is nested more than {MAX_DEPTH} elements deep, which no "
                        "bibliographic export is"
                    )
                records_open += element in builder.lines
                continue
            open_elements.pop()
            line = builder.lines.pop(element, None)
            if line is not None:
                records_open -= 1
                yield line, element
            elif records_open:
                continue  # a part of a record: the record is yielded whole when it ends
            element.clear()
            if open_elements:
                open_elements[-1].remove(element)
    except ParseError as error:
        row = error.position[0] if error.position else 0
        raise MalformedFile(f"the XML is broken ({error.msg})", line=row) from None
    except DefusedXmlException:
        raise UnsupportedFile(
            "This XML file declares entities or external references, which reviewapp refuses "
            "to read for safety. Export the records again from the reference manager."
        ) from None
