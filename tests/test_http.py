"""reviewapp/http.py: an object of a review by id, or 404 — for every id a client can send.

Ids past 64 bits in a form or a JSON body used to reach the database (OverflowError: a
500); ids in paths must stay 404 however they are spelled; ids from another review must
look exactly like missing ones.
"""

import pytest
from django.http import Http404
from django.test import RequestFactory

from extraction.models import Study
from reviewapp.http import is_htmx, object_of_review_or_404, parse_id
from reviewapp.models import Membership
from screening.models import CandidatePair, DuplicateGroup, ImportBatch, Record
from tests.extraction.factories import make_study
from tests.factories import make_batch, make_record

PAST_64_BITS = str(2**64)
JUST_PAST = str(2**63)  # one past the largest bigint
HOSTILE_IDS = [PAST_64_BITS, JUST_PAST, "9" * 40, "abc", "1e3", "-1", "0", " ", "١٢", "1\x00"]


@pytest.mark.parametrize("value", HOSTILE_IDS + ["", None, 3.5])
def test_parse_id_refuses_everything_but_a_positive_bigint(value):
    assert parse_id(value) is None


def test_parse_id_reads_ids():
    assert parse_id("42") == 42 and parse_id(7) == 7 and parse_id(str(2**63 - 1)) == 2**63 - 1


def test_is_htmx_needs_the_header_htmx_sends():
    factory = RequestFactory()
    assert is_htmx(factory.get("/", HTTP_HX_REQUEST="true"))
    assert not is_htmx(factory.get("/"))


def test_object_of_review_or_404(world):
    batch = make_batch(world.review)
    other = make_batch(world.other_review)
    assert object_of_review_or_404(ImportBatch, world.review, str(batch.pk)) == batch
    assert object_of_review_or_404(ImportBatch.objects.all(), world.review, batch.pk) == batch
    for pk in [other.pk, *HOSTILE_IDS]:
        with pytest.raises(Http404):
            object_of_review_or_404(ImportBatch, world.review, pk)


@pytest.fixture
def objects(world):
    """One object of each kind the routes below fetch by id."""
    batch = make_batch(world.review)
    a, b = make_record(batch), make_record(batch)
    return {
        "batch": batch,
        "pair": CandidatePair.objects.create(
            review=world.review, record_a=a, record_b=b, score=0.9, automatic=False
        ),
        "group": DuplicateGroup.objects.create(review=world.review, primary=a),
        "member": Membership.objects.get(review=world.review, user=world.viewer),
        "study": make_study(world.review),
    }


PAGES = [  # (method, path under /reviews/<id>/ with {id} for the object's id)
    ("get", "imports/{id}/"),
    ("get", "imports/{id}/status/"),
    ("post", "imports/{id}/retry/"),
    ("post", "duplicates/pairs/{id}/confirm/"),
    ("post", "duplicates/groups/{id}/primary/"),
    ("post", "members/{id}/role/"),
    ("post", "members/{id}/remove/"),
    ("post", "screening/reasons/{id}/"),
    ("post", "ranking/stops/{id}/undo/"),
    ("get", "studies/{id}/extraction/"),
    ("post", "extraction/studies/{id}/rename/"),
]
API = [  # under /api/reviews/<id>/
    ("get", "members/{id}/"),
    ("delete", "members/?member={id}"),
    ("get", "imports/{id}/"),
    ("delete", "imports/{id}/"),
    ("post", "duplicates/pairs/{id}/reject/"),
    ("post", "duplicates/groups/{id}/unmerge/"),
    ("post", "ranking/stops/{id}/undo/"),
    ("get", "studies/{id}/extraction/mine/"),
    ("put", "studies/{id}/rob2/consensus/"),
]


@pytest.mark.parametrize("method,path", PAGES)
@pytest.mark.parametrize("pk", [PAST_64_BITS, JUST_PAST])
def test_pages_answer_404_for_ids_past_64_bits(client_for, world, method, path, pk):
    client = client_for(world.owner)
    response = getattr(client, method)(f"/reviews/{world.review.pk}/" + path.format(id=pk))
    assert response.status_code == 404


