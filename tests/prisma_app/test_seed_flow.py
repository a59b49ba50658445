"""The seed review's PRISMA flow through the real services: the diagram, CSV and JSON
show exactly the published numbers, with 268 records screened (the paper's 232 cannot happen)."""

import csv
import io
import json

import pytest
from django.core.management import call_command

from screening.selectors.prisma import review_flow
from tests.prisma_app.seed import import_seed, screen_seed


@pytest.fixture
def seed_review(world, django_capture_on_commit_callbacks):
    import_seed(world.review, world.lead, django_capture_on_commit_callbacks)
    screen_seed(world.review, [world.reviewer, world.reviewer2], world.lead)
    return world.review


def test_it_rebuilds_the_seed_flow(seed_review):
    flow, violations = review_flow(review=seed_review)
    assert violations == []
    assert {c.name: c.n for c in flow.database_specific_results} == {
        "PubMed": 89,
        "Embase": 95,
        "Web of Science": 152,
    }
    assert (flow.records_identified, flow.duplicates, flow.records_screened) == (336, 68, 268)
    assert (flow.records_excluded, flow.dbr_sought_reports, flow.dbr_notretrieved_reports) == (
        217,
        51,
        0,
    )
    assert flow.dbr_assessed == 51
    assert {c.name: c.n for c in flow.dbr_excluded_reasons} == {
        "Animal model": 14,
        "Acute pain only": 3,
        "Duplicate": 2,
        "Effect on chronic pain not assessed": 2,
        "In vitro": 1,
    }
    assert (flow.dbr_excluded, flow.dbr_included_reports, flow.new_studies) == (22, 29, 29)
    assert not flow.in_progress


def test_the_csv_json_and_svg_show_the_same_numbers(seed_review, capsys):
    call_command("prisma", str(seed_review.pk), "--format", "csv")
    rows = {row["data"]: row["n"] for row in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    assert rows["database_results"] == "336" and rows["duplicates"] == "68"
    assert rows["records_screened"] == "268" and rows["records_excluded"] == "217"
    assert rows["dbr_sought_reports"] == "51" and rows["dbr_assessed"] == "51"
    assert rows["new_studies"] == "29" and rows["new_reports"] == "29"
    assert "Animal model, 14" in rows["dbr_excluded"]

    call_command("prisma", str(seed_review.pk), "--format", "json")
    nodes = json.loads(capsys.readouterr().out)["nodes"]
    assert nodes["records_screened"]["n"] == 268 and nodes["dbr_excluded"]["n"] == 22
    assert nodes["records_excluded"]["url"].endswith("state=ta_excluded")

    call_command("prisma", str(seed_review.pk), "--format", "svg")
    svg = capsys.readouterr().out
    for number in ("336", "268", "217", "51", "29", "(n = 14)"):
        assert number in svg


def test_every_number_links_to_its_records(seed_review, client_for, world):
    client = client_for(world.viewer)
    page = client.get(f"/reviews/{seed_review.pk}/prisma/").content.decode()
    assert "(n = 268)" in page or ">268<" in page
    excluded_url = (
        f"/reviews/{seed_review.pk}/records/?kind=database&amp;kind=register&amp;state=ta_excluded"
    )
    assert excluded_url in page
    listing = client.get(excluded_url.replace("&amp;", "&"))
    assert listing.status_code == 200
    assert "217" in listing.content.decode()
