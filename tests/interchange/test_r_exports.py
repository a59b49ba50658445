"""Files for R: robvis's summary tables (RoB 2 and the domain tool), the long evidence
table, and the per-outcome table with meta/metafor's column names, checked column by
column; the outcome data block of the form builder; page links and the API."""

import csv
import io

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from extraction.domain.forms import META_ROLES, definition_from_dict, definition_to_dict
from extraction.models import Consensus
from extraction.selectors import current_form, definition_of
from extraction.services.forms import (
    add_outcome_block,
    save_form,
    update_field,
    update_settings,
    use_seed_template,
)
from tests.extraction.factories import make_study

pytestmark = pytest.mark.django_db


def _rows(response) -> list[list[str]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert not text.startswith("\ufeff")  # R's read.csv would glue it to "Study"
    return list(csv.reader(io.StringIO(text)))


@pytest.fixture
def rob_world(world):
    use_seed_template(review=world.review, by=world.lead)
    update_settings(review=world.review, assessors_per_study=1, rob2_effect="assignment")
    a = make_study(world.review, title="Trial A", authors=["Ames, K"], year=2018)
    a.label = "Ames 2018"
    a.save()
    b = make_study(world.review, title="Trial B", authors=["Baker, L"], year=2020)
    b.label = "=Baker 2020"
    b.save()
    c = make_study(world.review, title="Trial C", authors=["Cole, M"], year=2021)
    c.label = "Cole 2021"
    c.save()
    for study, size in ((a, 40), (b, 120), (c, 60)):
        Consensus.objects.create(study=study, instrument="extraction", values={"sample_size": size})
    Consensus.objects.create(
        study=a,
        instrument="rob2",
        values={
            "d1": "low",
            "d2": "some_concerns",
            "d3": "low",
            "d4": "low",
            "d5": "high",
            "overall": "high",
        },
    )
    Consensus.objects.create(study=b, instrument="rob2", values={"d1": "low", "d2": "low"})
    Consensus.objects.create(
        study=a,
        instrument="rob-domain",
        values={
            "selection": "low",
            "performance": "unclear",
            "detection": "low",
            "attrition": "low",
        },
    )
    Consensus.objects.create(
        study=b,
        instrument="rob-domain",
        values={"selection": "low", "performance": "low", "detection": "low", "attrition": "low"},
    )
    Consensus.objects.create(study=c, instrument="rob-domain", values={"attrition": "high"})
    world.studies = (a, b, c)
    return world


def test_robvis_rob2_layout_column_by_column(client_for, rob_world):
    world = rob_world
    rows = _rows(
        client_for(world.viewer).get(f"/reviews/{world.review.pk}/evidence/export/robvis-rob2/")
    )
    assert rows[0] == ["Study", "D1", "D2", "D3", "D4", "D5", "Overall", "Weight"]
    # Cole 2021 has no RoB 2 judgement: left out. Weights are the sample sizes.
    assert rows[1:] == [  # studies in label order
        [
            "'=Baker 2020",
            "Low",
            "Low",
            "No information",
            "No information",
            "No information",
            "No information",
            "120",
        ],
        ["Ames 2018", "Low", "Some concerns", "Low", "Low", "High", "High", "40"],
    ]


def test_robvis_domain_tool_layout_column_by_column(client_for, rob_world):
    world = rob_world
    rows = _rows(
        client_for(world.viewer).get(f"/reviews/{world.review.pk}/evidence/export/robvis-domain/")
    )
    assert rows[0] == [
        "Study",
        "Selection bias",
        "Performance bias",
        "Detection bias",
        "Attrition bias",
        "Overall",
        "Weight",
    ]
    assert rows[1:] == [
        ["'=Baker 2020", "Low", "Low", "Low", "Low", "Low", "120"],
        ["Ames 2018", "Low", "Unclear", "Low", "Low", "Unclear", "40"],
        ["Cole 2021", "No information", "No information", "No information", "High", "High", "60"],
    ]


def test_weights_are_one_when_a_study_has_no_sample_size(client_for, rob_world):
    world = rob_world
    Consensus.objects.filter(study=world.studies[2], instrument="extraction").update(values={})
    rows = _rows(
        client_for(world.viewer).get(f"/reviews/{world.review.pk}/evidence/export/robvis-rob2/")
    )
    assert [r[-1] for r in rows[1:]] == ["1", "1"]


def test_long_format_has_one_row_per_study_and_item(client_for, rob_world):
    world = rob_world
    rows = _rows(client_for(world.viewer).get(f"/reviews/{world.review.pk}/evidence/export/long/"))
    assert rows[0] == [
        "study_id",
        "study",
        "instrument",
        "section",
        "item",
        "label",
        "value",
        "source",
    ]
    ames = [r for r in rows[1:] if r[1] == "Ames 2018"]
    by_item = {(r[2], r[4]): r for r in ames}
    assert by_item[("extraction", "sample_size")][6] == "40"
    assert by_item[("extraction", "sample_size")][7] == "consensus"
    assert by_item[("rob2", "d2")][6] == "Some concerns"
    assert by_item[("rob-domain", "performance")][6] == "Unclear"
    assert all(r[0] == str(world.studies[0].pk) for r in ames)
    # The formula-looking study label is neutralised in every row.
    assert {r[1] for r in rows[1:] if "Baker" in r[1]} == {"'=Baker 2020"}


@pytest.fixture
def outcome_world(world):
    use_seed_template(review=world.review, by=world.lead)
    update_settings(review=world.review, assessors_per_study=1, rob2_effect="assignment")
    definition = definition_of(current_form(review=world.review))
    definition = add_outcome_block(definition, title="Pain at 12 weeks")
    definition = add_outcome_block(definition, title="Withdrawals")
    save_form(review=world.review, definition=definition, by=world.lead)
    a = make_study(world.review, title="Trial A", authors=["Ames, K"], year=2018)
    a.label = "Ames 2018"
    a.save()
    b = make_study(world.review, title="Trial B", authors=["Baker, L"], year=2020)
    b.label = "Baker 2020"
    b.save()
    Consensus.objects.create(
        study=a,
        instrument="extraction",
        values={
            "pain_at_12_weeks_n_e": 20,
            "pain_at_12_weeks_mean_e": 3.5,
            "pain_at_12_weeks_sd_e": 1.25,
            "pain_at_12_weeks_n_c": 22,
            "pain_at_12_weeks_mean_c": -0.5,
            "pain_at_12_weeks_sd_c": 1.0,
            "withdrawals_n_e": 20,
            "withdrawals_n_c": 22,
            "withdrawals_event_e": 2,
            "withdrawals_event_c": 5,
        },
    )
    Consensus.objects.create(
        study=b,
        instrument="extraction",
        values={"pain_at_12_weeks_n_e": 15, "pain_at_12_weeks_mean_e": "NR"},
    )
    return world


def test_outcome_block_fields_map_to_meta_columns(outcome_world):
    definition = definition_of(current_form(review=outcome_world.review))
    pain = next(s for s in definition.sections if s.title == "Pain at 12 weeks")
    assert [f.meta_role for f in sorted(pain.fields, key=lambda f: f.order)] == list(META_ROLES)
    assert list(META_ROLES) == [
        "n.e",
        "mean.e",
        "sd.e",
        "n.c",
        "mean.c",
        "sd.c",
        "event.e",
        "event.c",
    ]
    # The roles survive the JSON round trip and an edit of the field's label.
    assert definition_from_dict(definition_to_dict(definition)) == definition
    edited = update_field(definition, key="pain_at_12_weeks_n_e", label="N (drug)", type="integer")
    assert edited.field("pain_at_12_weeks_n_e").meta_role == "n.e"


def test_meta_layout_column_by_column(client_for, outcome_world):
    world = outcome_world
    url = f"/reviews/{world.review.pk}/evidence/export/meta/"
    rows = _rows(client_for(world.viewer).get(url))
    assert rows[0] == [
        "outcome",
        "studlab",
        "n.e",
        "mean.e",
        "sd.e",
        "n.c",
        "mean.c",
        "sd.c",
        "event.e",
        "event.c",
    ]
    assert rows[1:] == [
        ["Pain at 12 weeks", "Ames 2018", "20", "3.5", "1.25", "22", "-0.5", "1.0", "", ""],
        ["Pain at 12 weeks", "Baker 2020", "15", "", "", "", "", "", "", ""],
        ["Withdrawals", "Ames 2018", "20", "", "", "22", "", "", "2", "5"],
    ]
    one = _rows(client_for(world.viewer).get(url + "?outcome=withdrawals"))
    assert [r[1] for r in one[1:]] == ["Ames 2018"]


def test_form_builder_button_adds_an_outcome_block(client_for, world):
    use_seed_template(review=world.review, by=world.lead)
    client = client_for(world.lead)
    page = client.get(f"/reviews/{world.review.pk}/extraction/form/")
    assert b'data-testid="add-outcome-block"' in page.content
    response = client.post(
        f"/reviews/{world.review.pk}/extraction/form/edit/",
        {"action": "add_outcome_block", "title": "Mortality"},
    )
    assert response.status_code == 302
    definition = definition_of(current_form(review=world.review))
    section = definition.outcome_sections()[0]
    assert section.title == "Mortality"
    assert {f.meta_role for f in section.fields} == set(META_ROLES)
    # A reviewer cannot edit the form.
    refused = client_for(world.reviewer).post(
        f"/reviews/{world.review.pk}/extraction/form/edit/",
        {"action": "add_outcome_block", "title": "Other"},
    )
    assert refused.status_code == 403


def test_pages_link_the_r_files(client_for, outcome_world):
    world = outcome_world
    client = client_for(world.viewer)
    evidence = client.get(f"/reviews/{world.review.pk}/evidence/").content.decode()
    for kind in ("robvis-rob2", "robvis-domain", "long", "meta"):
        assert f"/reviews/{world.review.pk}/evidence/export/{kind}/" in evidence
    assert "?outcome=pain_at_12_weeks" in evidence
    rob = client.get(f"/reviews/{world.review.pk}/risk-of-bias/").content.decode()
    assert "evidence/export/robvis-rob2/" in rob and "evidence/export/robvis-domain/" in rob


def _api(user) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return api


def test_api_serves_the_r_files_with_token_rules(rob_world):
    world = rob_world
    base = f"/api/reviews/{world.review.pk}/evidence-table"
    rows = _rows(_api(world.viewer).get(f"{base}/robvis-rob2/"))
    assert rows[0][0] == "Study" and rows[2][0] == "Ames 2018"
    assert _rows(_api(world.viewer).get(f"{base}/robvis-domain/"))[0][-2:] == [
        "Overall",
        "Weight",
    ]
    assert _api(world.viewer).get(f"{base}/nope/").status_code == 404
    assert _api(world.outsider).get(f"{base}/long/").status_code == 404