@pytest.mark.parametrize("method,path", API)
@pytest.mark.parametrize("pk", [PAST_64_BITS, JUST_PAST])
def test_the_api_answers_404_for_ids_past_64_bits(client_for, world, method, path, pk):
    client = client_for(world.owner)
    response = getattr(client, method)(f"/api/reviews/{world.review.pk}/" + path.format(id=pk))
    assert response.status_code == 404
    assert response.json() == {"detail": response.json()["detail"]}  # JSON, not a 500 page


def test_non_digit_ids_in_paths_answer_404(client_for, world, objects):
    client = client_for(world.owner)
    batch = objects["batch"].pk
    for path in [f"imports/{batch}x/", "imports/abc/", "imports/%EF%BC%91/"]:
        assert client.get(f"/reviews/{world.review.pk}/{path}").status_code == 404
        assert client.get(f"/api/reviews/{world.review.pk}/{path}").status_code == 404
    # A NUL anywhere in the request is refused before routing (reviewapp's NUL middleware).
    assert client.get(f"/reviews/{world.review.pk}/imports/1%00/").status_code == 400
    assert client.get(f"/api/reviews/{world.review.pk}/imports/1%00/").status_code == 400
    assert client.delete(f"/api/reviews/{world.review.pk}/members/?member=abc").status_code == 400


def test_ids_in_forms_and_bodies_are_bounded(client_for, world, objects):
    """Ids that come in a form or a JSON body: refused as a message or a 400, never a 500."""
    lead = client_for(world.owner)
    base = f"/reviews/{world.review.pk}/"
    group, study, pair = objects["group"], objects["study"], objects["pair"]
    Record.objects.filter(pk__in=[pair.record_a_id, pair.record_b_id]).update(duplicate_group=group)
    grouped = {pair.record_a_id, pair.record_b_id}
    for bad in [PAST_64_BITS, "abc", ""]:
        primary = lead.post(base + f"duplicates/groups/{group.pk}/primary/", {"record": bad})
        link = lead.post(base + "extraction/studies/link/", {"target": bad, "studies": [bad]})
        unlink = lead.post(base + f"extraction/studies/{study.pk}/unlink/", {"record": bad})
        assign = lead.post(
            base + f"extraction/studies/{study.pk}/extraction/assign/",
            {"user": bad, "slot": "1"},
        )
        bulk = lead.post(base + "duplicates/pairs/bulk/", {"pair": [bad], "decision": "reject"})
        unmerge_one = lead.post(
            base + f"duplicates/groups/{group.pk}/unmerge/", {"record": bad or "x"}
        )
        responses = (primary, link, unlink, assign, bulk, unmerge_one)
        assert [r.status_code for r in responses] == [302] * 6
    group.refresh_from_db()
    assert group.primary_id == objects["group"].primary_id
    assert CandidatePair.objects.get(pk=pair.pk).status == "pending"
    assert Study.objects.filter(pk=study.pk).exists()

    unmerge = lead.post(
        f"/api/reviews/{world.review.pk}/duplicates/groups/{group.pk}/unmerge/",
        {"records": [2**64]},
        content_type="application/json",
    )
    assert unmerge.status_code == 400 and unmerge.json() == {"records": "a list of record ids"}
    assert DuplicateGroup.objects.filter(pk=group.pk).exists()
    assert set(group.records.values_list("pk", flat=True)) == grouped


def test_another_reviews_object_is_404_like_a_missing_one(client_for, world, objects):
    """The same answer whether the id is taken by another review or by nobody."""
    theirs = make_batch(world.other_review)
    client = client_for(world.owner)
    mine_missing = client.get(f"/api/reviews/{world.review.pk}/imports/{theirs.pk + 1000}/")
    other = client.get(f"/api/reviews/{world.review.pk}/imports/{theirs.pk}/")
    assert other.status_code == mine_missing.status_code == 404
    assert other.json() == mine_missing.json()
    page = client.get(f"/reviews/{world.review.pk}/imports/{theirs.pk}/")
    assert page.status_code == 404
