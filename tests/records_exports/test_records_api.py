"""GET /api/reviews/{id}/records/: the records page's filters, pagination and blinding."""

from __future__ import annotations

from django.urls import reverse

from screening.models import Record, RecordState
from tests.factories import make_batch, make_record


def api(client, world, query: str = ""):
    return client.get(
        reverse("api:record_list", args=[world.review.pk]) + (f"?{query}" if query else "")
    )


def by_id(response) -> dict[int, dict]:
    assert response.status_code == 200, response.content
    return {item["id"]: item for item in response.json()["results"]}


def test_it_lists_records_with_state_source_and_stages(client_for, world, screened):
    data = api(client_for(world.lead), world).json()
    assert data["count"] == Record.objects.filter(review=world.review).count()
    item = next(i for i in data["results"] if i["id"] == screened.ft_excluded.pk)
    assert item["state"] == "ft_excluded" and item["state_label"] == "Excluded at full text"
    assert item["source"] == {"name": "Embase", "kind": "database"}
    ft = next(s for s in item["stages"] if s["stage"] == "ft")
    assert (ft["status"], ft["decision"], ft["reason"]) == (
        "settled",
        "Exclude",
        screened.ft_reason.label,
    )
    assert {v["reviewer"] for v in ft["votes"]} == {"rita", "rafael"}


def test_it_filters_like_the_page(client_for, world, screened):
    client = client_for(world.lead)
    query = f"state=ft_excluded&reason={screened.ft_reason.pk}"
    assert set(by_id(api(client, world, query))) == {screened.ft_excluded.pk}
    assert set(by_id(api(client, world, "state=duplicate&source=PubMed"))) == {
        screened.duplicate.pk
    }
    assert set(by_id(api(client, world, "stage=ta&status=conflict"))) == {screened.conflict.pk}
    assert set(by_id(api(client, world, "kind=website"))) == {screened.formula.pk, screened.web.pk}


def test_it_paginates(client_for, world, screened):
    batch = make_batch(world.review, source_name="CINAHL")
    for i in range(95):
        make_record(batch, title=f"Bulk {i}", state=RecordState.TA_EXCLUDED)
    client = client_for(world.viewer)
    first = api(client, world, "state=ta_excluded").json()
    assert first["count"] == 96 and len(first["results"]) == 96  # one page of 100
    every = api(client, world).json()
    assert every["count"] == 104 and len(every["results"]) == 100
    rest = client.get(every["next"]).json()
    assert len(rest["results"]) == 4 and rest["next"] is None
    seen = {i["id"] for i in every["results"]} | {i["id"] for i in rest["results"]}
    assert seen == set(Record.objects.filter(review=world.review).values_list("pk", flat=True))


def test_it_blinds_a_reviewer_and_hides_votes_from_a_viewer(client_for, world, screened):
    rita = by_id(api(client_for(world.reviewer), world))[screened.conflict.pk]
    (ta,) = [s for s in rita["stages"] if s["stage"] == "ta"]
    assert ta["status"] == "unsettled"
    assert [v["reviewer"] for v in ta["votes"]] == ["rita"]
    viewer = by_id(api(client_for(world.viewer), world))
    assert all(not s["votes"] for item in viewer.values() for s in item["stages"])
    assert viewer[screened.ta_excluded.pk]["stages"][0]["reason"] == screened.ta_reason.label


def test_it_refuses_bad_filters_and_the_conflict_filter_under_blinding(client_for, world, screened):
    assert api(client_for(world.lead), world, "state=nope").status_code == 400
    assert api(client_for(world.lead), world, "status=settled").status_code == 400  # needs a stage
    assert api(client_for(world.reviewer), world, "stage=ta&status=conflict").status_code == 400
    assert api(client_for(world.reviewer), world, "stage=ta&status=unsettled").status_code == 200


def test_it_documents_the_endpoints_and_filters_in_the_schema(client, db):
    schema = client.get(reverse("api:schema"), HTTP_ACCEPT="application/json").json()
    records = schema["paths"]["/api/reviews/{review_id}/records/"]["get"]
    names = {p["name"] for p in records["parameters"]}
    assert {"state", "stage", "status", "source", "kind", "reason", "q", "page"} <= names
    for table in ("records", "votes", "conflicts", "included"):
        operation = schema["paths"][f"/api/reviews/{{review_id}}/exports/{table}/"]["get"]
        assert "format" in {p["name"] for p in operation["parameters"]}
    assert "application/x-research-info-systems" in str(
        schema["paths"]["/api/reviews/{review_id}/exports/included/"]
    )
