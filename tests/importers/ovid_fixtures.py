"""Writes the Ovid export fixtures (fixtures/ovid_*.txt): synthetic records in the shape Ovid
gives for Embase, MEDLINE and PsycINFO ("Export > Citation Manager", "Fields: Complete
Reference"). Titles, names and numbers are invented from word lists with a fixed seed; no
record is copied from any database.

    .venv/bin/python -m tests.importers.ovid_fixtures   # rewrite the files

`expected(db)` gives the fields each generated record must import with; the tests check the
files on disk are exactly what this script writes.
"""

from __future__ import annotations

import random
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"
COUNTS = {"embase": 300, "medline": 260, "psycinfo": 220}

_SURNAMES = [
    "Adeyemi",
    "Balogun",
    "Castellanos",
    "Dvorakova",
    "Eriksen",
    "Fonseca",
    "Grünwald",
    "Haddad",
    "Ishikawa",
    "Jovanović",
    "Kowalczyk",
    "Lindqvist",
    "Moreau",
    "Nakagawa",
    "Okonkwo",
    "Petrov",
    "Quiroga",
    "Rasmussen",
    "Sørensen",
    "Takahashi",
    "Uçar",
    "Villanueva",
    "Whitfield",
    "Xu",
    "Yilmaz",
    "Zamora",
]
_GIVEN = [
    "Amara",
    "Bruno",
    "Chiara",
    "Dmitri",
    "Elif",
    "Farah",
    "Gustav",
    "Hana",
    "Ines",
    "Jonas",
    "Kofi",
    "Lena",
    "Mateo",
    "Nadia",
    "Oskar",
    "Priya",
    "Quentin",
    "Rosa",
    "Sven",
    "Tariq",
    "Una",
    "Viktor",
    "Wanjiru",
    "Yusuf",
    "Zofia",
]
_CONDITIONS = [
    "chronic low back pain",
    "type 2 diabetes",
    "major depressive disorder",
    "atrial fibrillation",
    "knee osteoarthritis",
    "generalised anxiety",
    "insomnia",
    "heart failure",
    "asthma in children",
    "postpartum depression",
]
_INTERVENTIONS = [
    "mindfulness-based therapy",
    "supervised exercise",
    "a digital self-management programme",
    "low-dose naltrexone",
    "nurse-led follow-up",
    "cognitive behavioural therapy",
    "acupuncture",
    "a text-message reminder service",
    "structured education",
    "peer support",
]
_DESIGNS = [
    "a randomised controlled trial",
    "a pragmatic cluster trial",
    "a prospective cohort study",
    "a pilot feasibility study",
    "a multicentre trial",
]
_JOURNALS = [
    "Journal of Invented Clinical Studies",
    "Annals of Synthetic Medicine",
    "Fictional Reviews in Rehabilitation",
    "Imaginary Journal of Psychiatry",
    "Trials in Made-up Care",
    "Notional Health Reports",
]
_MESH = [
    "Adult",
    "Aged",
    "Female",
    "Male",
    "Middle Aged",
    "Humans",
    "Treatment Outcome",
    "Quality of Life",
    "Follow-Up Studies",
    "Patient Compliance",
]
_PSYC = [
    "Treatment Effectiveness Evaluation",
    "Psychotherapy",
    "Mindfulness",
    "Anxiety",
    "Major Depression",
    "Sleep",
    "Chronic Pain",
    "Self-Management",
    "Social Support",
]
_LANGUAGES = ("English", "English", "English", "English", "German", "French", "Spanish")


@dataclass
class Expected:
    """What one generated record must import as."""

    title: str
    authors: list[str]
    year: int
    journal: str
    volume: str = ""
    issue: str = ""
    pages: str = ""
    doi: str = ""
    pmid: str = ""
    record_key: str = ""
    abstract: str = ""
    language: str = "English"
    publication_type: str = ""
    keywords: list[str] = field(default_factory=list)


def _wrap(tag: str, value: str) -> str:
    """A tagged line, wrapped at 80 columns with the six-space indent Ovid uses."""
    lines = textwrap.wrap(value, 74, break_long_words=False, break_on_hyphens=False) or [""]
    return f"{tag}  - {lines[0]}\n" + "".join(f"      {line}\n" for line in lines[1:])


