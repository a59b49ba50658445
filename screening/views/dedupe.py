"""Deduplication pages: possible duplicates side by side, groups, history."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from reviewapp.access import review_view
from reviewapp.http import is_htmx, object_of_review_or_404, parse_id, refusal_text
from reviewapp.models import Membership, Review, Role
from screening.models import CandidatePair, DuplicateGroup, PairStatus, Record
from screening.selectors import dedupe as selectors
from screening.services import dedupe as services


@review_view(Role.VIEWER)
def duplicates(request: HttpRequest, review: Review, membership: Membership) -> HttpResponse:
    """The queue of possible duplicates a person must decide."""
    page = Paginator(selectors.pending_pairs(review=review), 25).get_page(request.GET.get("page"))
    pairs = [(pair, selectors.compare_records(pair.record_a, pair.record_b)) for pair in page]
    context = {
        "review": review,
        "membership": membership,
        "page": page,
        "pairs": pairs,
        "can_decide": membership.can(Role.LEAD),
    }
    return render(request, "screening/dedupe/pairs.html", context)


def _decide(request, review, pair_id, decision):
    pair = object_of_review_or_404(CandidatePair, review, pair_id)
    try:
        if decision == "confirm":
            services.confirm_pair(pair=pair, actor=request.user)
        else:
            services.reject_pair(pair=pair, actor=request.user)
    except ValidationError as exc:
        messages.error(request, refusal_text(exc))
    pair.refresh_from_db()
    if is_htmx(request):
        return render(request, "screening/dedupe/_decided.html", {"pair": pair, "review": review})
    return redirect("duplicates", review.pk)


@review_view(Role.LEAD, methods=("POST",))
def pair_confirm(
    request: HttpRequest, review: Review, membership: Membership, pair_id: int
) -> HttpResponse:
    return _decide(request, review, pair_id, "confirm")


@review_view(Role.LEAD, methods=("POST",))
def pair_reject(
    request: HttpRequest, review: Review, membership: Membership, pair_id: int
) -> HttpResponse:
    return _decide(request, review, pair_id, "reject")


@review_view(Role.LEAD, methods=("POST",))
def pairs_bulk(request: HttpRequest, review: Review, membership: Membership) -> HttpResponse:
    decision = request.POST.get("decision")
    ids = [n for n in map(parse_id, request.POST.getlist("pair")) if n]
    pairs = CandidatePair.objects.filter(review=review, pk__in=ids, status=PairStatus.PENDING)
    done = 0
    for pair in pairs:
        try:
            if decision == "confirm":
                services.confirm_pair(pair=pair, actor=request.user)
            elif decision == "reject":
                services.reject_pair(pair=pair, actor=request.user)
            else:
                break
            done += 1
        except ValidationError:
            continue  # decided meanwhile (e.g. merged through another pair)
    messages.success(
        request, f"{done} pair(s) {'merged' if decision == 'confirm' else 'marked not duplicates'}."
    )
    return redirect("duplicates", review.pk)


@review_view(Role.VIEWER)
def duplicate_groups(request: HttpRequest, review: Review, membership: Membership) -> HttpResponse:
    page = Paginator(selectors.groups_with_records(review=review), 50).get_page(
        request.GET.get("page")
    )
    context = {
        "review": review,
        "membership": membership,
        "page": page,
        "history": selectors.dedupe_history(review=review, limit=50),
        "can_decide": membership.can(Role.LEAD),
    }
    return render(request, "screening/dedupe/groups.html", context)


@review_view(Role.LEAD, methods=("POST",))
def group_unmerge(
    request: HttpRequest, review: Review, membership: Membership, group_id: int
) -> HttpResponse:
    group = object_of_review_or_404(DuplicateGroup, review, group_id)
    given = request.POST.get("record", "")
    record_id = parse_id(given)
    reason = request.POST.get("reason", "")[:500]
    if given and record_id is None:  # a record was meant: never undo the whole group instead
        messages.error(request, "Choose a record of this group.")
    elif record_id:
        services.unmerge(review=review, record_ids=[record_id], actor=request.user, reason=reason)
        messages.success(request, "Record taken out of its duplicate group.")
    else:
        services.unmerge_group(group=group, actor=request.user, reason=reason)
        messages.success(request, "Duplicate group undone.")
    return redirect("duplicate_groups", review.pk)


@review_view(Role.LEAD, methods=("POST",))
def group_primary(
    request: HttpRequest, review: Review, membership: Membership, group_id: int
) -> HttpResponse:
    group = object_of_review_or_404(DuplicateGroup, review, group_id)
    record_id = parse_id(request.POST.get("record", ""))
    record = Record.objects.filter(pk=record_id, review=review).first() if record_id else None
    try:
        if record is None:
            raise ValidationError("Choose a record of this group.")
        services.set_primary(group=group, record=record, actor=request.user)
        messages.success(request, "Primary record changed.")
    except ValidationError as exc:
        messages.error(request, refusal_text(exc))
    return redirect("duplicate_groups", review.pk)


urlpatterns = [
    path("duplicates/", duplicates, name="duplicates"),
    path("duplicates/pairs/<id:pair_id>/confirm/", pair_confirm, name="pair_confirm"),
    path("duplicates/pairs/<id:pair_id>/reject/", pair_reject, name="pair_reject"),
    path("duplicates/pairs/bulk/", pairs_bulk, name="pairs_bulk"),
    path("duplicates/groups/", duplicate_groups, name="duplicate_groups"),
    path("duplicates/groups/<id:group_id>/unmerge/", group_unmerge, name="group_unmerge"),
    path("duplicates/groups/<id:group_id>/primary/", group_primary, name="group_primary"),
]
