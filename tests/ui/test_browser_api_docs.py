"""The API docs work offline: Swagger UI and ReDoc come from vendored, pinned files."""

from urllib.parse import urlsplit

import pytest

LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}


def _block_outside(page) -> list[str]:
    blocked: list[str] = []

    def handle(route):
        url = route.request.url
        host = urlsplit(url).hostname or ""
        if url.startswith(("data:", "blob:")) or host in LOOPBACK:
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    page.route("**/*", handle)
    return blocked


@pytest.mark.browser
def test_point02_swagger_ui_lists_the_operations_with_the_network_cut_off(new_context, world):
    page = new_context(world.lead)
    blocked = _block_outside(page)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto("/")
    page.locator("nav.navbar a.nav-link:text-is('API')").click()
    page.wait_for_url("**/api/docs/")
    page.locator(".opblock").first.wait_for()
    assert page.locator(".opblock").count() > 20
    paths = page.locator(".opblock-summary-path").all_inner_texts()
    assert any(p.strip().replace("\u200b", "") == "/api/reviews/" for p in paths), paths[:5]
    assert blocked == [] and errors == []


@pytest.mark.browser
def test_redoc_renders_the_operations_with_the_network_cut_off(new_context, world):
    page = new_context(world.lead)
    blocked = _block_outside(page)
    page.goto("/api/redoc/")
    page.get_by_text("/api/reviews/", exact=False).first.wait_for(state="attached")
    assert page.locator("[data-section-id^='operation/']").count() > 20
    assert blocked == []
