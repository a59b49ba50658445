"""The methods text from plain facts (no database)."""

from __future__ import annotations

from datetime import date

from screening.methods_text import (
    MethodsFacts,
    Num,
    RoundFacts,
    SourceFacts,
    StageFacts,
    StopFacts,
    as_markdown,
    methods_paragraphs,
)


def _facts(**changes) -> MethodsFacts:
    values = dict(
        rounds=(
            RoundFacts(
                1,
                "Initial search",
                date(2024, 3, 1),
                (
                    SourceFacts("MEDLINE", "Database", "Ovid", date(2024, 3, 1), 89),
                    SourceFacts("Embase", "Database", "", date(2024, 3, 2), 95),
                ),
            ),
            RoundFacts(
                2,
                "Update 1",
                date(2025, 3, 1),
                (SourceFacts("MEDLINE", "Database", "Ovid", date(2025, 3, 1), 12),),
            ),
        ),
        records_identified=196,
        duplicates_automatic=60,
        duplicates_manual=8,
        blind=True,
        stages=(
            StageFacts("title/abstract", 2, 2, 128, 128, "Cohen's κ", 0.8123, 0.9, 0.85, 7, 1),
            StageFacts("full text", 2, 2, 20, 20, "Cohen's κ", 0.7, 0.75, 0.8, 2),
        ),
        ranking_enabled=True,
        stops=(StopFacts("Statistical stopping rule", 40, 0.95, date(2024, 6, 1)),),
        reports_sought=20,
        reports_not_retrieved=1,
        reports_assessed=19,
        studies_included=9,
        reports_included=10,
        extractors_per_study=2,
        studies_extracted=9,
        rob_tools=("the Cochrane RoB 2 tool",),
        studies_assessed_rob=9,
    )
    values.update(changes)
    return MethodsFacts(**values)


def _text(facts) -> str:
    return " ".join(p.text for p in methods_paragraphs(facts))


def test_it_states_every_step_with_its_numbers():
    text = _text(_facts())
    assert "We searched 2 sources: MEDLINE (Ovid) on 2024-03-01 and Embase on 2024-03-02." in text
    assert "updated (update 1, 2025-03-01) in 1 source: MEDLINE (Ovid) on 2025-03-01." in text
    assert "identified 196 records" in text
    assert "(60 records)" in text and "(8 records)" in text and "68 duplicates were removed" in text
    assert (
        "At title/abstract, each record was screened by two reviewers independently and blinded"
        in text
    )
    assert "Cohen's κ 0.81, Gwet's AC1 0.90, PABAK 0.85" in text
    assert "resolved by the review lead (7 records; 1 agreed decisions were overruled)" in text
    assert "stated recall 95%" in text and "the 40 records not screened were excluded" in text
    assert "full text of 20 reports; 1 could not be retrieved and 19 were assessed" in text
    assert "9 studies (10 reports) were included" in text
    assert "Two reviewers extracted data" in text and "RoB 2" in text


def test_every_number_names_its_page():
    for paragraph in methods_paragraphs(_facts()):
        numbers = [s for s in paragraph.segments if isinstance(s, Num)]
        assert numbers, paragraph.heading
        assert all(n.link for n in numbers), paragraph.heading


def test_nothing_is_invented_for_steps_without_data():
    text = _text(MethodsFacts())
    assert text == "No searches have been logged or imported yet."
    single = _text(
        _facts(
            blind=False,
            stages=(StageFacts("title/abstract", 1, 1, 50),),
            stops=(),
            ranking_enabled=False,
            rob_tools=(),
            extractors_per_study=1,
        )
    )
    assert "screened by one reviewer" in single and "blinded" not in single
    assert "κ" not in single and "Disagreements" not in single
    assert "relevance" not in single and "Risk of bias" not in single
    assert "One reviewer extracted" in single
    partial = _text(_facts(studies_extracted=4))
    assert "(4 of 9 studies extracted so far)" in partial


def test_the_markdown_is_the_same_text():
    paragraphs = methods_paragraphs(_facts())
    markdown = as_markdown(title="LDN\nreview", paragraphs=paragraphs)
    assert markdown.startswith("# Methods: LDN review\n")
    for p in paragraphs:
        assert f"**{p.heading}.** {p.text}" in markdown
