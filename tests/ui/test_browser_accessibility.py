"""axe-core (vendored, pinned) on every page of the demo review, for the lead and a reviewer:
no serious or critical WCAG 2.1 A/AA violation. Plus what axe cannot see: contrast of the
top bar, a visible focus ring, and a visible line after each vote."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from reviewapp.models import Review
from tests.ui.axe import install, serious_violations


@pytest.fixture
def demo(transactional_db):
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Review.objects.get()


def _pages(page, review) -> list[str]:
    """Every page of the menu the member sees, plus the pages reached from them."""
    page.goto(f"/reviews/{review.pk}/")
    menu = page.locator("[data-testid=review-nav] a.nav-link").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))"
    )
    extras = [
        "/",
        "/accounts/password/",
        "/accounts/token/",
        f"/reviews/{review.pk}/duplicates/groups/",
        f"/reviews/{review.pk}/conflicts/ft/",
        f"/reviews/{review.pk}/screen/ft/",
        f"/reviews/{review.pk}/votes/",
        f"/reviews/{review.pk}/extraction/form/",
    ]
    from extraction.models import Study

    study = Study.objects.filter(review=review).order_by("pk").first()
    if study is not None:
        for instrument in ("extraction", "rob-domain", "rob2"):
            extras.append(f"/reviews/{review.pk}/studies/{study.pk}/{instrument}/")
            extras.append(f"/reviews/{review.pk}/studies/{study.pk}/{instrument}/compare/")
    record = review.records.order_by("pk").first()
    if record is not None:
        extras.append(f"/reviews/{review.pk}/records/{record.pk}/screening/")
    return list(dict.fromkeys(menu + extras))


@pytest.mark.browser
@pytest.mark.parametrize("username", ["lead", "reviewer1"])
def test_point09_axe_finds_nothing_serious_on_any_page_of_the_demo(new_context, demo, username):
    page = new_context(get_user_model().objects.get(username=username))
    install(page.context)
    page.set_viewport_size({"width": 1366, "height": 900})
    found = {}
    pages = _pages(page, demo)
    assert len(pages) >= (20 if username == "lead" else 15)
    for path in pages:
        response = page.goto(path)
        if response.status == 403:  # a page of another role (the reviewer's extras)
            continue
        assert response.status == 200, path
        page.wait_for_load_state("networkidle")
        violations = serious_violations(page)
        if violations:
            found[path] = violations
    assert found == {}, "\n".join(f"{p}: {v}" for p, vs in found.items() for v in vs)


@pytest.mark.browser
def test_the_vote_leaves_a_visible_status_line_and_the_focus_ring_shows(new_context, demo):
    page = new_context(get_user_model().objects.get(username="reviewer1"))
    install(page.context)
    page.goto(f"/reviews/{demo.pk}/screen/ta/")
    first = page.locator("#screen-panel").get_attribute("data-record")
    page.keyboard.press("i")
    line = page.locator("[data-testid=last-vote]")
    line.wait_for()
    assert line.is_visible()
    assert "Last vote: Include" in line.inner_text() and "u" in line.inner_text()
    assert page.locator("#screen-panel").get_attribute("data-record") != first
    assert serious_violations(page) == []
    # Exclude with a reason: the line names it.
    page.keyboard.press("e")
    page.keyboard.press("1")
    page.wait_for_function(
        "() => document.getElementById('last-vote').innerText.includes('Exclude')"
    )
    # Tab to a vote button: a ring of at least 3px shows.
    page.locator("[data-testid=vote-include]").focus()
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineWidth")
    assert float(outline.rstrip("px")) >= 3


def _luminance(rgb: str) -> float:
    parts = [int(x) for x in rgb[rgb.index("(") + 1 : rgb.index(")")].split(",")[:3]]
    channels = []
    for c in parts:
        c = c / 255
        channels.append(c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4)
    return 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2]


@pytest.mark.browser
def test_the_top_bar_links_pass_aa_contrast_and_show_keyboard_focus(new_context, demo):
    page = new_context(get_user_model().objects.get(username="lead"))
    page.goto("/")
    link = page.locator("nav.navbar a.nav-link:text-is('API')")
    colour = link.evaluate("a => getComputedStyle(a).color")
    background = page.locator("nav.navbar").evaluate("n => getComputedStyle(n).backgroundColor")
    light, dark = sorted([_luminance(colour), _luminance(background)], reverse=True)
    assert (light + 0.05) / (dark + 0.05) >= 4.5
    page.keyboard.press("Tab")  # the brand link comes first
    focused = page.evaluate(
        "[document.activeElement.closest('nav.navbar') !== null,"
        " getComputedStyle(document.activeElement).outlineStyle,"
        " getComputedStyle(document.activeElement).outlineWidth]"
    )
    assert focused[0] and focused[1] != "none" and float(focused[2].rstrip("px")) >= 3
