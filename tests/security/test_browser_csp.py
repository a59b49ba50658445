"""In Chromium, under the Content-Security-Policy every page sends: pages and their HTMX
actions work and the browser reports no violation (a blocked script, style or request)."""

from __future__ import annotations

import pytest

from screening.models import Vote
from tests.screening.factories import make_records

pytestmark = pytest.mark.browser

# Recorded before any page script runs, on every page of the context.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def test_pages_and_htmx_work_under_the_policy(new_context, world):
    (record,) = make_records(world.review, 1, abstract="Low-dose naltrexone for fibromyalgia.")
    page = new_context(world.reviewer)
    page.add_init_script(RECORD_VIOLATIONS)
    console = []
    page.on(
        "console",
        lambda m: console.append(m.text) if "Content Security Policy" in m.text else None,
    )
    base = f"/reviews/{world.review.pk}"
    for path in ("/", "/records/", "/prisma/", "/risk-of-bias/", "/members/"):
        page.goto(base + path)
        assert page.evaluate("window.__csp") == [], path
    page.goto(f"{base}/screen/ta/")
    assert page.evaluate("() => typeof window.htmx") == "object"  # the script ran
    page.locator("[data-testid=vote-include]").click()  # an HTMX request and swap
    page.locator("[data-testid=queue-empty]").wait_for()
    assert Vote.objects.get(record=record, reviewer=world.reviewer).verdict == "include"
    assert page.evaluate("window.__csp") == [] and console == []
