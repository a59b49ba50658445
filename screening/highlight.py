"""Highlight the review's include/exclude terms in record text, safely.

The text is split around the matches of the raw text; each piece is escaped and only
the matches are wrapped in <mark>, so record text can never inject markup. Terms match
whole words, case-insensitively; a trailing or inner ``*`` matches any word characters
(``naltrex*`` marks naltrexone and naltrexol). Include terms win over exclude terms
when both match at the same place.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def _term_pattern(term: str) -> str:
    parts = [re.escape(part) for part in term.split("*")]
    body = r"\w*".join(parts)
    body = r"\s+".join(body.split(r"\ "))  # a phrase matches across any whitespace
    return rf"(?<!\w){body}(?!\w)"


class Highlighter:
    do_not_call_in_templates = True  # templates pass it to the `highlight` filter

    def __init__(self, include: Iterable[str] = (), exclude: Iterable[str] = (), *, css: str = ""):
        self.css = css  # one class for every match (search results), else by group
        groups = []
        for name, terms in (("inc", include), ("exc", exclude)):
            patterns = [_term_pattern(t.strip()) for t in terms if t.strip().strip("*")]
            if patterns:
                # Longest first so "low dose naltrexone" wins over "naltrexone".
                patterns.sort(key=len, reverse=True)
                groups.append(f"(?P<{name}>{'|'.join(patterns)})")
        self.regex = re.compile("|".join(groups), re.IGNORECASE) if groups else None

    def __call__(self, text: str | None) -> SafeString:
        text = text or ""
        if self.regex is None:
            return escape(text)
        out, last = [], 0
        for match in self.regex.finditer(text):
            if match.start() == match.end():
                continue
            css = self.css or ("hl-include" if match.lastgroup == "inc" else "hl-exclude")
            out.append(escape(text[last : match.start()]))
            out.append(f'<mark class="{css}">{escape(match.group(0))}</mark>')
            last = match.end()
        out.append(escape(text[last:]))
        return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped
