"""The lead walks the records list from the keyboard (j/k), ticks rows (x) and lists the
keys (?), then sends the ticked records to a bulk action."""

import pytest

from screening.models import RecordState
from tests.factories import make_batch, make_record

pytestmark = pytest.mark.browser


def test_the_lead_ticks_records_from_the_keyboard(world, new_context, transactional_db):
    batch = make_batch(world.review, source_name="PubMed")
    records = [
        make_record(batch, title=f"Sought {i}", state=RecordState.FT_RETRIEVAL) for i in range(3)
    ]
    page = new_context(world.lead)
    page.goto(f"/reviews/{world.review.pk}/records/")
    help_box = page.locator("[data-testid=records-help]")
    assert help_box.is_hidden()
    page.keyboard.press("?")
    help_box.wait_for(state="visible")
    page.keyboard.press("j")  # first record
    page.keyboard.press("j")  # second
    page.keyboard.press("x")
    page.keyboard.press("k")  # back to the first
    page.keyboard.press("x")
    ticked = page.locator("input[name=id]:checked")
    assert sorted(int(v) for v in ticked.evaluate_all("els => els.map(e => e.value)")) == [
        records[0].pk,
        records[1].pk,
    ]
    page.keyboard.press("x")  # untick the first again
    assert page.locator("input[name=id]:checked").count() == 1
    page.select_option("[data-testid=bulk-action]", "not_retrieved")
    page.fill("input[name=reason]", "Paywalled")
    page.click("[data-testid=bulk-apply]")
    page.locator("[data-testid=bulk-confirm]").wait_for()
    assert "1 record" in page.locator("[data-testid=bulk-confirm] h2").inner_text()
    page.click("[data-testid=bulk-confirm-button]")
    page.locator("[data-testid=records]").wait_for()  # back on the list
    states = [r.state for r in (r.__class__.objects.get(pk=r.pk) for r in records)]
    assert states == [
        RecordState.FT_RETRIEVAL,
        RecordState.FT_NOT_RETRIEVED,
        RecordState.FT_RETRIEVAL,
    ]
