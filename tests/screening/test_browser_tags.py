"""A reviewer tags the record on screen from the keyboard (t, then the tag's key)."""

import pytest

from screening.models import RecordTag, Vote
from screening.services.tags import create_tag
from tests.screening.factories import make_records
from tests.screening.test_browser_screening import current_record, press_and_wait

pytestmark = pytest.mark.browser


def test_it_tags_from_the_keyboard_while_screening(world, new_context, transactional_db):
    make_records(world.review, 2, abstract="Low-dose naltrexone for fibromyalgia.")
    tag = create_tag(review=world.review, name="RCT", key="r", colour="green")
    page = new_context(world.reviewer)
    page.goto(f"/reviews/{world.review.pk}/screen/ta/")
    record_id = int(current_record(page))
    chip = f"#screen-panel [data-testid=tag][data-tag='{tag.pk}']"
    page.keyboard.press("t")
    page.keyboard.press("r")
    page.locator(chip).wait_for()
    assert RecordTag.objects.filter(record_id=record_id, tag=tag).exists()
    page.keyboard.press("t")
    page.keyboard.press("r")  # again: off
    page.locator(chip).wait_for(state="detached")
    assert not RecordTag.objects.filter(record_id=record_id, tag=tag).exists()
    page.keyboard.press("t")
    page.keyboard.press("r")
    page.locator(chip).wait_for()
    press_and_wait(page, "i")  # the keys still vote after tagging
    assert Vote.objects.get(record_id=record_id, reviewer=world.reviewer).verdict == "include"
    assert RecordTag.objects.filter(record_id=record_id, tag=tag).count() == 1


def test_it_tags_from_the_records_lists_one_picker(world, new_context, transactional_db):
    records = make_records(world.review, 3)
    tag = create_tag(review=world.review, name="RCT", key="r", colour="green")
    page = new_context(world.reviewer)
    page.goto(f"/reviews/{world.review.pk}/records/")
    # One picker for the page, copied into the row whose "tag" is clicked.
    assert page.locator("[data-testid=tag-picker]").count() == 0
    row = page.locator(f"[data-testid=record-tags][data-record='{records[1].pk}']")
    row.locator("[data-tag-open]").click()
    assert page.locator("[data-testid=tag-picker]").count() == 1
    row.locator(f"[data-testid=tag-toggle][data-tag-id='{tag.pk}']").click()
    page.locator(
        f"[data-testid=record-tags][data-record='{records[1].pk}'] [data-testid=tag]"
    ).wait_for()
    assert list(RecordTag.objects.values_list("record_id", flat=True)) == [records[1].pk]
    # The row comes back with its opener, not a picker of its own.
    row = page.locator(f"[data-testid=record-tags][data-record='{records[1].pk}']")
    assert row.locator("[data-tag-open]").count() == 1
    assert page.locator("[data-testid=tag-picker]").count() == 0
    # From the keyboard: j to the first record, t, then the tag's key.
    page.keyboard.press("j")
    page.keyboard.press("t")
    page.keyboard.press("r")
    page.locator(
        f"[data-testid=record-tags][data-record='{records[0].pk}'] [data-testid=tag]"
    ).wait_for()
    assert sorted(RecordTag.objects.values_list("record_id", flat=True)) == sorted(
        [records[0].pk, records[1].pk]
    )
