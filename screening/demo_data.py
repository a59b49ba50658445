"""Search results shaped like the seed review's (Soin et al. 2021, low-dose naltrexone):
PubMed 89, Embase 95 and Web of Science 152 records, 68 of which repeat a record of an
earlier database, so deduplication leaves 268 to screen. Used by the demo and the tests."""

from __future__ import annotations

import random

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
_TOPICS = [
    "fibromyalgia",
    "complex regional pain syndrome",
    "Crohn disease",
    "multiple sclerosis",
    "chronic fatigue syndrome",
    "diabetic neuropathy",
    "dystonia",
    "sleep disturbance",
    "rheumatoid arthritis",
    "chronic low back pain",
    "interstitial cystitis",
    "migraine",
]
_DESIGNS = [
    "a randomized placebo-controlled trial",
    "a pilot study",
    "a case series",
    "a case report",
    "a retrospective cohort",
    "a systematic review",
    "a crossover trial",
    "an animal model",
    "an in vitro study of microglia",
    "a simulation model",
]
_SURNAMES = [
    "Younger",
    "Mackey",
    "Chopra",
    "Cooper",
    "Smith",
    "Parkitny",
    "Metyas",
    "Patten",
    "Bruun",
    "Kim",
    "Toljan",
    "Hota",
    "Ploesser",
    "Weinstock",
    "Sturn",
    "Raknes",
    "Ghai",
    "Srinivasan",
]


def seed_work(i: int) -> dict:
    rng = random.Random(i)
    topic, design = rng.choice(_TOPICS), rng.choice(_DESIGNS)
    return {
        "title": f"Low-dose naltrexone for {topic}: {design} ({i})",
        "authors": [
            f"{rng.choice(_SURNAMES)}, {rng.choice('ABCDEJKLMPRST')}."
            for _ in range(rng.randint(1, 4))
        ],
        "year": 2005 + i % 16,
        "journal": rng.choice(
            ["Pain Medicine", "Pain Physician", "J Pain Res", "Clin Rheumatol", "Pain"]
        ),
        "doi": f"10.5555/ldn.{i:04d}",
        "abstract": f"We studied low-dose naltrexone (LDN, 1.5-4.5 mg) in patients with {topic}, in {design}. "
        "Pain, fatigue and sleep were assessed before and after treatment.",
    }


def seed_ris(new: range, copies: range) -> bytes:
    """One database's export as RIS text: its own works, then the ones another database also found."""
    parts = []
    for i in [*new, *copies]:
        w = seed_work(i)
        authors = "".join(f"AU  - {a}\n" for a in w["authors"])
        parts.append(
            f"TY  - JOUR\nID  - ldn{i}\nTI  - {w['title']}\n{authors}PY  - {w['year']}\nJO  - {w['journal']}\n"
            f"DO  - {w['doi']}\nAB  - {w['abstract']}\nER  - \n\n"
        )
    return "".join(parts).encode()
