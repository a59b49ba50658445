"""An update round: records found again keep their earlier copy's decisions and are not
screened again; only new records enter the queue; every PRISMA box still adds up."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from screening.demo_data import seed_ris
from screening.models import CandidatePair, PairStatus, Record, RecordState, Vote
from screening.selectors.prisma import review_flow
from screening.selectors.search_log import round_counts
from screening.services import search_log as rounds
from screening.services.dedupe import confirm_pair
from screening.services.imports import create_import
from screening.services.votes import cast_vote
from tests.prisma_app.seed import import_seed, screen_seed


def _import(world, content, *, name, source, capture, search_round=None):
    with capture(execute=True):
        return create_import(
            review=world.review,
            upload=SimpleUploadedFile(name, content),
            source_name=source,
            uploaded_by=world.lead,
            search_round=search_round,
        )


def _snapshot(review):
    """Every round-1 record's place in the flow, its votes and its stage outcomes."""
    return {
        r.pk: (
            r.state,
            sorted(r.votes.values_list("stage", "reviewer", "verdict", "reason")),
            sorted(r.outcomes.values_list("stage", "status", "decision", "reason")),
        )
        for r in Record.objects.filter(review=review, batch__search_round__number=1)
    }


def test_an_update_round_keeps_every_decision_and_screens_only_new_records(
    world, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    import_seed(world.review, world.lead, capture)
    screen_seed(world.review, [world.reviewer, world.reviewer2], world.lead)
    before = _snapshot(world.review)
    votes_before = Vote.objects.filter(record__review=world.review).count()
    included_before = review_flow(review=world.review)[0].total_studies

    update = rounds.add_round(review=world.review)
    # The update: 80% of the 268 works again (as PubMed finds them a year later), plus 20 new.
    _import(
        world,
        seed_ris(range(268, 288), range(0, 214)),
        name="pubmed-2025.ris",
        source="PubMed",
        capture=capture,
        search_round=update,
    )

    assert _snapshot(world.review) == before  # no earlier decision changed
    assert Vote.objects.filter(record__review=world.review).count() == votes_before
    second = Record.objects.filter(review=world.review, batch__search_round=update)
    copies = second.filter(state=RecordState.DUPLICATE)
    assert copies.count() == 214
    # Each copy is linked to its earlier copy, which stays the primary.
    assert not copies.exclude(duplicate_group__primary__batch__search_round__number=1).exists()
    assert set(second.exclude(state=RecordState.DUPLICATE).values_list("state", flat=True)) == {
        RecordState.TA
    }
    assert Record.objects.filter(review=world.review, state=RecordState.TA).count() == 20
    counts = round_counts(review=world.review)
    assert counts[2] == {
        "identified": 234,
        "duplicates_within": 0,
        "found_again": 214,
        "found_again_screened": 214,
        "new": 20,
    }
    assert counts[1]["identified"] == 336 and counts[1]["new"] == 268
    flow, violations = review_flow(review=world.review)
    assert violations == []
    assert flow.total_studies == included_before
    # Every box of both rounds adds up, and the duplicates box draws its two lines.
    first, violations = review_flow(review=world.review, round_number=1)
    # Nothing can be found again in the first round: its box keeps one line.
    assert violations == [] and not first.has_round_duplicates and first.duplicates == 68
    second_flow, violations = review_flow(review=world.review, round_number=2)
    assert violations == []
    assert second_flow.records_identified == 234 and second_flow.records_screened == 20
    assert (second_flow.duplicates_within_round, second_flow.duplicates_found_again) == (0, 214)
    assert second_flow.previous_studies == first.total_studies == included_before
    assert second_flow.total_studies == included_before + second_flow.new_studies
    assert (flow.duplicates_within_round, flow.duplicates_found_again) == (68, 214)

    # Screening the round: only its 20 new records are offered and voted on; no copy
    # found again is screened a second time.
    for record in Record.objects.filter(review=world.review, state=RecordState.TA):
        for reviewer in (world.reviewer, world.reviewer2):
            cast_vote(record=record, stage="ta", reviewer=reviewer, verdict="exclude")
    assert not Vote.objects.filter(record__in=copies).exists()
    assert Vote.objects.filter(record__in=second).count() == 40
    assert _snapshot(world.review) == before
    for number in (None, 1, 2):
        assert review_flow(review=world.review, round_number=number)[1] == [], number


def test_the_earlier_copy_stays_primary_even_when_the_new_one_is_richer(
    world, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    # Round 1 found the work without an abstract or DOI; one reviewer has voted on it.
    poor = b"TY  - JOUR\nTI  - Low-dose naltrexone for fibromyalgia: a pilot trial\nAU  - Younger, J.\nPY  - 2009\nER  - \n"
    _import(world, poor, name="r1.ris", source="Embase", capture=capture)
    earlier = Record.objects.get(review=world.review)
    cast_vote(record=earlier, stage="ta", reviewer=world.reviewer, verdict="include")
    update = rounds.add_round(review=world.review)
    rich = (
        b"TY  - JOUR\nTI  - Low-dose naltrexone for fibromyalgia: a pilot trial\nAU  - Younger, Jarred\n"
        b"PY  - 2009\nJO  - Pain Medicine\nDO  - 10.1111/j.1526-4637.2009.00613.x\n"
        b"AB  - A long abstract.\nER  - \n"
    )
    _import(world, rich, name="r2.ris", source="Embase", capture=capture, search_round=update)
    earlier.refresh_from_db()
    later = Record.objects.get(review=world.review, batch__search_round=update)
    if later.state == RecordState.DUPLICATE:
        assert earlier.state == RecordState.TA and earlier.votes.count() == 1
        assert later.duplicate_group.primary_id == earlier.pk
    else:
        # Not certain enough for an automatic merge: a person decides, and cannot make
        # the later copy the primary.
        pair = CandidatePair.objects.get(review=world.review, status=PairStatus.PENDING)
        with pytest.raises(ValidationError, match="found again in search round 2"):
            confirm_pair(pair=pair, actor=world.lead, primary_id=later.pk)
        group = confirm_pair(pair=pair, actor=world.lead)
        assert group.primary_id == earlier.pk
    earlier.refresh_from_db()
    assert earlier.state == RecordState.TA and earlier.votes.count() == 1


def test_a_person_cannot_put_a_later_copy_in_the_earlier_records_place(
    world, django_capture_on_commit_callbacks
):
    from screening.services.dedupe import set_primary

    capture = django_capture_on_commit_callbacks
    _import(
        world,
        b"TY  - JOUR\nTI  - Naltrexone in pain clinics\nAU  - Ng, A.\nPY  - 2015\nER  - \n",
        name="a.ris",
        source="Embase",
        capture=capture,
    )
    update = rounds.add_round(review=world.review)
    _import(
        world,
        b"TY  - JOUR\nTI  - Opioid antagonists and sleep\nAU  - Lee, B.\nPY  - 2021\nER  - \n",
        name="b.ris",
        source="Embase",
        capture=capture,
        search_round=update,
    )
    earlier = Record.objects.get(review=world.review, batch__search_round__number=1)
    later = Record.objects.get(review=world.review, batch__search_round=update)
    # The lead reads the two as the same report (a pair left for a person).
    pair = CandidatePair.objects.create(
        review=world.review, record_a=earlier, record_b=later, score=0.7, automatic=False
    )
    with pytest.raises(ValidationError, match="found again in search round 2"):
        confirm_pair(pair=pair, actor=world.lead, primary_id=later.pk)
    group = confirm_pair(pair=pair, actor=world.lead)
    assert group.primary_id == earlier.pk
    with pytest.raises(ValidationError):
        set_primary(group=group, record=later, actor=world.lead)
    later.refresh_from_db()
    assert later.state == RecordState.DUPLICATE
    assert round_counts(review=world.review)[2]["found_again"] == 1


def test_each_round_has_its_own_prisma_flow_that_adds_up(
    world, client_for, django_capture_on_commit_callbacks, capsys
):
    import json

    from django.core.management import call_command
    from django.urls import reverse

    capture = django_capture_on_commit_callbacks
    import_seed(world.review, world.lead, capture)
    screen_seed(world.review, [world.reviewer, world.reviewer2], world.lead)
    update = rounds.add_round(review=world.review)
    _import(
        world,
        seed_ris(range(268, 278), range(0, 100)),
        name="update.ris",
        source="Embase",
        capture=capture,
        search_round=update,
    )
    first, violations = review_flow(review=world.review, round_number=1)
    assert violations == []
    assert (first.records_identified, first.duplicates, first.records_screened) == (336, 68, 268)
    assert (first.has_previous_version, first.total_studies) == (False, 29)
    second, violations = review_flow(review=world.review, round_number=2)
    assert violations == []
    assert (second.records_identified, second.duplicates, second.records_screened) == (110, 100, 10)
    assert (second.has_previous_version, second.previous_studies, second.previous_reports) == (
        True,
        29,
        29,
    )
    assert (second.new_studies, second.total_studies) == (0, 29)
    # One new record is included: previous + new.
    newcomer = Record.objects.filter(review=world.review, state=RecordState.TA).order_by("pk")[0]
    for reviewer in (world.reviewer, world.reviewer2):
        cast_vote(record=newcomer, stage="ta", reviewer=reviewer, verdict="include")
    from screening.services.fulltext import upload_fulltext
    from tests.prisma_app.seed import PDF

    newcomer.refresh_from_db()
    upload_fulltext(
        record=newcomer, upload=SimpleUploadedFile("p.pdf", PDF), uploaded_by=world.lead
    )
    for reviewer in (world.reviewer, world.reviewer2):
        cast_vote(record=newcomer, stage="ft", reviewer=reviewer, verdict="include")
    second, violations = review_flow(review=world.review, round_number=2)
    assert violations == []
    assert (second.new_studies, second.previous_studies, second.total_studies) == (1, 29, 30)
    whole, violations = review_flow(review=world.review)
    assert violations == [] and whole.total_studies == 30

    # The same flow from the command, the API and the page's downloads.
    capsys.readouterr()
    call_command("prisma", world.review.pk, "--round", "2")
    document = json.loads(capsys.readouterr().out)
    client = client_for(world.viewer)
    api = client.get(f"/api/reviews/{world.review.pk}/prisma/?round=2")
    assert api.status_code == 200
    assert json.loads(api.content)["nodes"]["total_studies"]["n"] == 30
    assert document["nodes"]["previous_studies"]["n"] == 29
    assert client.get(f"/api/reviews/{world.review.pk}/prisma/?round=9").status_code == 404
    page = client.get(reverse("prisma", args=[world.review.pk]) + "?round=2")
    assert page.status_code == 200 and 'data-testid="prisma-rounds"' in page.content.decode()
    download = client.get(reverse("prisma_download", args=[world.review.pk, "csv"]) + "?round=2")
    assert download.status_code == 200 and b"previous_studies" in download.content


def test_a_rounds_diagram_draws_both_duplicate_lines_and_links_to_that_rounds_records(
    world, client_for, django_capture_on_commit_callbacks
):
    import json
    import re
    from html import unescape

    from django.urls import reverse

    capture = django_capture_on_commit_callbacks
    import_seed(world.review, world.lead, capture)
    update = rounds.add_round(review=world.review)
    # Round 2: 30 works found again, 10 new; Embase finds 4 of the new ones a second time.
    for name, source, content in (
        ("pubmed-2025.ris", "PubMed", seed_ris(range(268, 278), range(0, 30))),
        ("embase-2025.ris", "Embase", seed_ris(range(0, 0), range(268, 272))),
    ):
        _import(world, content, name=name, source=source, capture=capture, search_round=update)
    client = client_for(world.viewer)
    page = client.get(reverse("prisma", args=[world.review.pk]) + "?round=2").content.decode()
    assert "within a search round" in page and "found again from an earlier" in page

    document = json.loads(
        client.get(reverse("prisma_download", args=[world.review.pk, "json"]) + "?round=2").content
    )
    nodes = document["nodes"]
    assert document["arms"]["search_rounds"] and document["violations"] == []
    assert nodes["duplicates"]["n"] == 34
    assert nodes["duplicates_within_round"]["n"] == 4
    assert nodes["duplicates_found_again"]["n"] == 30

    def listed(url: str) -> int:
        html = client.get(url).content.decode()
        return int(re.search(r'data-testid="record-count">(\d+)', html).group(1))

    # Every number of the round's diagram opens that round's records, and only those.
    for node in ("records_identified", "duplicates", "duplicates_within_round",
                 "duplicates_found_again", "records_screened", "records_awaiting_screening"):  # fmt: skip
        url = nodes[node]["url"]
        assert "round=2" in url, node
        assert listed(url) == nodes[node]["n"], node
    assert listed(nodes["previous_studies"]["url"]) == nodes["previous_studies"]["n"]
    # The whole review's diagram: the same two lines, counted over every round.
    whole = json.loads(
        client.get(reverse("prisma_download", args=[world.review.pk, "json"])).content
    )["nodes"]
    assert (whole["duplicates_within_round"]["n"], whole["duplicates_found_again"]["n"]) == (
        68 + 4,
        30,
    )
    assert listed(whole["duplicates_found_again"]["url"]) == 30
    # The SVG, the PRISMA2020 CSV (the duplicates row's box text) and the PNG/PDF draw them.
    svg = client.get(
        reverse("prisma_download", args=[world.review.pk, "svg"]) + "?round=2"
    ).content.decode()
    assert "within a search round" in svg and "found again" in svg
    assert "found_again=yes" in unescape(svg) and "round=2" in unescape(svg)
    rows = client.get(
        reverse("prisma_download", args=[world.review.pk, "csv"]) + "?round=2"
    ).content.decode()
    assert (
        "Duplicate records (within a search round, n = 4; found again from an earlier round, "
        "n = 30)" in rows
    )
