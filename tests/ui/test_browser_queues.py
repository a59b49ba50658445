"""Keyboard on the queue pages (issue 15, points 4 and 5): conflicts decided from the keys
with the count right at once, the full text giving the keyboard back after the PDF and
keeping the vote buttons on a tablet's first screen, and `?` listing each page's keys."""

import pytest

from screening.models import RecordState, Resolution, Vote
from screening.services.votes import cast_vote
from tests.screening.factories import attach_pdf, make_records, reason

pytestmark = pytest.mark.browser


def _conflicts(world, n):
    records = make_records(world.review, n, abstract="Low-dose naltrexone for fibromyalgia.")
    for record in records:
        cast_vote(record=record, stage="ta", reviewer=world.reviewer, verdict="include")
        cast_vote(
            record=record,
            stage="ta",
            reviewer=world.reviewer2,
            verdict="exclude",
            reason=reason(world.review, "ta", 0),
        )
    return records


def test_point04_conflicts_are_decided_from_the_keyboard_and_the_count_follows(new_context, world):
    _conflicts(world, 3)
    page = new_context(world.lead)
    page.goto(f"/reviews/{world.review.pk}/conflicts/ta/")
    count = page.locator("[data-testid=conflict-count]")
    assert count.inner_text() == "3 conflicts left"
    # Every note box (and reason list) has a label.
    unlabelled = page.evaluate(
        "() => Array.from(document.querySelectorAll('textarea, select'))"
        ".filter(el => !el.labels.length && !el.getAttribute('aria-label')).length"
    )
    assert unlabelled == 0
    assert page.locator("textarea[name=note]").first.evaluate("t => t.labels[0].innerText")
    page.keyboard.press("?")
    assert page.locator("#shortcut-help").is_visible()
    assert "j" in page.locator("#shortcut-help").inner_text()
    page.keyboard.press("?")
    assert page.locator("#shortcut-help").is_hidden()

    cards = page.locator("[data-testid=conflict]")
    first_id, second_id = (cards.nth(i).get_attribute("id") for i in (0, 1))
    page.keyboard.press("j")
    assert page.evaluate("() => document.activeElement.id") == first_id
    page.keyboard.press("i")
    page.keyboard.press("Enter")
    page.locator(f"#{first_id} [data-testid=decision-done]").wait_for()
    assert count.inner_text() == "2 conflicts left"  # no reload
    # The next open conflict is the current one: exclude it with the second reason.
    # (Focus moves just after the card is marked done: waited for, up to the page timeout.)
    page.wait_for_function("id => document.activeElement.id === id", arg=second_id)
    page.keyboard.press("e")
    page.keyboard.press("2")
    page.keyboard.press("Enter")
    page.locator(f"#{second_id} [data-testid=decision-done]").wait_for()
    assert count.inner_text() == "1 conflict left"
    third_id = cards.nth(2).get_attribute("id")
    page.wait_for_function("id => document.activeElement.id === id", arg=third_id)
    page.keyboard.press("k")
    assert page.evaluate("() => document.activeElement.id") == second_id

    decided = {r.record_id: r for r in Resolution.objects.all()}
    first, second = (int(i.split("-")[1]) for i in (first_id, second_id))
    assert decided[first].verdict == "include"
    assert decided[second].verdict == "exclude"
    assert decided[second].reason == reason(world.review, "ta", 1)
    assert len(decided) == 2


def _full_text(world):
    (record,) = make_records(world.review, 1, state=RecordState.FT, title="LDN in CRPS")
    attach_pdf(record)
    return record


def test_point05_full_text_gives_the_keyboard_back_after_the_pdf(new_context, world):
    record = _full_text(world)
    page = new_context(world.reviewer)
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto(f"/reviews/{world.review.pk}/screen/ft/")
    pdf = page.locator("[data-testid=pdf]")
    hint = page.locator("[data-testid=pdf-hint]")
    assert "f" in hint.inner_text() and hint.is_visible()
    page.keyboard.press("?")
    assert "PDF" in page.locator("#shortcut-help").inner_text()
    page.keyboard.press("Escape")

    pdf.click()  # the PDF takes the keyboard: the page says so
    page.wait_for_function("() => document.activeElement.tagName === 'IFRAME'")
    page.wait_for_function(
        "() => document.getElementById('pdf-hint').classList.contains('pdf-has-focus')"
    )
    assert "paused" in hint.inner_text()
    page.wait_for_timeout(1000)  # a moment in the PDF (its viewer settles its focus)
    box = page.locator("[data-testid=vote-include]").bounding_box()
    page.mouse.move(box["x"] + 5, box["y"] + 5, steps=5)  # the pointer leaves the PDF
    page.wait_for_function("() => document.activeElement.tagName !== 'IFRAME'")
    page.wait_for_timeout(500)  # the PDF viewer does not take it back
    assert page.evaluate("() => document.activeElement.id") == "screen-panel"
    assert "shortcuts work" in hint.inner_text()
    page.keyboard.press("f")  # f moves the keyboard into the PDF, on purpose
    assert page.evaluate("() => document.activeElement.tagName") == "IFRAME"
    page.mouse.move(5, 5, steps=5)
    page.wait_for_function("() => document.activeElement.tagName !== 'IFRAME'")
    page.keyboard.press("i")  # and the shortcuts work again
    page.locator("[data-testid=queue-empty]").wait_for()
    assert Vote.objects.get(record=record, reviewer=world.reviewer).verdict == "include"


def test_point05_on_a_tablet_the_vote_buttons_are_on_the_first_screen(new_context, world):
    _full_text(world)
    page = new_context(world.reviewer)
    page.set_viewport_size({"width": 820, "height": 1180})
    page.goto(f"/reviews/{world.review.pk}/screen/ft/")
    # Measured once the PDF has loaded: its viewer takes the focus then, and the browser
    # scrolled it into view (the buttons 630 px above the screen) until the page undid it.
    page.wait_for_timeout(3000)
    assert page.evaluate("() => [window.scrollY, document.activeElement.id]") == [0, "screen-panel"]
    for verdict in ("include", "maybe", "exclude"):
        box = page.locator(f"[data-testid=vote-{verdict}]").bounding_box()
        assert box["y"] >= 0 and box["y"] + box["height"] <= 1180, verdict
    assert page.locator("[data-testid=pdf]").is_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 820
