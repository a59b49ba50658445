"""The review's navigation: its pages grouped by the stages of a systematic review.

One list says which pages exist and in which group; whether a member sees a link is read
from the page's own access rule (`review_view(role)` leaves `review_role` on the view), so
the menu never offers a page the member's role cannot open. Rendered by
`{% review_nav %}` (reviewapp/templatetags/navigation.py) into templates/reviewapp/_review_nav.html.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from django.urls import get_script_prefix, get_urlconf, resolve, reverse

from reviewapp.models import Membership, Role


@dataclass(frozen=True)
class Item:
    label: str
    url_name: str
    args: tuple = ()
    # Sub-paths (after /reviews/<id>/) that also count as being on this page.
    also: tuple[str, ...] = ()
    exact: bool = False


@dataclass(frozen=True)
class Group:
    label: str
    items: tuple[Item, ...] = field(default_factory=tuple)


GROUPS: tuple[Group, ...] = (
    Group("Review", (Item("Overview", "review_dashboard", exact=True),)),
    Group(
        "Identify",
        (
            Item("Imports", "import_list"),
            Item("Duplicates", "duplicates"),
            Item("Records", "record_list"),
            Item("Search log", "search_log"),
        ),
    ),
    Group(
        "Screen",
        (
            Item("Title/abstract", "screen", ("ta",), also=("votes/",)),
            Item("Full text", "fulltext_list", also=("screen/ft/",)),
            Item("Conflicts", "conflicts", ("ta",), also=("conflicts/",)),
            Item("Agreement", "agreement"),
            Item("Ranking", "ranking"),
        ),
    ),
    Group(
        "Included",
        (
            Item("Extraction", "extraction_home", also=("studies/",)),
            Item("Risk of bias", "extraction_rob"),
            Item("Evidence", "extraction_evidence"),
        ),
    ),
    Group(
        "Report",
        (Item("PRISMA", "prisma"), Item("Methods text", "report"), Item("Exports", "exports")),
    ),
    Group(
        "Team",
        (
            Item("Members", "members"),
            Item("Settings", "review_edit"),
            Item("Screening settings", "screening_settings", also=("screening/",)),
        ),
    ),
)


@dataclass
class Link:
    label: str
    url: str
    current: bool


def required_role(url: str) -> Role:
    """The role the page at `url` asks for (viewer when the view does not say)."""
    return Role(getattr(resolve(url).func, "review_role", Role.VIEWER))


_ITEM_ROLES: dict[tuple[str, tuple], Role] = {}


def _item_role(item: Item, url: str) -> Role:
    """`required_role` of an item's page, resolved once per process (the view behind a
    URL name does not change; resolving all 19 on every page cost ~7 ms)."""
    key = (item.url_name, item.args)
    if key not in _ITEM_ROLES:
        _ITEM_ROLES[key] = required_role(url)
    return _ITEM_ROLES[key]


def _is_current(item: Item, url: str, base: str, path: str) -> bool:
    if item.exact:
        return path == url
    if path.startswith(url):
        return True
    return any(path.startswith(base + prefix) for prefix in item.also)


@lru_cache(maxsize=1024)
def _menu_urls(review_id: int, script_prefix: str, urlconf) -> tuple[str, ...]:
    """The review's overview URL, then each item's in GROUPS' order: reversed once per
    review, prefix and URLconf (19 reverses: ~0.2 ms of CPU on every review page)."""
    return (
        reverse("review_dashboard", args=[review_id]),
        *(
            reverse(item.url_name, args=[review_id, *item.args])
            for group in GROUPS
            for item in group.items
        ),
    )


def review_menu(review, membership: Membership, path: str) -> list[tuple[str, list[Link]]]:
    """[(group label, [Link])] for `membership`, groups without a visible page left out.

    At most one link is current: the longest matching URL wins (so /screening/settings/
    is "Screening settings", not also something shorter)."""
    base, *urls = _menu_urls(review.pk, get_script_prefix(), get_urlconf())
    menu: list[tuple[str, list[Link]]] = []
    candidates: list[tuple[int, Link]] = []
    next_url = iter(urls)
    for group in GROUPS:
        links = []
        for item in group.items:
            url = next(next_url)
            if not membership.can(_item_role(item, url)):
                continue
            link = Link(item.label, url, False)
            if _is_current(item, url, base, path):
                candidates.append((len(url), link))
            links.append(link)
        if links:
            menu.append((group.label, links))
    if candidates:
        max(candidates, key=lambda c: c[0])[1].current = True
    return menu


def other_reviews(user, review, limit: int = 15):
    """The user's other reviews for the switcher, most recently created first."""
    return list(
        Membership.objects.filter(user=user)
        .exclude(review=review)
        .select_related("review")
        .order_by("-review__created_at")[:limit]
    )
