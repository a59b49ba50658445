"""Issue 15 in the browser, one test per numbered point (Chromium, the real stack):

 1. navigation fits          test_browser_navigation.py::test_point01_every_nav_item_is_visible_and_reachable_at_each_width
 2. API docs offline         test_browser_api_docs.py::test_point02_swagger_ui_lists_the_operations_with_the_network_cut_off
 3. error pages              here: test_point03_error_pages_are_styled_with_the_way_back
 4. conflicts keyboard       test_browser_queues.py::test_point04_conflicts_are_decided_from_the_keyboard_and_the_count_follows
                             (and here: test_point04_every_queue_page_lists_its_keys_under_question_mark)
 5. full text                test_browser_queues.py::test_point05_full_text_gives_the_keyboard_back_after_the_pdf
                             and ::test_point05_on_a_tablet_the_vote_buttons_are_on_the_first_screen
 6. consensus                test_browser_consensus.py::test_point06_consensus_offers_choices_only_where_the_extractors_differ
 7. ranking stop             test_ranking_stop.py::test_point07_stopping_asks_for_confirmation_with_the_count
                             (number tokens: tests/ranking/test_model.py::test_numbers_are_never_shown_as_top_terms)
 8. risk of bias at tablet   here: test_point08_risk_of_bias_at_tablet_width_shows_whole_choices_and_symbols
 9. accessibility            test_browser_accessibility.py::test_point09_axe_finds_nothing_serious_on_any_page_of_the_demo
                             (and the contrast, focus-ring and last-vote tests beside it)
10. first run                here: test_point10_first_run_dashboard_steps_and_realistic_demo_records
11. PRISMA page              test_browser_prisma_page.py::test_point11_the_prisma_diagram_uses_the_width_with_readable_type
"""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings

from extraction.models import Sheet
from reviewapp import services
from reviewapp.models import Review
from tests.ui.axe import install, serious_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(transactional_db):
    call_command("demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Review.objects.get()


def _user(name):
    return get_user_model().objects.get(username=name)


@override_settings(DEBUG=False, ROOT_URLCONF="tests.ui.error_urls")
def test_point03_error_pages_are_styled_with_the_way_back(new_context, world):
    page = new_context(world.reviewer)
    install(page.context)
    response = page.goto(f"/reviews/{world.review.pk}/conflicts/ta/")
    assert response.status == 403
    card = page.locator("[data-testid=error-page]")
    assert card.is_visible() and "lead role" in card.inner_text()
    # Styled: the app's top bar with its colour, not bare text.
    bar = page.locator("nav.navbar").evaluate("n => getComputedStyle(n).backgroundColor")
    assert bar not in ("rgba(0, 0, 0, 0)", "transparent")
    assert serious_violations(page) == []
    card.get_by_role("link", name="Back to the review").click()
    page.wait_for_url(f"**/reviews/{world.review.pk}/")

    response = page.goto("/no/such/page/")
    assert response.status == 404
    assert "Page not found" in page.locator("[data-testid=error-page]").inner_text()
    assert serious_violations(page) == []

    response = page.goto("/boom/")
    assert response.status == 500
    text = page.locator("[data-testid=error-page]").inner_text()
    assert "Something went wrong" in text and "secret internals" not in page.content()
    page.get_by_role("link", name="My reviews").last.click()
    page.wait_for_url("**/")
    assert page.locator("text=Low-dose naltrexone for chronic pain").count() >= 1


def test_point04_every_queue_page_lists_its_keys_under_question_mark(new_context, demo):
    study = Sheet.objects.filter(study__review=demo, slot=2).first().study
    pages = {
        "screening": (f"/reviews/{demo.pk}/screen/ta/", "reviewer1", "include"),
        "full text": (f"/reviews/{demo.pk}/screen/ft/", "reviewer1", "PDF"),
        "conflicts": (f"/reviews/{demo.pk}/conflicts/ta/", "lead", "next/previous conflict"),
        "consensus": (
            f"/reviews/{demo.pk}/studies/{study.pk}/extraction/compare/",
            "lead",
            "next difference",
        ),
        "duplicates": (f"/reviews/{demo.pk}/duplicates/", "lead", "duplicates"),
    }
    for name, (url, user, expected) in pages.items():
        page = new_context(_user(user))
        assert page.goto(url).status == 200, name
        help_box = page.locator("#shortcut-help")
        assert help_box.count() == 1 and help_box.is_hidden(), name
        page.keyboard.press("?")
        assert help_box.is_visible(), name
        assert expected in help_box.inner_text() and "?" in help_box.inner_text(), name
        page.keyboard.press("?")
        assert help_box.is_hidden(), name
        # The button does the same, and says whether the list is open.
        button = page.locator("[data-shortcut-help]").first
        button.click()
        assert help_box.is_visible() and button.get_attribute("aria-expanded") == "true", name


def test_point08_risk_of_bias_at_tablet_width_shows_whole_choices_and_symbols(new_context, demo):
    page = new_context(_user("lead"))
    page.set_viewport_size({"width": 820, "height": 1180})
    page.goto(f"/reviews/{demo.pk}/risk-of-bias/")
    cut = page.evaluate(
        """() => {
        const canvas = document.createElement('canvas').getContext('2d');
        return Array.from(document.querySelectorAll('main select')).filter(s => {
            const style = getComputedStyle(s);
            canvas.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
            const text = s.options[s.selectedIndex] ? s.options[s.selectedIndex].text : '';
            const room = s.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
            return canvas.measureText(text).width > room + 1;
        }).map(s => s.options[s.selectedIndex].text);
    }"""
    )
    assert page.locator("main select").count() > 0
    assert cut == []
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 820
    # Judgements by symbol as well as colour.
    symbols = page.locator(".traffic-light .rob-dot").all_inner_texts()
    assert {"+", "×"} <= set(symbols)
    assert page.locator("[data-testid=rob-legend]").first.is_visible()


def test_point10_first_run_dashboard_steps_and_realistic_demo_records(new_context, demo):
    lead = _user("lead")
    fresh = services.create_review(owner=lead, title="A brand new review")
    page = new_context(lead)
    page.goto(f"/reviews/{fresh.pk}/")
    steps = page.locator("[data-testid=first-steps] [data-step]")
    assert [steps.nth(i).get_attribute("data-step") for i in range(steps.count())] == [
        "import",
        "settings",
        "invite",
        "screen",
    ]
    assert page.locator(".progress-bar").count() == 0  # no 0/0 bar drawn full
    page.locator("[data-testid=first-steps] a", has_text=re.compile("mport")).first.click()
    page.wait_for_url(f"**/reviews/{fresh.pk}/imports/**")

    # The demo's records read like a real search: their own titles and abstracts.
    screener = new_context(_user("reviewer2"))
    screener.goto(f"/reviews/{demo.pk}/screen/ta/")
    seen = []
    for _ in range(3):
        panel = screener.locator("#screen-panel")
        record = panel.get_attribute("data-record")
        title = screener.locator("[data-testid=record-title]").inner_text()
        abstract = screener.locator("[data-testid=record-abstract]").inner_text()
        assert not re.search(r"\(\d+\)\s*$", title), title
        assert "naltrexone" in (title + abstract).lower() and len(abstract) > 200
        seen.append((title, abstract))
        screener.keyboard.press("m")
        screener.wait_for_function(
            "before => document.getElementById('screen-panel').dataset.record !== before",
            arg=record,
        )
    assert len({t for t, _ in seen}) == 3 and len({a for _, a in seen}) == 3
