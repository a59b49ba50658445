"""In a real browser: log in, create a review, add a member, who then sees it."""

import pytest

from tests.conftest import PASSWORD, make_user


@pytest.mark.browser
def test_an_owner_creates_a_review_and_adds_a_reviewer(new_context, transactional_db):
    make_user("olivia")
    make_user("rita")
    page = new_context()
    page.goto("/")
    page.fill("input[name=username]", "olivia")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.click("text=New review")
    page.fill("input[name=title]", "LDN <b>review</b>")
    page.click("input[type=submit]")
    assert page.locator("h1").inner_text() == "LDN <b>review</b>"  # shown as text, not markup
    page.click("a.nav-link:text-is('Members')")
    page.fill("input[name=who]", "rita")
    page.select_option("select[name=role]", "reviewer")
    page.click("form[action$='/members/add/'] button[type=submit]")
    assert page.locator(".alert-success").inner_text().startswith("rita added")

    page.click("text=olivia")
    page.click("text=Log out")
    page.fill("input[name=username]", "rita")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    assert page.locator("text=LDN <b>review</b>").count() == 1
