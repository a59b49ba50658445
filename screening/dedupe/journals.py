"""Whether two journal names (each with its alternatives) name the same journal."""

from __future__ import annotations

from functools import lru_cache

from rapidfuzz.fuzz import token_set_ratio


# A review names a few hundred journals, so most pairs of names come back often.
@lru_cache(maxsize=100_000)
def journal_agreement(a: tuple[str, ...], b: tuple[str, ...]) -> bool | None:
    """Whether two journals are the same, None if either is unknown.

    Each side may carry alternative names; any agreeing pair counts. Abbreviations
    ("curr opin lipidol" / "current opinion lipidology") and acronyms ("bmj" /
    "british medical journal") are accepted.
    """
    if not a or not b:
        return None
    return any(_same_journal(x, y) for x in a for y in b)


def _same_journal(a: str, b: str) -> bool:
    if a == b:
        return True
    words_a, words_b = a.split(), b.split()
    if _abbreviates(words_a, words_b) or _abbreviates(words_b, words_a):
        return True
    for short, long_ in ((words_a, words_b), (words_b, words_a)):
        # An acronym: "bmj" for "british medical journal".
        acronym = len(short) == 1 and 2 < len(short[0]) <= 6 and len(long_) == len(short[0])
        if acronym and "".join(w[0] for w in long_) == short[0]:
            return True
    return token_set_ratio(a, b) >= 90


def _abbreviates(short: list[str], full: list[str]) -> bool:
    """Whether `short` is `full` with words abbreviated ISO 4 style, in order."""
    if len(short) != len(full) and not (len(short) >= 3 and len(full) - len(short) == 1):
        return False
    position = 0
    for word in short:
        while position < len(full) and not _abbreviates_word(word, full[position]):
            position += 1
        if position == len(full):
            return False
        position += 1
    return True


def _abbreviates_word(word: str, full: str) -> bool:
    if full.startswith(word):
        return True
    # "natl" for "national": the letters in order, starting alike.
    if word[0] != full[0]:
        return False
    remaining = iter(full)
    return all(ch in remaining for ch in word)
