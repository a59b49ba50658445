"""Content-Security-Policy: sent on every page, and the templates need no inline script."""

from __future__ import annotations

import re
from pathlib import Path

from django.urls import reverse

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def test_pages_send_a_policy_without_inline_script(client_for, world):
    response = client_for(world.lead).get(reverse("review_dashboard", args=[world.review.pk]))
    policy = response["Content-Security-Policy"]
    assert (
        "script-src 'self'" in policy
        and "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    )
    assert "frame-ancestors 'self'" in policy and "object-src" in policy
    login = client_for(None).get(reverse("login"))
    assert "Content-Security-Policy" in login


def test_no_template_has_an_inline_script_or_event_handler():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        if re.search(r"<script(?![^>]*\bsrc=)[^>]*>", text):
            offenders.append(f"{path}: inline <script>")
        if re.search(r"\son[a-z]+=\"", text) or "hx-on" in text or "javascript:" in text:
            offenders.append(f"{path}: inline event handler")
    assert not offenders, offenders


def test_forms_confirm_through_data_confirm(client_for, world):
    page = client_for(world.owner).get(reverse("members", args=[world.review.pk]))
    assert 'data-confirm="Leave this review?' in page.text
