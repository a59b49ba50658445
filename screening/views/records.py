"""The records list: every record of a review with its state and its outcome per stage."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from reviewapp.access import review_view
from reviewapp.models import Membership, Review, Role
from screening.highlight import Highlighter
from screening.models import RecordState, Stage
from screening.search import parse as parse_search
from screening.selectors.records import (
    RecordFilters,
    VoteAccess,
    filter_choices,
    record_row,
    records_for_list,
    vote_access,
)
from screening.selectors.tags import review_tags, status_of_listed, visible_tags
from screening.services.settings import screening_settings_for

PAGE_SIZES = (25, 50, 100, 200)


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
    - `q`: the search (screening/search.py: words, "phrases", prefix*, -not, ti: ab: au:
      kw: jo: doi: pmid: year:2019..2021) over title, abstract, authors, keywords,
      journal, DOI and PubMed id; `page`, `per_page` (25, 50, 100, 200)

    For example `?state=ta_excluded`, `?state=ft_excluded&reason=12`,
    `?state=duplicate&source=PubMed`, `?stage=ta&status=conflict`.
    """
    access = vote_access(membership=membership, screening_settings=screening_settings_for(review))
    filters = RecordFilters.from_query(request.GET, access=access)
    per_page = request.GET.get("per_page", "")
    per_page = int(per_page) if per_page.isdigit() and int(per_page) in PAGE_SIZES else 50
    page = Paginator(
        records_for_list(review=review, filters=filters, access=access, user_id=request.user.pk),
        per_page,
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
    query = filters.as_query()
    if per_page != 50:
        query = f"{query}&per_page={per_page}" if query else f"per_page={per_page}"
    context = {
        "review": review,
        "membership": membership,
        "page": page,
        "rows": rows,
        "filters": filters,
        "query": query,
        "export_query": filters.as_query(),
        "choices": filter_choices(review=review),
        "states": RecordState.choices,
        "stages": Stage.choices,
        "statuses": access.statuses,
        "shows_votes": access != VoteAccess.NONE,
        "is_lead": membership.can(Role.LEAD),
        "per_page": per_page,
        "page_sizes": PAGE_SIZES,
        "all_tags": review_tags(review),
        "search_hl": (
            Highlighter(parse_search(filters.q).highlight_terms(), css="search-hit")
            if filters.q
            else None
        ),
        "can_tag": membership.can(Role.REVIEWER),
    }
    return render(request, "screening/records/list.html", context)


urlpatterns = [
    path("records/", record_list, name="record_list"),
]
