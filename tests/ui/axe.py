"""Run axe-core (vendored, pinned: tests/browser_assets/) on a Playwright page."""

from __future__ import annotations

import hashlib
from pathlib import Path

AXE_PATH = Path(__file__).resolve().parent.parent / "browser_assets" / "axe.min.js"
AXE_SHA256 = "29348999450cdf2849a8e70b7912fc2da85a849da39c0d0d5394f51d4a9ed95c"  # 4.14.1
SERIOUS = {"serious", "critical"}
ALL = False


def axe_source() -> str:
    data = AXE_PATH.read_bytes()
    assert hashlib.sha256(data).hexdigest() == AXE_SHA256, "axe.min.js is not the pinned 4.14.1"
    return data.decode()


def install(context) -> None:
    """Make `axe` available on every page of the browser context (an init script: no CSP issue)."""
    context.add_init_script(script=axe_source())


def serious_violations(page) -> list[str]:
    """WCAG 2.1 A/AA rules; one line per serious or critical violation, with where it is."""
    result = page.evaluate(
        """async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
            resultTypes: ['violations'],
        })"""
    )
    lines = []
    for violation in result["violations"]:
        if violation["impact"] not in SERIOUS and not ALL:
            continue
        for node in violation["nodes"][:5]:
            lines.append(
                f"{violation['id']} ({violation['impact']}): {' '.join(node['target'])}"
                f" — {node.get('failureSummary', '').splitlines()[-1:]}"
            )
    return lines
