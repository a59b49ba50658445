"""Search results shaped like the seed review's (Soin et al. 2021, low-dose naltrexone):
PubMed 89, Embase 95 and Web of Science 152 records, 68 of which repeat a record of an
earlier database, so deduplication leaves 268 to screen. Used by the demo and the tests.

The records read like that search's results: trials, case reports, reviews, animal and
cell studies on low-dose naltrexone in painful and inflammatory conditions, each with its
own title, authors, journal and structured abstract. They are written for this project:
combined from the phrase lists below by a seeded random generator (the same on every run),
not copied from any bibliographic database; the DOIs use the 10.5555 test prefix."""

from __future__ import annotations

import random
from functools import cache

from screening.demo_phrases import (
    ANIMAL_MODELS,
    CELLS,
    CONDITIONS,
    DESIGNS,
    FIRST_INITIALS,
    JOURNALS,
    OUTCOMES,
    SURGERIES,
    SURNAMES,
)

# (database, works found first there, works repeated from an earlier database)
SEED_SOURCES = [
    ("PubMed", range(0, 89), range(0, 0)),
    ("Embase", range(89, 151), range(0, 33)),
    ("Web of Science", range(151, 268), range(33, 68)),
]
SEED_QUERY = (
    '"low-dose naltrexone" AND ("pain" OR "chronic pain" OR "fibromyalgia" OR "complex regional pain '
    'syndrome" OR "neuropathic pain" OR "nociceptive pain")'
)
# Works 0-267 were found by the first searches (to July 2020); later ones by the update.
FIRST_SEARCH_WORKS = 268
MAX_WORKS = 400


def _authors(rng: random.Random, design: str) -> list[str]:
    many = {"rct": (4, 9), "cohort": (3, 7), "case_report": (1, 4), "review": (1, 4)}
    low, high = many.get(design, (2, 6))
    names = rng.sample(SURNAMES, rng.randint(low, high))
    out = []
    for name in names:
        initials = rng.choice(FIRST_INITIALS) + "."
        if rng.random() < 0.35:
            initials += " " + rng.choice(FIRST_INITIALS) + "."
        out.append(f"{name}, {initials}")
    return out


def _values(rng: random.Random, condition: dict) -> dict:
    """One work's particulars, shared by its title and abstract ({condition}, {n}, {dose}...)."""
    n = rng.choice([8, 12, 16, 20, 24, 28, 31, 36, 40, 48, 52, 60, 67, 80, 96, 120, 154, 212])
    weeks = rng.choice([4, 6, 8, 10, 12, 16, 24])
    before = round(rng.uniform(5.2, 7.8), 1)
    after = round(before - rng.uniform(0.4, 2.6), 1)
    values = {
        "condition": condition["name"],
        "patients": condition["patients"],
        "outcome": rng.choice(condition.get("outcomes", OUTCOMES)),
        "outcome2": rng.choice(OUTCOMES),
        "n": n,
        "n_half": n // 2,
        "women": rng.randint(55, 100) if condition.get("mostly_women") else rng.randint(30, 70),
        "age": rng.randint(28, 61),
        "weeks": weeks,
        "months": rng.choice([3, 6, 9, 12, 18, 24, 36]),
        "dose": rng.choice(["1.5 mg", "3 mg", "4.5 mg", "4.5 mg", "3 to 4.5 mg"]),
        "before": before,
        "after": after,
        "percent": rng.randint(18, 72),
        "p": rng.choice(["0.001", "0.004", "0.01", "0.02", "0.03", "0.04", "0.12", "0.31"]),
        "dropouts": rng.randint(2, 6),
        "species": rng.choice(ANIMAL_MODELS),
        "cells": rng.choice(CELLS),
        "studies": rng.randint(5, 34),
        "sex": rng.choice(["woman", "man"]),
        "surgery": rng.choice(SURGERIES),
        "adverse": rng.choice(
            ["vivid dreams", "insomnia", "headache", "nausea", "transient sleep disturbance"]
        ),
    }
    return values


def _work(i: int, rng: random.Random) -> dict:
    design = rng.choices(list(DESIGNS), weights=[d["weight"] for d in DESIGNS.values()])[0]
    shape = DESIGNS[design]
    condition = rng.choice(CONDITIONS)
    values = _values(rng, condition)
    title = rng.choice(shape["titles"]).format(**values)
    abstract = " ".join(_sentence(rng.choice(part).format(**values)) for part in shape["abstract"])
    year = rng.randint(2020, 2021) if i >= FIRST_SEARCH_WORKS else _year(rng, design)
    journal, abbreviation = rng.choice(shape.get("journals") or JOURNALS)
    start = rng.randint(1, 900)
    return {
        "title": _sentence(title),
        "authors": _authors(rng, design),
        "year": year,
        "journal": journal,
        "volume": str(year - rng.choice([1960, 1975, 1990, 2000, 2005])),
        "issue": str(rng.randint(1, 12)),
        "pages": (start, start + rng.randint(3, 14)),
        "doi": f"10.5555/{abbreviation}.{year}.{1000 + 37 * i}",
        "abstract": abstract,
        # What an extractor would read in the paper (the demo's extraction uses it).
        "facts": {"design": design, "condition": condition["name"], **values},
        "keywords": [
            "low-dose naltrexone",
            *([condition["name"]] if condition["name"] in title + abstract else []),
            *shape.get("keywords", []),
        ],
    }


def _sentence(text: str) -> str:
    return text[0].upper() + text[1:]


def _year(rng: random.Random, design: str) -> int:
    # Interest grew over the years: more recent records, and reviews mostly lately.
    low = 2012 if design in {"review", "survey"} else 2005
    return min(2020, int(low + (2021 - low) * rng.random() ** 0.6))


@cache
def _works() -> tuple[dict, ...]:
    """MAX_WORKS distinct works (no two share a title or an abstract), the same on every run."""
    rng = random.Random(20200717)
    works, seen = [], set()
    while len(works) < MAX_WORKS:
        work = _work(len(works), rng)
        key = "".join(ch for ch in work["title"].lower() if ch.isalnum())
        if key not in seen and work["abstract"] not in seen:
            seen.update((key, work["abstract"]))
            works.append(work)
    return tuple(works)


def seed_work(i: int) -> dict:
    return _works()[i]


def work_with_doi(doi: str) -> dict | None:
    """The demo work a record came from (by its DOI), or None for any other record."""
    return next((w for w in _works() if w["doi"] == doi.lower()), None)


def seed_ris(new: range, copies: range) -> bytes:
    """One database's export as RIS text: its own works, then the ones another database also found."""
    parts = []
    for i in [*new, *copies]:
        w = seed_work(i)
        authors = "".join(f"AU  - {a}\n" for a in w["authors"])
        keywords = "".join(f"KW  - {k}\n" for k in w["keywords"])
        parts.append(
            f"TY  - JOUR\nID  - ldn{i}\nTI  - {w['title']}\n{authors}PY  - {w['year']}\n"
            f"JO  - {w['journal']}\nVL  - {w['volume']}\nIS  - {w['issue']}\n"
            f"SP  - {w['pages'][0]}\nEP  - {w['pages'][1]}\nDO  - {w['doi']}\n"
            f"AB  - {w['abstract']}\n{keywords}ER  - \n\n"
        )
    return "".join(parts).encode()
