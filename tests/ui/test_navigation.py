"""The review's navigation: grouped by stage, role-aware, the current page marked."""

import re

import pytest

from reviewapp import services
from reviewapp.models import Membership, Role
from reviewapp.navigation import GROUPS, review_menu

ALL_LABELS = [item.label for group in GROUPS for item in group.items]


def nav_links(html: str) -> list[tuple[str, str, bool]]:
    nav = html.split('data-testid="review-nav"', 1)[1].split("</nav>", 1)[0]
    return [
        (label, href, "aria-current" in attrs)
        for href, attrs, label in re.findall(
            r'<a class="nav-link[^"]*" href="([^"]+)"([^>]*)>([^<]+)</a>', nav
        )
    ]


@pytest.mark.parametrize("role", ["owner", "lead", "reviewer", "viewer"])
def test_every_link_shown_opens_for_the_role_and_every_hidden_one_does_not(world, client_for, role):
    client = client_for(world.user(role))
    links = nav_links(client.get(f"/reviews/{world.review.pk}/").content.decode())
    assert links, "no navigation"
    shown = {label for label, _, _ in links}
    for label, href, _ in links:
        assert client.get(href).status_code == 200, (role, label, href)
    membership = world.membership(world.user(role))
    everything = {
        link.label: link.url
        for _, group in review_menu(world.review, _as(membership, Role.OWNER), "/")
        for link in group
    }
    assert set(everything) == set(ALL_LABELS)
    for label in set(everything) - shown:
        assert client.get(everything[label]).status_code == 403, (role, label)


def _as(membership, role):
    membership.role = role
    return membership


def test_a_viewer_sees_no_screening_or_lead_pages(world, client_for):
    client = client_for(world.viewer)
    shown = {
        label
        for label, _, _ in nav_links(client.get(f"/reviews/{world.review.pk}/").content.decode())
    }
    assert {"Title/abstract", "Conflicts", "Ranking", "Agreement", "Settings"}.isdisjoint(shown)
    assert {"Overview", "Imports", "PRISMA", "Evidence", "Members", "Full text"} <= shown


@pytest.mark.parametrize(
    "path,current",
    [
        ("", "Overview"),
        ("screen/ta/", "Title/abstract"),
        ("screen/ft/", "Full text"),
        ("fulltext/", "Full text"),
        ("conflicts/ft/", "Conflicts"),
        ("screening/settings/", "Screening settings"),
        ("risk-of-bias/", "Risk of bias"),
        ("prisma/", "PRISMA"),
        ("edit/", "Settings"),
        ("votes/", "Title/abstract"),
    ],
)
def test_the_current_page_is_marked_once(world, client_for, path, current):
    client = client_for(world.lead)
    response = client.get(f"/reviews/{world.review.pk}/{path}")
    assert response.status_code == 200
    marked = [label for label, _, is_current in nav_links(response.content.decode()) if is_current]
    assert marked == [current]


def test_the_switcher_lists_the_members_other_reviews_only(world, client_for):
    mine = services.create_review(owner=world.lead, title="Another review of Liam's")
    client = client_for(world.lead)
    html = client.get(f"/reviews/{world.review.pk}/").content.decode()
    switcher = html.split('data-testid="review-switcher"', 1)[1].split("</nav>", 1)[0]
    assert f"/reviews/{mine.pk}/" in switcher
    assert f"/reviews/{world.other_review.pk}/" not in switcher
    assert Membership.objects.filter(user=world.lead).count() == 2


def test_the_menu_follows_the_script_prefix_and_the_review(world):
    """Its URLs are reversed once per review and prefix, never one review's for another."""
    from django.urls import set_script_prefix

    membership = world.membership(world.owner)
    other = services.create_review(owner=world.owner, title="Another")
    urls = {}
    try:
        for prefix in ("/", "/app/", "/"):
            set_script_prefix(prefix)
            for review in (world.review, other):
                first = review_menu(review, membership, "/")[0][1][0]
                urls[prefix, review.pk] = first.url
                assert first.url == f"{prefix}reviews/{review.pk}/"
    finally:
        set_script_prefix("/")
    assert len(set(urls.values())) == 4
