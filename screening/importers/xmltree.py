"""Safe, streaming access to the record elements of an XML export (EndNote XML, PubMed XML),
with the line each record starts on and its content flattened to ``path -> values``.

expat parses in C and calls back here once per start tag, end tag and run of text; only
the records are built as elements (by the C TreeBuilder), one at a time. Entities and
external references are refused as defusedxml refuses them."""

from __future__ import annotations

import io
from collections.abc import Iterator
from xml.etree.ElementTree import Element, TreeBuilder
from xml.parsers import expat

from .decoding import FileLines
from .records import ImportFileError, MalformedFile, Rejection, UnsupportedFile

MAX_DEPTH = 100  # elements inside elements; real exports stay under 15
_CHUNK = 256 * 1024  # characters handed to expat at a time

# Inline markup inside a value (italics in a title, EndNote's <style> runs): part of the text.
INLINE_TAGS = frozenset({"style", "i", "b", "u", "sup", "sub", "em", "strong", "mml:math"})

UNSAFE = (
    "This XML file declares entities or external references, which reviewapp refuses "
    "to read for safety. Export the records again from the reference manager."
)


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


def iter_record_elements(
    source: str | FileLines, record_tags: frozenset[str], *, max_record_chars: int
) -> Iterator[tuple[int, Element | Rejection]]:
    """Yield ``(line, element)`` for each record element, in file order, parsed as a
    stream. A record whose XML is longer than `max_record_chars` is not built: its
    rejection comes instead. Memory holds the records of one chunk of text at most (a
    record inside a record is part of the outer one)."""
    reader = _RecordReader(record_tags, max_record_chars)
    if isinstance(source, str):
        yield from reader.read(io.StringIO(source))
    else:
        with source.open_text() as stream:
            yield from reader.read(stream)


class _RecordReader:
    """expat's callbacks, as few and as cheap as they can be."""

    def __init__(self, record_tags: frozenset[str], max_record_chars: int) -> None:
        self.record_tags = record_tags
        self.max_record_chars = max_record_chars
        self.names: dict[str, str] = {}  # expat's "uri}local" -> ElementTree's "{uri}local"
        self.depth = 0
        self.record_depth = 0  # the depth of the record being read, 0 outside records
        self.record_start = 0  # where it starts in the text (expat's byte index)
        self.builder: TreeBuilder | None = None  # None outside records and in one over the cap
        self.line = 0
        self.done: list[tuple[int, Element | Rejection]] = []
        parser = expat.ParserCreate(None, "}")
        parser.buffer_text = True
        parser.buffer_size = 64 * 1024
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._data
        parser.DefaultHandlerExpand = self._default
        parser.EntityDeclHandler = self._refuse
        parser.UnparsedEntityDeclHandler = self._refuse
        parser.ExternalEntityRefHandler = self._refuse
        self.parser = parser

    def read(self, stream) -> Iterator[tuple[int, Element | Rejection]]:
        parse = self.parser.Parse
        try:
            while chunk := stream.read(_CHUNK):
                parse(chunk, False)
                yield from self._take()
            parse("", True)
        except expat.ExpatError as error:
            yield from self._take()  # the records before the error, as they were read
            raise MalformedFile(f"the XML is broken ({error})", line=error.lineno) from None
        except ImportFileError:
            yield from self._take()
            raise
        yield from self._take()

    def _take(self) -> list[tuple[int, Element | Rejection]]:
        done, self.done = self.done, []
        return done

    def _name(self, name: str) -> str:
        fixed = self.names.get(name)
        if fixed is None:
            fixed = self.names[name] = "{" + name if "}" in name else name
        return fixed

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise MalformedFile(
                f"the XML is nested more than {MAX_DEPTH} elements deep, which no "
                "bibliographic export is"
            )
        if self.record_depth:
            if self.builder is not None and self._within_cap():
                self.builder.start(self._name(name), self._attrs(attrs))
            return
        tag = self._name(name)
        if _local(tag) in self.record_tags:
            self.builder = TreeBuilder()
            self.builder.start(tag, self._attrs(attrs))
            self.record_depth = self.depth
            self.record_start = self.parser.CurrentByteIndex
            self.line = self.parser.CurrentLineNumber

    def _attrs(self, attrs: dict[str, str]) -> dict[str, str]:
        return {self._name(key): value for key, value in attrs.items()} if attrs else attrs

    def _within_cap(self) -> bool:
        """False (and the record's tree dropped) once its text is past the cap."""
        if self.parser.CurrentByteIndex - self.record_start <= self.max_record_chars:
            return True
        self.builder = None
        return False

    def _end(self, name: str) -> None:
        if self.record_depth:
            if self.builder is not None:
                self.builder.end(self._name(name))
            if self.depth == self.record_depth:
                self._finish_record()
        self.depth -= 1

    def _finish_record(self) -> None:
        size = self.parser.CurrentByteIndex - self.record_start
        if self.builder is not None and size <= self.max_record_chars:
            self.done.append((self.line, self.builder.close()))
        else:
            reason = (
                f"the record's XML is longer than {self.max_record_chars:,} characters, the "
                "limit for one record"
            )
            self.done.append((self.line, Rejection(self.line, reason)))
        self.builder = None
        self.record_depth = 0

    def _data(self, text: str) -> None:
        if self.builder is not None and self._within_cap():
            self.builder.data(text)

    def _default(self, text: str) -> None:
        # What expat leaves unparsed (comments, declarations) is skipped, but a reference
        # to an entity nobody declared is an error, as in ElementTree.
        if text[:1] == "&":
            line = self.parser.ErrorLineNumber
            error = expat.ExpatError(
                f"undefined entity {text}: line {line}, column {self.parser.ErrorColumnNumber}"
            )
            error.lineno = line
            raise error

    def _refuse(self, *args) -> None:
        raise UnsupportedFile(UNSAFE)
