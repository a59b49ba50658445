from screening.demo import add_demo_screening
from screening.models import OutcomeStatus, RecordState, StageOutcome, Vote
from tests.conftest import make_user
from tests.screening.factories import make_records


def test_it_adds_demo_votes_once(world):
    make_records(world.review, 30)
    users = {"reviewer1": make_user("reviewer1"), "reviewer2": make_user("reviewer2")}
    add_demo_screening(review=world.review, users=users)
    votes = Vote.objects.count()
    add_demo_screening(review=world.review, users=users)
    assert Vote.objects.count() == votes > 0
    assert StageOutcome.objects.filter(stage="ta", status=OutcomeStatus.CONFLICT).exists()
    assert StageOutcome.objects.filter(stage="ft", status=OutcomeStatus.CONFLICT).exists()
    assert world.review.records.filter(state=RecordState.INCLUDED).exists()
    assert world.review.records.filter(state=RecordState.TA_EXCLUDED).exists()


def test_the_demo_records_read_like_a_real_search_on_the_seed_topic():
    import re

    from screening.demo_data import FIRST_SEARCH_WORKS, MAX_WORKS, seed_ris, seed_work

    works = [seed_work(i) for i in range(MAX_WORKS)]
    titles = [w["title"] for w in works]
    assert not [t for t in titles if re.search(r"\(\d+\)\s*$", t)]  # no "(252)" suffixes
    assert len(set(titles)) == len(titles)
    assert len({w["abstract"] for w in works}) == len(works)  # not one abstract for all
    assert all("naltrexone" in (w["title"] + w["abstract"]).lower() for w in works)
    assert len({w["journal"] for w in works}) >= 12
    assert all(
        re.fullmatch(r"[^\W\d][\w' -]*, [A-Z]\.( [A-Z]\.)?", a) for w in works for a in w["authors"]
    )
    assert all(w["year"] <= 2020 for w in works[:FIRST_SEARCH_WORKS])
    assert all(w["year"] >= 2020 for w in works[FIRST_SEARCH_WORKS:])
    # A real search's mix of designs: trials, case reports, reviews, animal studies...
    mix = " ".join(titles).lower()
    for design in ("randomized", "case report", "review", "model", "pilot", "survey"):
        assert mix.count(design) >= 3, design
    # The same works every run (the demo and the PRISMA tests rebuild the same review).
    assert seed_ris(range(0, 5), range(0, 0)) == seed_ris(range(0, 5), range(0, 0))
    assert b"AB  - " in seed_ris(range(0, 1), range(0, 0))
