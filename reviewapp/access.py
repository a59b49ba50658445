"""The one access check for everything scoped to a review.

Every review-scoped page and API endpoint goes through `get_review_for`: an outsider
(or an anonymous user) gets 404, as if the review did not exist; a member whose role
is too low gets 403. `tests/test_access_walk.py` walks every route to keep it so.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseNotAllowed
from rest_framework.permissions import BasePermission

from reviewapp.models import Membership, Review, Role


def get_review_for(user, review_id, *, role: Role = Role.VIEWER) -> tuple[Review, Membership]:
    """Return (review, membership) when `user` is a member with at least `role`."""
    if not user.is_authenticated:
        raise Http404("No such review")
    try:
        # The review's screening settings come in the same statement: nearly every
        # review-scoped request reads them (the queue and a vote on every screening act).
        membership = Membership.objects.select_related("review", "review__screening_settings").get(
            review_id=int(review_id), user=user
        )
    except (Membership.DoesNotExist, ValueError, TypeError):
        raise Http404("No such review") from None
    if not membership.can(role):
        raise PermissionDenied(f"This needs the {Role(role).label.split(' (')[0].lower()} role.")
    return membership.review, membership


def review_view(role: Role = Role.VIEWER, methods: Sequence[str] = ("GET", "HEAD")) -> Callable:
    """Decorate a page view `view(request, review, membership, **kwargs)`.

    The membership check runs before the method check, so an outsider gets 404 even
    from a POST-only URL.
    """

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapper(request, review_id, *args, **kwargs):
            review, membership = get_review_for(request.user, review_id, role=role)
            if request.method not in methods:
                return HttpResponseNotAllowed(methods)
            return view(request, review, membership, *args, **kwargs)

        wrapper.review_role = role
        return wrapper

    return decorator


class ReviewRolePermission(BasePermission):
    """DRF permission: the URL's `review_id` must name a review the user belongs to.

    The view says which role each method needs with `review_roles = {"GET": Role.VIEWER, ...}`
    (missing methods need `review_role`, default viewer). The review and membership are
    left on the request for the view.
    """

    def has_permission(self, request, view) -> bool:
        if not request.user or not request.user.is_authenticated:
            return False
        roles = getattr(view, "review_roles", {})
        role = roles.get(request.method, getattr(view, "review_role", Role.VIEWER))
        request.review, request.membership = get_review_for(
            request.user, view.kwargs["review_id"], role=role
        )
        return True
