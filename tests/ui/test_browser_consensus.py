"""Consensus in the browser (issue 15, point 6): buttons only where the extractors differ,
a "differences only" filter, and a key for the next difference."""

import pytest

from extraction import selectors
from extraction.services.forms import use_seed_template
from extraction.services.sheets import save_values, submit_sheet
from tests.extraction.factories import make_study

pytestmark = pytest.mark.browser

VALUES = {
    "authors": "Younger J, Mackey S",
    "publication_date": "2013-02",
    "title": "Low-dose naltrexone for fibromyalgia",
    "sample_size": "31",
    "study_type": "prospective_study",
}


def _two_sheets(world, study, differ: dict[str, tuple[str, str]]):
    for slot, user in enumerate((world.reviewer, world.reviewer2)):
        ctx = selectors.context_for(review=world.review)[0]
        raw = {**VALUES, **{key: pair[slot] for key, pair in differ.items()}}
        result = save_values(
            study=study,
            instrument="extraction",
            membership=world.membership(user),
            raw=raw,
            ctx=ctx,
        )
        assert not result.errors, result.errors
        submit_sheet(sheet=result.sheet, ctx=ctx, by=user)


def test_point06_consensus_offers_choices_only_where_the_extractors_differ(new_context, world):
    use_seed_template(review=world.review, by=world.lead)
    study = make_study(world.review, title="Low-dose naltrexone for fibromyalgia")
    _two_sheets(world, study, {"mean_age": ("45", "44"), "sample_size": ("31", "30")})
    page = new_context(world.lead)
    page.goto(f"/reviews/{world.review.pk}/studies/{study.pk}/extraction/compare/")
    rows = page.locator("tr.compare-row")
    same = page.locator("tr.compare-row[data-differs='0']")
    assert rows.count() > 4 and same.count() == rows.count() - 2
    # No Use/Use/Record buttons on agreeing rows (only a closed "record another value").
    for i in range(same.count()):
        assert same.nth(i).get_by_role("button").filter(visible=True).count() == 0
    assert page.locator("#item-title").get_by_role("button", name="Use rita's").count() == 0
    assert page.locator("#item-mean_age").get_by_role("button", name="Use rita's").is_visible()

    page.keyboard.press("n")  # the next difference, in the form's order
    first = page.evaluate("() => document.activeElement.id")
    assert first in {"item-mean_age", "item-sample_size"}
    page.keyboard.press("n")
    second = page.evaluate("() => document.activeElement.id")
    assert {first, second} == {"item-mean_age", "item-sample_size"}
    page.keyboard.press("n")  # wraps around
    assert page.evaluate("() => document.activeElement.id") == first

    page.keyboard.press("?")
    assert "next difference" in page.locator("#shortcut-help").inner_text()
    page.keyboard.press("?")
    page.check("[data-testid=differences-only]")
    visible = [r for r in rows.all() if r.is_visible()]
    assert {r.get_attribute("id") for r in visible} == {"item-mean_age", "item-sample_size"}
    page.keyboard.press("d")
    assert len([r for r in rows.all() if r.is_visible()]) == rows.count()
