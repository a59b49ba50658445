"""SVG, PNG and PDF rendering of the PRISMA flow."""

import io
from dataclasses import replace
from xml.etree import ElementTree

from screening.prisma import build_flow, render_pdf, render_png, render_svg
from screening.prisma.counts import OtherMethodsInput, PreviousVersionInput
from tests.prisma.seed import SEED_INPUT, SEED_NUMBERS

SVG = "{http://www.w3.org/2000/svg}"
URLS = {
    "records_screened": "/reviews/7/records/?stage=ta&a=1",
    "dbr_excluded": "/reviews/7/records/?stage=ft&decision=exclude",
    "dbr_excluded:Animal model": "/reviews/7/records/?reason=animal",
    "database_results": "/reviews/7/imports/",
}


def _numbers(svg: str) -> dict[str, str]:
    root = ElementTree.fromstring(svg)
    return {
        span.get("data-node"): span.text
        for span in root.iter(f"{SVG}tspan")
        if span.get("data-node")
    }


def test_the_seed_svg_shows_every_number_of_the_review():
    svg = render_svg(build_flow(SEED_INPUT), URLS)
    numbers = _numbers(svg)
    for node, n in SEED_NUMBERS.items():
        assert numbers[node] == f"(n = {n})", node
    assert numbers["database_specific_results:PubMed"] == "(n = 89)"
    assert numbers["dbr_excluded:Animal model"] == "(n = 14)"
    for label in ("Identification", "Screening", "Included", "Effect on chronic pain not assessed"):
        assert label in svg
    assert "awaiting" not in svg  # a finished review is the plain template


def test_numbers_link_to_the_callers_urls_escaped():
    svg = render_svg(build_flow(SEED_INPUT), URLS)
    root = ElementTree.fromstring(svg)
    links = {a.find(f"{SVG}tspan").get("data-node"): a.get("href") for a in root.iter(f"{SVG}a")}
    assert links["records_screened"] == URLS["records_screened"]
    assert links["dbr_excluded:Animal model"] == "/reviews/7/records/?reason=animal"
    # Reasons without their own URL fall back to the box's.
    assert links["dbr_excluded:In vitro"] == URLS["dbr_excluded"]
    assert links["database_specific_results:Embase"] == URLS["database_results"]
    assert "records_excluded" not in links
    assert "?stage=ta&amp;a=1" in svg


def test_user_text_is_escaped_and_script_urls_are_dropped():
    evil = replace(
        SEED_INPUT,
        databases={'<script>alert("x")</script>': 336},
        reports_excluded={"a & b </text><script>": 22},
    )
    svg = render_svg(build_flow(evil), {"duplicates": "javascript:alert(1)"})
    assert "<script>" not in svg
    assert "&lt;script&gt;" in svg
    root = ElementTree.fromstring(svg)  # still well-formed XML
    assert not list(root.iter(f"{SVG}script"))
    assert "javascript:" not in svg


def test_live_review_shows_awaiting_and_the_other_arms():
    live = replace(
        SEED_INPUT,
        records_excluded=200,
        records_awaiting_screening=17,
        reports_awaiting_assessment=4,
        reports_excluded={"Animal model": 14, "Duplicate": 4},
        studies_included=33,
        other_methods=OtherMethodsInput(
            sources={"Citation searching": 9}, reports_sought=6, reports_included=6
        ),
        previous_version=PreviousVersionInput(studies_included=5, reports_included=5),
    )
    flow = build_flow(live)
    svg = render_svg(flow)
    numbers = _numbers(svg)
    assert numbers["records_awaiting_screening"] == "(n = 17)"
    assert numbers["dbr_awaiting_assessment"] == "(n = 4)"
    assert numbers["other_specific_results:Citation searching"] == "(n = 9)"
    assert numbers["total_studies"] == "(n = 38)"
    assert "Identification of new studies via other methods" in svg
    assert "Previous studies" in svg
    # The other arm sits right of the main arm, the previous version left of it.
    root = ElementTree.fromstring(svg)
    x = {g.get("data-node"): float(g.find(f"{SVG}rect").get("x")) for g in root.iter(f"{SVG}g")}
    assert x["previous"] < x["identified"] < x["removed"] < x["other_identified"]


def test_png_and_pdf_render_without_system_libraries():
    flow = build_flow(SEED_INPUT)
    png = io.BytesIO()
    render_png(flow, png, dpi=60)
    assert png.getvalue().startswith(b"\x89PNG")
    pdf = io.BytesIO()
    render_pdf(flow, pdf, urls=URLS)
    data = pdf.getvalue()
    assert data.startswith(b"%PDF")
    assert b"/URI" in data and b"/reviews/7/records/?reason=animal" in data


def test_png_accepts_a_path(tmp_path):
    target = tmp_path / "prisma.png"
    render_png(build_flow(SEED_INPUT), str(target), dpi=50)
    assert target.read_bytes()[:4] == b"\x89PNG"


def test_an_update_round_draws_both_duplicate_lines_in_every_format():
    from screening.prisma.counts import RoundDuplicatesInput

    flow = build_flow(
        replace(
            SEED_INPUT,
            duplicates_removed=68,
            round_duplicates=RoundDuplicatesInput(within_round=50, found_again=18),
        )
    )
    urls = {
        "duplicates_within_round": "/reviews/7/records/?found_again=no&round=2",
        "duplicates_found_again": "/reviews/7/records/?found_again=yes&round=2",
    }
    svg = render_svg(flow, urls)
    numbers = _numbers(svg)
    assert numbers["duplicates"] == "(n = 68)"
    assert numbers["duplicates_within_round"] == "(n = 50)"
    assert numbers["duplicates_found_again"] == "(n = 18)"
    assert "within a search round" in svg and "found again from an earlier round" in svg
    pdf = io.BytesIO()
    render_pdf(flow, pdf, urls=urls)
    assert b"found_again=no&round=2" in pdf.getvalue()
    assert b"found_again=yes&round=2" in pdf.getvalue()
    png = io.BytesIO()
    render_png(flow, png, dpi=50)
    plain = io.BytesIO()
    render_png(build_flow(SEED_INPUT), plain, dpi=50)
    assert png.getvalue() != plain.getvalue()  # the two lines take room in the box
    # A review without update rounds keeps the plain template.
    assert "within a search round" not in render_svg(build_flow(SEED_INPUT), {})
