"""Two reviewers screen from the keyboard in two browsers; the lead resolves their conflict."""

import pytest

from screening.models import RecordState, Resolution, Vote
from tests.screening.factories import make_records

pytestmark = pytest.mark.browser


def current_record(page) -> str:
    return page.locator("#screen-panel").get_attribute("data-record")


def press_and_wait(page, *keys):
    before = current_record(page)
    for key in keys:
        page.keyboard.press(key)
    page.wait_for_function(
        "before => document.getElementById('screen-panel').dataset.record !== before", arg=before
    )


def test_it_screens_blind_from_the_keyboard_and_the_lead_resolves(
    world, new_context, transactional_db
):
    first, second = sorted(
        make_records(world.review, 2, abstract="Low-dose naltrexone for fibromyalgia."),
        key=lambda r: (r.shuffle_key, r.pk),
    )
    url = f"/reviews/{world.review.pk}/screen/ta/"

    rita = new_context(world.reviewer)
    rita.goto(url)
    assert current_record(rita) == str(first.pk)
    press_and_wait(rita, "i")  # include the first
    assert current_record(rita) == str(second.pk)
    rita.keyboard.press("?")
    assert rita.locator("#shortcut-help").is_visible()
    press_and_wait(rita, "m")  # maybe the second

    rafael = new_context(world.reviewer2)
    rafael.goto(url)
    assert current_record(rafael) == str(first.pk)
    html = rafael.content()
    assert "rita" not in html and 'data-testid="other-votes"' not in html  # blind
    rafael.keyboard.press("e")
    assert rafael.locator("[data-testid=reasons]").is_visible()
    press_and_wait(rafael, "4")  # exclude, 4th reason: not related to the condition
    assert "rita" not in rafael.content()
    press_and_wait(rafael, "i")
    rafael.locator("[data-testid=queue-empty]").wait_for()

    assert Vote.objects.filter(record=first).count() == 2
    second.refresh_from_db()
    assert second.state == RecordState.FT_RETRIEVAL

    lead = new_context(world.lead)
    lead.goto(f"/reviews/{world.review.pk}/conflicts/ta/")
    conflict = lead.locator("[data-testid=conflict]")
    assert conflict.count() == 1
    assert conflict.locator("[data-testid=conflict-vote]").count() == 2
    assert "Not related to the condition/outcome" in conflict.inner_text()
    conflict.get_by_label("Include").check()
    conflict.locator("textarea[name=note]").fill("Chronic pain population")
    conflict.get_by_role("button", name="Record final decision").click()
    lead.locator("[data-testid=decision-done]").wait_for()
    first.refresh_from_db()
    assert first.state == RecordState.FT_RETRIEVAL
    assert Resolution.objects.get(record=first).note == "Chronic pain population"

    # Blinding ends once settled: rita now sees rafael's vote on the first record.
    rita.goto(f"/reviews/{world.review.pk}/screen/ta/records/{first.pk}/")
    assert "rafael" in rita.locator("[data-testid=other-votes]").inner_text()
