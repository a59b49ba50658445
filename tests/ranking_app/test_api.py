"""REST: model state (own or all), the stopping estimate, stop and undo."""

from django.urls import reverse

from screening.models import Record, RecordState
from screening.services.ranking import retrain_review
from screening.services.settings import update_settings
from tests.ranking_app.builders import make_corpus, settle_as


def _trained(world):
    relevant, irrelevant = make_corpus(world.review)
    settle_as(relevant[0], "include", minutes_ago=2)
    settle_as(irrelevant[0], "exclude", minutes_ago=1)
    retrain_review(review=world.review)


def test_a_reviewer_sees_their_own_model_and_the_lead_every_one(client_for, world):
    _trained(world)
    url = reverse("api:ranking_models", args=[world.review.pk])

    mine = client_for(world.reviewer).get(url).json()
    # Issue 11: under blinding the lead, who screens too, sees only their own model (the
    # others learn from their screeners' unsettled votes); every one with blinding off.
    blinded = client_for(world.lead).get(url).json()
    assert [m["reviewer"] for m in blinded] == ["liam"]
    update_settings(review=world.review, by=world.lead, blind=False)
    everyone = client_for(world.lead).get(url).json()

    assert [m["reviewer"] for m in mine] == ["rita"]
    assert mine[0]["status"] == "ready" and (mine[0]["n_include"], mine[0]["n_exclude"]) == (1, 1)
    assert sorted(m["reviewer"] for m in everyone) == ["liam", "olivia", "rafael", "rita"]
    assert client_for(world.viewer).get(url).status_code == 403


def test_the_lead_reads_the_estimate_stops_and_undoes(client_for, world):
    _trained(world)
    client = client_for(world.lead)
    base = f"/api/reviews/{world.review.pk}/ranking/"

    estimate = client.get(base + "stopping/").json()
    stop = client.post(
        base + "stops/", {"rule": "lead", "note": "deadline"}, content_type="application/json"
    )

    assert estimate["n_screened"] == 2 and estimate["statistical"]["recall_target"] == 0.95
    assert estimate["n_stoppable"] == 18
    assert stop.status_code == 201 and stop.json()["n_records"] == 18
    assert stop.json()["evidence"]["n_screened"] == 2
    assert Record.objects.filter(state=RecordState.AUTOMATION).count() == 18
    undo = client.post(base + f"stops/{stop.json()['id']}/undo/")
    assert undo.status_code == 200 and undo.json()["undone_by"] == "liam"
    assert not Record.objects.filter(state=RecordState.AUTOMATION).exists()
    assert client.post(base + "stops/", {"rule": "nonsense"}).status_code == 400
    assert client_for(world.reviewer).get(base + "stopping/").status_code == 403
