"""The Python client example (examples/reviewapp_client.py) against a live server on
the real stack: a labelled ASReview file goes in through the API and the worker with
its decisions, then the example lists the included studies and downloads the evidence
table and the robvis file with a token."""

from __future__ import annotations

import csv
import importlib.util
import io
import os
import urllib.error
from pathlib import Path

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from extraction.models import Consensus
from extraction.services.forms import update_settings, use_seed_template
from reviewapp import services as review_services
from reviewapp.models import Role
from screening.models import ImportBatch, ImportStatus, Record, RecordState
from tests.extraction.factories import make_study
from tests.services_fixtures import wait_for

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "reviewapp_client.py"


def _example():
    spec = importlib.util.spec_from_file_location("reviewapp_client", EXAMPLE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.services
def test_the_python_example_reads_a_review(worker, live_server, django_user_model, tmp_path):
    owner = django_user_model.objects.create_user(username="owner", password="x")
    viewer = django_user_model.objects.create_user(username="viewer", password="x")
    stranger = django_user_model.objects.create_user(username="stranger", password="x")
    review = review_services.create_review(owner=owner, title="Client example")
    review.memberships.create(user=viewer, role=Role.VIEWER)

    # Moving in: an ASReview file with its labels, imported by the worker.
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=owner).key}")
    labelled = b"title,abstract,included\nKept trial,An RCT.,1\nDropped one,A cohort.,0\n"
    response = api.post(
        f"/api/reviews/{review.pk}/imports/",
        {"file": io.BytesIO(labelled), "source_name": "ASReview", "keep_decisions": "file"},
        format="multipart",
    )
    assert response.status_code == 202, response.content
    wait_for(
        lambda: ImportBatch.objects.get(pk=response.json()["id"]).status == ImportStatus.DONE,
        what="the worker to import the labelled file",
    )
    assert dict(Record.objects.filter(review=review).values_list("title", "state")) == {
        "Kept trial": RecordState.FT_RETRIEVAL,
        "Dropped one": RecordState.TA_EXCLUDED,
    }

    use_seed_template(review=review, by=owner)
    update_settings(review=review, assessors_per_study=1, rob2_effect="assignment")
    study = make_study(review, title="Included trial", authors=["Ames, K"], year=2018)
    Consensus.objects.create(study=study, instrument="extraction", values={"sample_size": 40})
    Consensus.objects.create(
        study=study,
        instrument="rob2",
        values={
            "d1": "low",
            "d2": "low",
            "d3": "low",
            "d4": "low",
            "d5": "high",
            "overall": "high",
        },
    )

    example = _example()
    client = example.ReviewappClient(live_server.url, Token.objects.create(user=viewer).key)
    studies = client.included_studies(review.pk)
    assert [(s["id"], s["label"], len(s["reports"])) for s in studies] == [
        (study.pk, study.label, 1)
    ]
    table = client.evidence_table(review.pk).decode("utf-8-sig")
    header, row = list(csv.reader(io.StringIO(table)))
    assert header[0] == "Study" and row[0] == study.label
    robvis = list(csv.reader(io.StringIO(client.for_r(review.pk, "robvis-rob2").decode())))
    assert robvis == [
        ["Study", "D1", "D2", "D3", "D4", "D5", "Overall", "Weight"],
        [study.label, "Low", "Low", "Low", "Low", "High", "High", "40"],
    ]

    # The command line: prints the studies and writes the file.
    out = tmp_path / "evidence.csv"
    os.environ["REVIEWAPP_TOKEN"] = client.token
    try:
        assert example.main(["x", live_server.url, str(review.pk), str(out)]) == 0
    finally:
        del os.environ["REVIEWAPP_TOKEN"]
    saved = list(csv.reader(io.StringIO(out.read_bytes().decode("utf-8-sig"))))
    assert saved[0][0] == "Study" and saved[1][0] == study.label

    outsider = example.ReviewappClient(live_server.url, Token.objects.create(user=stranger).key)
    with pytest.raises(urllib.error.HTTPError) as refused:
        outsider.included_studies(review.pk)
    assert refused.value.code == 404
