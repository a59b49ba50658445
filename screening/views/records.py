"""The records list: every record of a review with its state and its outcome per stage."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse

from reviewapp.access import review_view
from reviewapp.models import Membership, Review, Role
from screening.highlight import Highlighter
from screening.models import RecordState, Stage
from screening.search import parse as parse_search
from screening.selectors import record_order
from screening.selectors.paging import BoundedPaginator
from screening.selectors.records import (
    RecordFilters,
    VoteAccess,
    filter_choices,
    record_row,
    records_for_list,
    vote_access,
)
from screening.selectors.tags import review_tags, status_of_listed, visible_tags
from screening.services.search_index import requeue_lost_jobs
from screening.services.settings import screening_settings_for

PAGE_SIZES = (25, 50, 100, 200, 500)


def _sort_links(filters: RecordFilters, per_page: int, *, access, is_lead: bool) -> dict:
    """Per sortable column: the query string that sorts by it (again: the other way) and
    its arrow now, keeping every filter."""
    base = filters.query_items(ordering=False)
    if per_page != 50:
        base.append(("per_page", str(per_page)))
    links = {}
    for column in record_order.allowed(access=access, is_lead=is_lead):
        now = "▲" if filters.ordering == column else "▼" if filters.ordering == f"-{column}" else ""
        target = f"-{column}" if filters.ordering == column else column
        links[column] = {"query": urlencode([*base, ("ordering", target)]), "arrow": now}
    return links


@review_view(Role.VIEWER)
def record_list(request: HttpRequest, review: Review, membership: Membership) -> HttpResponse:
    """The records of a review, filtered by the query string. Every PRISMA number links
    here, and the same parameters work on `GET /api/reviews/<id>/records/` and on the
    records export:

    - `state`: a RecordState value, repeatable (`?state=ta&state=ta_excluded`)
    - `stage` (`ta` or `ft`) alone: records that reached that stage; with
      `status` (`open`, `conflict`, `settled`, `unsettled`): their status there.
      Reviewers under blinding and viewers may only use `settled` and `unsettled`.
    - `reason`: an exclusion reason's id (the settled outcome's, at `stage` if given),
      or `none` for records without one
    - `source`: an import's database or register name, repeatable; `kind`: its kind
      (`database`, `register`, `website`, `organisation`, `citation`), repeatable
    - `tag`: a tag's id, repeatable (records carrying every one, as the member may see
      them: another screener's private tag counts once the record is settled)
    - `import`: an import's id; `year_from`, `year_to`; `fulltext`, `abstract`: yes or no
    - `ordering`: a column of screening.selectors.record_order (`-` for descending)
    - `q`: the search (screening/search.py: words, "phrases", prefix*, -not, ti: ab: au:
      kw: jo: doi: pmid: year:2019..2021) over title, abstract, authors, keywords,
      journal, DOI and PubMed id; `page`, `per_page` (25, 50, 100, 200, 500)

    For example `?state=ta_excluded`, `?state=ft_excluded&reason=12`,
    `?state=duplicate&source=PubMed`, `?stage=ta&status=conflict`.
    """
    access = vote_access(membership=membership, screening_settings=screening_settings_for(review))
    is_lead = membership.can(Role.LEAD)
    filters = RecordFilters.from_query(request.GET, access=access, is_lead=is_lead)
    per_page = request.GET.get("per_page", "")
    per_page = int(per_page) if per_page.isdigit() and int(per_page) in PAGE_SIZES else 50
    page = BoundedPaginator(
        records_for_list(review=review, filters=filters, access=access, user_id=request.user.pk),
        per_page,
        page=request.GET.get("page"),
    ).get_page(request.GET.get("page"))
    shown_tags = visible_tags(
        [record.pk for record in page],
        access=access,
        user_id=request.user.pk,
        statuses={record.pk: status_of_listed(record) for record in page},
    )
    rows = [
        (
            record,
            record_row(record, access=access, user_id=request.user.pk),
            shown_tags.get(record.pk, []),
        )
        for record in page
    ]
    links = _sort_links(filters, per_page, access=access, is_lead=is_lead)
    query = filters.as_query()
    if per_page != 50:
        query = f"{query}&per_page={per_page}" if query else f"per_page={per_page}"
    choices = filter_choices(review=review, is_lead=is_lead)
    all_tags = review_tags(review)
    can_tag = membership.can(Role.REVIEWER)
    if choices.unindexed:
        requeue_lost_jobs(review.pk)
    context = {
        "review": review,
        "membership": membership,
        "page": page,
        "rows": rows,
        "filters": filters,
        "query": query,
        "export_query": filters.as_query(ordering=False),
        "filter_query": filters.as_query(),
        "sort_headers": [
            (column, label, links.get(column))
            for column, label in (
                ("title", "Title"),
                ("first_author", "First author"),
                ("year", "Year"),
                ("source", "Source"),
                ("state", "State"),
            )
        ],
        "ordering_choices": [
            (value, f"{record_order.LABELS[column]} {arrow}")
            for column in record_order.allowed(access=access, is_lead=is_lead)
            for value, arrow in ((column, "↑"), (f"-{column}", "↓"))
        ],
        "choices": choices,
        "states": RecordState.choices,
        "stages": Stage.choices,
        "statuses": access.statuses,
        "shows_votes": access != VoteAccess.NONE,
        "is_lead": is_lead,
        "per_page": per_page,
        "page_sizes": PAGE_SIZES,
        "all_tags": all_tags,
        "search_hl": (
            Highlighter(parse_search(filters.q).highlight_terms(), css="search-hit")
            if filters.q
            else None
        ),
        "can_tag": can_tag,
        "tag_button": bool(can_tag and all_tags),  # each row's "tag" (one picker for the page)
        # The rows link to records/<id>/screening/ (record_detail): one reverse per page.
        "records_url": reverse("record_list", args=[review.pk]),
        "picker_once": True,  # one tag picker for the page (screening/tags/_record_tags.html)
    }
    return render(request, "screening/records/list.html", context)


urlpatterns = [
    path("records/", record_list, name="record_list"),
]
