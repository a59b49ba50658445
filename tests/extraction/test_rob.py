"""Risk of bias: RoB 2 (questions shown by the answers, proposals, override with a
reason), the domain tool, dual assessment with consensus, and the summary figures."""

import pytest

from extraction.models import Consensus, Instrument, Sheet
from tests.extraction.factories import make_study

HTMX = {"HTTP_HX_REQUEST": "true"}
# Every domain low: 1.1 Y 1.2 Y 1.3 N; 2.1 N 2.2 N 2.6 Y; 3.1 Y; 4.1 N 4.2 N 4.3 N; 5.1 Y 5.2 N 5.3 N
LOW_ANSWERS = {
    "1.1": "Y",
    "1.2": "Y",
    "1.3": "N",
    "2.1": "N",
    "2.2": "N",
    "2.6": "Y",
    "3.1": "Y",
    "4.1": "N",
    "4.2": "N",
    "4.3": "N",
    "5.1": "Y",
    "5.2": "N",
    "5.3": "N",
}


@pytest.fixture
def study(world):
    return make_study(world.review, title="A randomised trial of LDN")


def _url(world, study, instrument):
    return f"/reviews/{world.review.pk}/studies/{study.pk}/{instrument}/"


def test_rob2_shows_questions_as_the_answers_open_them(client_for, world, study):
    client = client_for(world.reviewer)
    page = client.get(_url(world, study, "rob2"))
    assert b'name="2.1"' in page.content and b'name="2.3"' not in page.content
    response = client.post(_url(world, study, "rob2"), {"2.1": "Y"}, **HTMX)
    assert b'id="rob2-q-2"' in response.content and b'name="2.3"' in response.content


def test_rob2_proposes_judgements_from_the_answers(client_for, world, study):
    client = client_for(world.reviewer)
    response = client.post(_url(world, study, "rob2"), LOW_ANSWERS, **HTMX)
    assert response.status_code == 200
    assert b'data-testid="proposal-overall"' in response.content
    assert b"low risk in all domains" in response.content
    client.post(_url(world, study, "rob2") + "done/", {"action": "done"})
    assert Sheet.objects.get(instrument=Instrument.ROB2).is_done


def test_a_rob2_override_needs_a_reason(client_for, world, study):
    client = client_for(world.reviewer)
    response = client.post(_url(world, study, "rob2"), {**LOW_ANSWERS, "d3": "high"}, **HTMX)
    assert b"needs a reason" in response.content
    sheet = Sheet.objects.get(instrument=Instrument.ROB2)
    assert "d3" not in sheet.values and sheet.values["3.1"] == "Y"
    client.post(
        _url(world, study, "rob2"),
        {**LOW_ANSWERS, "d3": "high", "d3_reason": "Attrition 40% in one arm"},
        **HTMX,
    )
    sheet.refresh_from_db()
    assert sheet.values["d3"] == "high" and sheet.values["d3_reason"] == "Attrition 40% in one arm"
    # The overall proposal follows the overridden domain.
    page = client.get(_url(world, study, "rob2"))
    assert b"high risk in domain 3" in page.content
    api = client.put(
        f"/api/reviews/{world.review.pk}/studies/{study.pk}/rob2/mine/",
        {"values": {"d1": "high"}},
        content_type="application/json",
    )
    assert api.status_code == 400 and "d1" in api.json()


def test_the_domain_tool_rates_the_leads_domains_with_dual_consensus(client_for, world, study):
    url = _url(world, study, "rob-domain")
    ratings = {
        "selection": "low",
        "performance": "high",
        "detection": "unclear",
        "attrition": "low",
    }
    for user, attrition in ((world.reviewer, "low"), (world.reviewer2, "high")):
        client = client_for(user)
        client.post(
            url, {**ratings, "attrition": attrition, "support:attrition": "dropouts"}, **HTMX
        )
        client.post(url + "done/", {"action": "done"})
    assert (
        Sheet.objects.filter(instrument=Instrument.DOMAIN, submitted_at__isnull=False).count() == 2
    )
    compare = client_for(world.lead).get(url + "compare/")
    assert compare.content.count(b'data-differs="1"') == 1
    client_for(world.lead).post(url + "consensus/", {"key": "attrition", "source": "b"})
    assert Consensus.objects.get(instrument=Instrument.DOMAIN).values == {"attrition": "high"}
    overview = client_for(world.viewer).get(f"/reviews/{world.review.pk}/risk-of-bias/")
    assert overview.status_code == 200
    assert b'data-testid="traffic-light-rob-domain"' in overview.content
    assert overview.content.count(b'class="rob-dot rob-high"') == 2  # performance, attrition


def test_the_domain_tool_refuses_an_unknown_rating(client_for, world, study):
    response = client_for(world.reviewer).post(
        _url(world, study, "rob-domain"), {"selection": "maybe"}, **HTMX
    )
    assert b"Choose low, high or unclear" in response.content


def test_the_charts_render_as_svg_and_png(client_for, world, study):
    client = client_for(world.reviewer)
    client.post(_url(world, study, "rob-domain"), {"selection": "low"}, **HTMX)
    viewer = client_for(world.viewer)
    svg = viewer.get(f"/reviews/{world.review.pk}/risk-of-bias/chart.svg?tool=rob-domain")
    assert svg.status_code == 200 and svg["Content-Type"].startswith("image/svg+xml")
    assert b"<svg" in svg.content and b"Selection bias" in svg.content
    png = viewer.get(f"/reviews/{world.review.pk}/risk-of-bias/chart.png?tool=rob2&weighted=1")
    assert png.status_code == 200 and png.content.startswith(b"\x89PNG")
    summary = viewer.get(f"/api/reviews/{world.review.pk}/risk-of-bias/summary/").json()
    assert [s["tool"] for s in summary] == ["rob-domain", "rob2"]
    assert summary[0]["domains"][0] == "Selection bias"


def test_the_chart_weights_by_sample_size(world, study):
    from extraction import figures
    from extraction.models import Consensus as C
    from extraction.selectors import evidence_table
    from extraction.services.forms import update_settings, use_seed_template

    use_seed_template(review=world.review, by=world.lead)
    update_settings(review=world.review, assessors_per_study=1, rob2_effect="assignment")
    other = make_study(world.review)
    C.objects.create(study=study, instrument="rob-domain", values={"selection": "low"})
    C.objects.create(study=other, instrument="rob-domain", values={"selection": "high"})
    C.objects.create(study=study, instrument="extraction", values={"sample_size": 300})
    C.objects.create(study=other, instrument="extraction", values={"sample_size": 100})
    table = evidence_table(review=world.review)
    bar = figures.domain_tool_figure(table, weighted=True).bars[0]
    assert [(level.key, p) for level, p in bar.percents] == [
        ("low", 75.0),
        ("unclear", 0.0),
        ("high", 25.0),
        (None, 0.0),
    ]
    assert figures.domain_tool_figure(table).bars[0].percents[0][1] == 50.0