def _people(rng: random.Random) -> list[tuple[str, str]]:
    return [(rng.choice(_SURNAMES), rng.choice(_GIVEN)) for _ in range(rng.randint(1, 7))]


def _title(rng: random.Random) -> str:
    return (
        f"Effect of {rng.choice(_INTERVENTIONS)} on {rng.choice(_CONDITIONS)}: "
        f"{rng.choice(_DESIGNS)} (study {rng.randint(100, 99999)})"
    )


def _abstract(rng: random.Random, title: str) -> str:
    n = rng.randint(40, 900)
    return (
        f"BACKGROUND: We asked whether {title.split(':')[0].lower()} changes outcomes. "
        f"METHODS: {n} participants were allocated at random and followed for "
        f"{rng.randint(6, 104)} weeks. RESULTS: The mean difference was "
        f"{rng.uniform(-5, 5):.2f} points (95% CI {rng.uniform(-9, -5):.1f} to "
        f"{rng.uniform(5, 9):.1f}). CONCLUSIONS: More research is needed."
    )


def _record(db: str, index: int, rng: random.Random) -> tuple[str, Expected]:
    people = _people(rng)
    title = _title(rng)
    year = rng.randint(1995, 2024)
    journal = rng.choice(_JOURNALS)
    volume, issue = str(rng.randint(1, 400)), str(rng.randint(1, 12))
    first = rng.randint(1, 2000)
    pages = f"{first}-{first + rng.randint(2, 15)}"
    doi = f"10.{rng.randint(1000, 9999)}/synth.{db}.{index:05d}"
    language = rng.choice(_LANGUAGES)
    has_abstract = rng.random() > 0.1
    abstract = _abstract(rng, title) if has_abstract else ""
    quirk = index % 10
    lines = [f"<{index}. >\n", "VN  - Ovid Technologies\n"]
    if db == "embase":
        accession = str(2_001_000_000 + index * 37)
        pmid = str(30_000_000 + index * 11) if index % 3 == 0 else ""
        supplement = quirk == 3
        conference = quirk in (3, 7)
        ptype = "Conference Abstract" if conference else "Article"
        if supplement:
            issue = f"Supplement {rng.randint(1, 4)}"
        no_pages = quirk in (3, 5)
        pages_text = "no pagination" if no_pages else f"pp {pages}"
        where = (
            f" Conference: {year} Invented Congress of Care. Lisbon Portugal." if conference else ""
        )
        source = f"{journal}.{where} {volume} ({issue}) ({pages_text}), {year}. Date of Publication: {year}."
        emtree = ["*" + rng.choice(_CONDITIONS), rng.choice(_MESH), "human"]
        lines += ["DB  - Embase\n", f"AN  - {accession}\n", _wrap("TI", title)]
        lines += [f"AU  - {surname} {given[0]}.\n" for surname, given in people]
        lines += [_wrap("SO", source)]
        if abstract:
            lines += [_wrap("AB", abstract)]
        lines += [f"MH  - {term}\n" for term in emtree]
        lines += [f"KW  - {rng.choice(_INTERVENTIONS)}\n", f"LG  - {language}\n"]
        lines += [f"PT  - Journal: {ptype}\n", f"DO  - https://dx.doi.org/{doi}\n"]
        if pmid:
            lines += [f"PM  - {pmid}\n"]
        lines += [
            f"EM  - {year}{rng.randint(10, 52)}\n",
            f"XL  - https://ovidsp.example/{accession}\n",
        ]
        expected = Expected(
            title=title,
            authors=[f"{s} {g[0]}." for s, g in people],
            year=year,
            journal=journal,
            volume=volume,
            issue=issue,
            pages="" if no_pages else pages,
            doi=doi,
            pmid=pmid,
            record_key=accession,
            abstract=abstract,
            language=language,
            publication_type=f"Journal: {ptype}",
            keywords=[*emtree, *(line[6:].strip() for line in lines if line.startswith("KW  - "))],
        )
    elif db == "medline":
        pmid = str(20_000_000 + index * 13)
        status = "MEDLINE" if quirk != 4 else "In-Process"
        mesh = [
            "*" + rng.choice(_CONDITIONS).title() + "/th [Therapy]",
            rng.choice(_MESH),
            "Humans",
        ]
        source = (
            f"{journal}. {volume}({issue}):{pages}, {year} {rng.choice(['Jan', 'Mar', 'Oct'])}."
        )
        lines += ["DB  - Ovid MEDLINE(R) ALL\n", f"UI  - {pmid}\n", _wrap("TI", title)]
        lines += [f"DP  - {year}\n", f"LG  - {language}\n"]
        lines += [f"AU  - {surname} {given[0]}\n" for surname, given in people]
        lines += [f"FA  - {surname}, {given}\n" for surname, given in people]
        lines += [_wrap("SO", source)]
        if abstract:
            lines += [_wrap("AB", abstract)]
        lines += [f"MH  - {term}\n" for term in mesh]
        lines += ["PT  - Journal Article\n", f"ST  - {status}\n"]
        if quirk in (2, 6):  # the MEDLINE-style fields, given separately
            lines += [
                f"JT  - {journal}\n",
                f"VI  - {volume}\n",
                f"IP  - {issue}\n",
                f"PG  - {pages}\n",
            ]
        lines += [f"DO  - https://dx.doi.org/{doi}\n", f"XL  - https://ovidsp.example/{pmid}\n"]
        expected = Expected(
            title=title,
            authors=[f"{s}, {g}" for s, g in people],
            year=year,
            journal=journal,
            volume=volume,
            issue=issue,
            pages=pages,
            doi=doi,
            pmid=pmid,
            record_key=pmid,
            abstract=abstract,
            language=language,
            publication_type="Journal Article",
            keywords=mesh,
        )
    else:
        accession = f"{year}-{rng.randint(10000, 99999)}-{index % 1000:03d}"
        headings = ["*" + rng.choice(_PSYC), rng.choice(_PSYC)]
        concepts = [rng.choice(_CONDITIONS), rng.choice(_INTERVENTIONS)]
        headings = list(dict.fromkeys(headings))
        no_pages = quirk == 5
        month = rng.choice(["Jan", "Jun", "Nov", ""])
        when = f"{month} {year}".strip()
        tail = "No Pagination Specified" if no_pages else f"pp. {pages}"
        source = f"{journal}. Vol.{volume}({issue}), {when}, {tail}."
        lines += ["DB  - APA PsycInfo\n", f"AN  - {accession}\n", _wrap("TI", title)]
        lines += [f"AU  - {surname}, {given}\n" for surname, given in people]
        lines += [
            _wrap("SO", source),
            f"PG  - {'No Pagination Specified' if no_pages else pages}\n",
        ]
        if abstract:
            lines += [_wrap("AB", abstract + " (PsycInfo Database Record (c) 2024 APA)")]
        lines += [f"MH  - {heading}\n" for heading in headings]
        lines += [f"ID  - {'; '.join(concepts)}\n", f"LG  - {language}\n"]
        lines += ["PT  - Journal; Peer Reviewed Journal\n", f"YR  - {year}\n"]
        lines += [f"DO  - https://dx.doi.org/{doi}\n"]
        expected = Expected(
            title=title,
            authors=[f"{s}, {g}" for s, g in people],
            year=year,
            journal=journal,
            volume=volume,
            issue=issue,
            pages="" if no_pages else pages,
            doi=doi,
            record_key=accession,
            abstract=abstract + " (PsycInfo Database Record (c) 2024 APA)" if abstract else "",
            language=language,
            publication_type="Journal; Peer Reviewed Journal",
            keywords=headings + list(dict.fromkeys(concepts)),
        )
    expected.authors = list(dict.fromkeys(expected.authors))
    expected.keywords = list(dict.fromkeys(expected.keywords))
    return "".join(lines) + "\n", expected


def generate(db: str) -> tuple[str, list[Expected]]:
    rng = random.Random(f"reviewapp-ovid-{db}")
    parts, expected = [], []
    for index in range(1, COUNTS[db] + 1):
        text, record = _record(db, index, rng)
        parts.append(text)
        expected.append(record)
    return "".join(parts), expected


def expected(db: str) -> list[Expected]:
    return generate(db)[1]


def main() -> None:
    for db in COUNTS:
        text, _ = generate(db)
        (FIXTURES / f"ovid_{db}.txt").write_text(text, encoding="utf-8", newline="\r\n")


if __name__ == "__main__":
    main()
