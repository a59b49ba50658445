"""Highlight the review's include/exclude terms in record text, safely and in linear time.

The text is split around the matches of the raw text; each piece is escaped and only
the matches are wrapped in <mark>, so record text can never inject markup. Terms match
whole words, case-insensitively; a ``*`` matches any run of word characters (letters,
digits, underscore) inside one word: ``naltrex*`` marks naltrexone and naltrexol,
``*algia`` fibromyalgia, ``an*sia`` analgesia. Words of a phrase match across any
whitespace. Every other character is literal. Include terms win over exclude terms when
both match at the same place; a longer term wins over a shorter one.

Why it cannot be slowed down (the lead types the terms; ``a*a*a*…b`` used to take 29 s
per record): a term is never compiled to a regex with a backtracking wildcard.
Each stretch of a term made of word characters and ``*`` (a "glob word") that holds a
``*`` becomes its literal prefix and then a possessive ``\\w*+`` (``\\w++`` when it starts
with ``*``: at least one character, so ``*`` alone is one word), which takes the rest of
the word in the text and never gives any back; that is exact, since a glob word is
always followed by a non-word character or the end of the term. The word taken is then checked against the glob by
`glob_matches`, which finds the literal pieces left to right with ``str.find`` (greedy
is correct for ``*``-only globs). So each attempt costs the length of the text it reads,
and terms are capped in length and number (`MAX_TERM_LENGTH`, `MAX_TERMS`, checked when
the lead saves them in `screening.services.settings.clean_terms`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

MAX_TERM_LENGTH = 100
MAX_TERMS = 100  # per list (include, exclude)

_WORD_RUN = re.compile(r"[\w*]+")  # word characters and *; those holding a * are globs
_SPACE = re.compile(r"\s+")


def glob_matches(glob: str, word: str) -> bool:
    """Whether `word` is `glob` with each ``*`` standing for any characters (case as given)."""
    parts = glob.split("*")
    if len(parts) == 1:
        return glob == word
    first, *middle, last = parts
    if len(word) < len(first) + len(last) or not word.startswith(first):
        return False
    if not word.endswith(last):
        return False
    position, end = len(first), len(word) - len(last)
    for part in middle:
        if not part:
            continue
        found = word.find(part, position, end)
        if found < 0:
            return False
        position = found + len(part)
    return True


@dataclass(frozen=True)
class _Term:
    regex: re.Pattern
    globs: tuple[str, ...]  # lower-cased, one per capture group of `regex`
    kind: str  # "inc" or "exc"
    rank: int  # lower wins at the same start

    def matches(self, text: str) -> Iterable[tuple[int, int]]:
        position = 0
        while True:
            found = self.regex.search(text, position)
            if found is None:
                return
            if found.end() > found.start() and all(
                glob_matches(glob, found.group(i).lower())
                for i, glob in enumerate(self.globs, start=1)
            ):
                yield found.start(), found.end()
                position = found.end()
            else:
                position = found.start() + 1


@functools.lru_cache(maxsize=2 * MAX_TERMS)
def compile_term(term: str) -> tuple[str, tuple[str, ...]]:
    """The regex source of one term and the globs its groups must match (see module doc).
    Kept per process: every screening page builds the review's highlighter again."""
    pieces: list[str] = []
    globs: list[str] = []
    last = 0
    for found in _WORD_RUN.finditer(term):
        if "*" not in found.group(0):
            continue
        glob = re.sub(r"\*+", "*", found.group(0).lower())
        prefix, star, rest = glob.partition("*")
        pieces.append(_literal(term[last : found.start()]) + re.escape(prefix))
        # After a literal prefix the rest may be empty; alone, a glob word is one word.
        pieces.append(r"(\w*+)" if prefix else r"(\w++)")
        globs.append(star + rest)
        last = found.end()
    pieces.append(_literal(term[last:]))
    return rf"(?<!\w){''.join(pieces)}(?!\w)", tuple(globs)


def _literal(text: str) -> str:
    # A phrase matches across any whitespace: a space becomes \s+, which only ever sits
    # between two literal non-space characters, so it cannot backtrack either.
    return r"\s+".join(re.escape(part) for part in _SPACE.split(text))


class Highlighter:
    do_not_call_in_templates = True  # templates pass it to the `highlight` filter

    def __init__(self, include: Iterable[str] = (), exclude: Iterable[str] = (), *, css: str = ""):
        self.css = css  # one class for every match (search results), else by group
        self.terms: list[_Term] = []
        for kind, terms in (("inc", include), ("exc", exclude)):
            cleaned = [" ".join(t.split()) for t in list(terms)[:MAX_TERMS]]
            cleaned = [t for t in cleaned if t.strip("*") and len(t) <= MAX_TERM_LENGTH]
            # Longest first so "low dose naltrexone" wins over "naltrexone".
            for term in sorted(cleaned, key=len, reverse=True):
                source, globs = compile_term(term)
                self.terms.append(
                    _Term(re.compile(source, re.IGNORECASE), globs, kind, len(self.terms))
                )

    @property
    def patterns(self) -> list[str]:
        return [term.regex.pattern for term in self.terms]

    def spans(self, text: str) -> list[tuple[int, int, str]]:
        """Non-overlapping (start, end, kind) matches, left to right."""
        found = sorted(
            (start, term.rank, end, term.kind)
            for term in self.terms
            for start, end in term.matches(text)
        )
        spans, last = [], 0
        for start, _rank, end, kind in found:
            if start >= last:
                spans.append((start, end, kind))
                last = end
        return spans

    def __call__(self, text: str | None) -> SafeString:
        text = text or ""
        out, last = [], 0
        for start, end, kind in self.spans(text) if self.terms else ():
            css = self.css or ("hl-include" if kind == "inc" else "hl-exclude")
            out.append(escape(text[last:start]))
            out.append(f'<mark class="{css}">{escape(text[start:end])}</mark>')
            last = end
        out.append(escape(text[last:]))
        return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped
