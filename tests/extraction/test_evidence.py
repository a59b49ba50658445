"""The evidence table: page, CSV/XLSX/JSON exports (every XLSX cell checked), formula
neutralisation, and the API's ?format=."""

import csv
import io
import json

import pytest
from openpyxl import load_workbook

from extraction.domain.forms import seed_template
from extraction.models import Consensus
from extraction.services.forms import update_settings, use_seed_template
from tests.extraction.factories import make_study


@pytest.fixture
def table_world(world):
    """Two studies, single extraction, values set as consensus so they are final."""
    use_seed_template(review=world.review, by=world.lead)
    update_settings(review=world.review, assessors_per_study=1, rob2_effect="assignment")
    a = make_study(world.review, title='=HYPERLINK("http://evil")', authors=[], year=None)
    a.label = "Smith 2019"
    a.save()
    b = make_study(world.review, title="Plain trial", authors=["Doe, J"], year=2020)
    Consensus.objects.create(
        study=a,
        instrument="extraction",
        values={
            "authors": "Smith J",
            "title": "=1+1",
            "study_type": "case_study",
            "sample_size": 2,
            "mean_age": 45.5,
            "dose": "-4.5 mg",
            "adverse_events": "@SUM(A1)",
            "percent_women": 50.0,
        },
    )
    Consensus.objects.create(
        study=b, instrument="extraction", values={"authors": "Doe J", "sample_size": 31}
    )
    Consensus.objects.create(study=b, instrument="rob-domain", values={"selection": "high"})
    return world


def _expected_header():
    fields = seed_template().ordered_fields()
    labels = [f"{f.label} ({f.unit})" if f.unit else f.label for f in fields]
    domains = ["Selection bias", "Performance bias", "Detection bias", "Attrition bias"]
    return ["Study", "Reports", *labels, *domains]


def _export(client_for, world, kind):
    response = client_for(world.viewer).get(
        f"/reviews/{world.review.pk}/evidence/export/?format={kind}"
    )
    assert response.status_code == 200
    return response


def test_the_xlsx_holds_every_cell(client_for, table_world):
    world = table_world
    response = _export(client_for, world, "xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = _expected_header()
    assert rows[0] == header
    assert len(rows) == 3
    keys = [f.key for f in seed_template().ordered_fields()]
    blank = dict.fromkeys(keys)
    smith = {
        **blank,
        "authors": "Smith J",
        "title": "'=1+1",
        "study_type": "Case study",
        "sample_size": 2,
        "mean_age": 45.5,
        "percent_women": 50,
        "dose": "'-4.5 mg",
        "adverse_events": "'@SUM(A1)",
    }
    doe = {**blank, "authors": "Doe J", "sample_size": 31}
    by_label = {r[0]: r for r in rows[1:]}
    assert set(by_label) == {"Smith 2019", "Doe 2020"}
    expected = {
        "Smith 2019": [
            "Smith 2019",
            '\'=HYPERLINK("http://evil")',
            *[smith[k] for k in keys],
            None,
            None,
            None,
            None,
        ],
        "Doe 2020": [
            "Doe 2020",
            "Doe, J, 2020, Plain trial",
            *[doe[k] for k in keys],
            "High",
            None,
            None,
            None,
        ],
    }
    for label, row in by_label.items():
        assert row == expected[label], label
    # Text cells are strings, never formulas; numbers stay numbers.
    for line in sheet.iter_rows(min_row=2):
        for cell in line:
            assert cell.data_type in ("s", "inlineStr", "n"), (cell.coordinate, cell.data_type)


def test_the_csv_neutralises_formulas(client_for, table_world):
    response = _export(client_for, table_world, "csv")
    assert response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == _expected_header()
    smith = next(r for r in rows if r[0] == "Smith 2019")
    header = rows[0]
    assert smith[header.index("Title")] == "'=1+1"
    assert smith[header.index("Dose")] == "'-4.5 mg"
    assert smith[header.index("Adverse events")] == "'@SUM(A1)"
    assert smith[header.index("Reports")].startswith("'")
    assert smith[header.index("Sample size (participants)")] == "2"
    for row in rows:
        for value in row:
            assert not value.startswith(("=", "+", "-", "@")), value


def test_the_json_keeps_typed_values(client_for, table_world):
    data = json.loads(_export(client_for, table_world, "json").content)
    smith = next(s for s in data["studies"] if s["label"] == "Smith 2019")
    assert smith["values"]["extraction/sample_size"] == 2
    assert smith["values"]["extraction/title"] == "=1+1"  # JSON is data, not a spreadsheet
    assert smith["reports"][0]["title"] == '=HYPERLINK("http://evil")'


def test_the_api_exports_each_format(client_for, table_world):
    world = table_world
    client = client_for(world.viewer)
    url = f"/api/reviews/{world.review.pk}/evidence-table/"
    assert client.get(url + "?format=csv")["Content-Type"].startswith("text/csv")
    xlsx = client.get(url + "?format=xlsx")
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    assert client.get(url + "?format=json").json()["review"]["id"] == world.review.pk
    assert client.get(url + "?format=pdf").status_code == 404
    assert client_for(world.outsider).get(url + "?format=csv").status_code == 404


def test_the_page_is_sortable_and_escapes_text(client_for, table_world):
    page = client_for(table_world.viewer).get(f"/reviews/{table_world.review.pk}/evidence/")
    assert page.status_code == 200
    assert b"data-sort-column" in page.content and b"js/extraction.js" in page.content
    assert b"=HYPERLINK(&quot;http://evil&quot;)" in page.content


def test_the_table_is_built_in_a_fixed_number_of_queries(
    table_world, django_assert_max_num_queries
):
    from extraction.selectors import evidence_table

    with django_assert_max_num_queries(8):
        table = evidence_table(review=table_world.review)
    for _ in range(5):
        make_study(table_world.review)
    with django_assert_max_num_queries(9):
        bigger = evidence_table(review=table_world.review)
    assert len(bigger.rows) == len(table.rows) + 5
