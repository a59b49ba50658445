"""Issue 11 in a browser: the lead screens as the second reviewer with blinding on and
never sees the first vote, its note or the outcome until they have voted."""

import re

import pytest

from screening.models import RecordState, Vote
from screening.services.votes import cast_vote
from tests.screening.factories import make_records, reason

pytestmark = pytest.mark.browser

NOTE = "Rita thinks the population is wrong"


def test_the_lead_screens_second_and_never_sees_the_first_vote(
    world, new_context, transactional_db
):
    (record,) = make_records(world.review, 1, abstract="Low-dose naltrexone for fibromyalgia.")
    cast_vote(
        record=record,
        stage="ta",
        reviewer=world.reviewer,
        verdict="exclude",
        reason=reason(world.review, "ta", 3).pk,
        note=NOTE,
    )
    base = f"/reviews/{world.review.pk}"
    lead = new_context(world.lead)

    # Everywhere the lead may look before voting: nothing of rita's vote.
    for url in (
        f"{base}/screen/ta/",
        f"{base}/screen/ta/records/{record.pk}/",
        f"{base}/records/{record.pk}/screening/",
        f"{base}/records/",
        f"{base}/conflicts/ta/",
        f"{base}/",
    ):
        lead.goto(url)
        html = lead.content()
        # The records list's "screened by" menu names the review's screeners (as the
        # Members page does), not who voted on what: the rest of the page must not.
        html = re.sub(r'<select[^>]*id="f-screened-by".*?</select>', "", html, flags=re.S)
        assert NOTE not in html, url
        assert "rita" not in html.lower(), url
        assert 'data-testid="other-votes"' not in html, url

    # The queue gives the lead the record; the lead votes from the keyboard.
    lead.goto(f"{base}/screen/ta/")
    panel = lead.locator("#screen-panel")
    assert panel.get_attribute("data-record") == str(record.pk)
    lead.keyboard.press("i")
    saved = lead.locator("[data-testid=vote-saved]")
    saved.wait_for()
    # The answer counts votes and says nothing of agreement.
    assert saved.inner_text().startswith("Saved; 2 of 2 votes in.")
    assert "conflict" not in saved.inner_text().lower()
    assert NOTE not in lead.content()
    assert Vote.objects.filter(record=record).count() == 2
    record.refresh_from_db()
    assert record.state == RecordState.TA  # in conflict, waiting for the lead

    # Now all votes are in: the lead sees both on the Conflicts page.
    lead.goto(f"{base}/conflicts/ta/")
    conflict = lead.locator("[data-testid=conflict]")
    assert conflict.count() == 1
    assert NOTE in conflict.inner_text() and "rita" in conflict.inner_text()
