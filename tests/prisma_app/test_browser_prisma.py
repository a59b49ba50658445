"""In a browser: the lead keeps the diagram open while a reviewer votes elsewhere;
the number changes without a reload."""

import pytest

from tests.factories import make_batch, make_record


@pytest.mark.browser
def test_the_diagram_updates_while_a_reviewer_votes(new_context, world):
    settings = world.review.screening_settings
    settings.votes_needed_ta = 1
    settings.save()
    batch = make_batch(world.review)
    for i in range(3):
        make_record(
            batch, title=f"Low-dose naltrexone trial {i}", abstract="Chronic pain outcomes."
        )

    lead = new_context(world.lead)
    lead.goto(f"/reviews/{world.review.pk}/prisma/")
    lead.evaluate("window.__marker = 'no reload'")
    excluded = lead.locator("g[data-node='records_excluded']")
    assert "(n = 0)" in excluded.text_content()

    reviewer = new_context(world.reviewer)
    reviewer.goto(f"/reviews/{world.review.pk}/screen/ta/")
    reviewer.wait_for_selector("[data-testid='record']")
    reviewer.keyboard.press("e")
    reviewer.keyboard.press("1")

    lead.wait_for_function(
        # A function, not an expression string: the page's CSP forbids eval.
        "() => document.querySelector(\"g[data-node='records_excluded']\")"
        ".textContent.includes('(n = 1)')",
        timeout=8000,
    )
    assert lead.evaluate("window.__marker") == "no reload"
