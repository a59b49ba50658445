"""In Chromium at tablet, laptop and desktop widths: every page of the review's menu is on
screen (wrapped, never scrolled out of view), the current one marked."""

import pytest

WIDTHS = [820, 1366, 1920]


@pytest.mark.browser
@pytest.mark.parametrize("role", ["lead", "reviewer"])
def test_point01_every_nav_item_is_visible_and_reachable_at_each_width(new_context, world, role):
    page = new_context(world.user(role))
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"/reviews/{world.review.pk}/risk-of-bias/")
        links = page.locator("[data-testid=review-nav] a.nav-link")
        assert links.count() >= (15 if role == "lead" else 10)
        for i in range(links.count()):
            link = links.nth(i)
            assert link.is_visible(), (width, link.inner_text())
            box = link.bounding_box()
            assert box["x"] >= 0 and box["x"] + box["width"] <= width, (width, link.inner_text())
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        current = page.locator("[data-testid=review-nav] [aria-current=page]")
        assert current.count() == 1 and current.inner_text() == "Risk of bias"
        # Reachable: the last item (Members/Settings, formerly off-screen) opens by click.
        page.locator("[data-testid=review-nav] a.nav-link:text-is('Members')").click()
        page.wait_for_url(f"**/reviews/{world.review.pk}/members/")
        assert page.locator("[aria-current=page]").inner_text() == "Members"
