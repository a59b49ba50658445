"""In a real browser: two extractors fill the form independently (autosave), mark it
done, and the lead resolves their one difference in the comparison view."""

import pytest

from extraction.models import Consensus, Sheet
from extraction.services.forms import use_seed_template
from tests.extraction.factories import make_study
from tests.services_fixtures import wait_for

VALUES = {
    "authors": "Younger J, Mackey S",
    "publication_date": "2013-02",
    "title": "Low-dose naltrexone for fibromyalgia",
    "sample_size": "31",
}


def _extract(page, url, *, mean_age):
    page.goto(url)
    for key, value in VALUES.items():
        page.fill(f"#f-{key}", value)
        page.press(f"#f-{key}", "Tab")
    page.select_option("#f-study_type", "prospective_study")
    page.fill("#f-mean_age", mean_age)
    page.press("#f-mean_age", "Tab")
    page.wait_for_load_state("networkidle")


@pytest.mark.browser
def test_two_extractors_and_the_lead_resolve_a_difference(new_context, transactional_db, world):
    use_seed_template(review=world.review, by=world.lead)
    study = make_study(world.review, title="Low-dose naltrexone for fibromyalgia")
    sheet_url = f"/reviews/{world.review.pk}/studies/{study.pk}/extraction/"

    for user, age in ((world.reviewer, "45"), (world.reviewer2, "44")):
        page = new_context(user)
        _extract(page, sheet_url, mean_age=age)
        wait_for(
            lambda user=user, age=age: Sheet.objects.filter(
                study=study, assessor=user, values__mean_age=float(age), values__sample_size=31
            ).exists(),
            what=f"{user.username}'s autosave",
        )
        assert page.locator("[data-testid=saved]").count() == 1
        page.click("[data-testid=mark-done]")
        page.wait_for_selector("[data-testid=sheet-done]")
        if user == world.reviewer:
            # Blind: the first extractor cannot see the second's values yet.
            page.goto(sheet_url + "compare/")
            assert page.locator("[data-testid=blinded]").count() == 1

    lead = new_context(world.lead)
    lead.goto(sheet_url + "compare/")
    differing = lead.locator("tr[data-differs='1']")
    assert differing.count() == 1
    row = lead.locator("#item-mean_age")
    assert row.get_attribute("data-differs") == "1"
    assert row.locator(".value-a").inner_text() == "45"
    assert row.locator(".value-b").inner_text() == "44"
    row.get_by_role("button", name="Use rafael's").click()
    lead.wait_for_selector("#item-mean_age .final-value")
    assert lead.locator("#item-mean_age .final-value").inner_text() == "44"
    assert Consensus.objects.get(study=study, instrument="extraction").values == {"mean_age": 44.0}
    assert Sheet.objects.get(study=study, assessor=world.reviewer).values["mean_age"] == 45
