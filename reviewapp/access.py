"""The one access check for everything scoped to a review.

Every review-scoped page and API endpoint goes through `get_review_for`: an outsider
(or an anonymous user) gets 404, as if the review did not exist; a member whose role
is too low gets 403. `tests/test_access_walk.py` walks every route to keep it so.

`AuthenticationMiddleware` reads a review-scoped request's user together with their
membership of that review (one query, not two); `get_review_for` still decides.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps

from django.conf import settings
from django.contrib import auth
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.auth import middleware as auth_middleware
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseNotAllowed
from django.utils.crypto import constant_time_compare
from django.utils.functional import SimpleLazyObject, empty
from rest_framework.permissions import BasePermission

from reviewapp.models import Membership, Review, Role
from reviewapp.prepared import Read


def get_review_for(user, review_id, *, role: Role = Role.VIEWER) -> tuple[Review, Membership]:
    """Return (review, membership) when `user` is a member with at least `role`."""
    if not user.is_authenticated:
        raise Http404("No such review")
    try:
        review_id = int(review_id)
    except (ValueError, TypeError):
        raise Http404("No such review") from None
    read_with_user = getattr(user, "_memberships_read", {})
    if review_id in read_with_user:  # read with the user (AuthenticationMiddleware): once
        membership = read_with_user.pop(review_id)
        if membership is None:
            raise Http404("No such review")
    else:
        try:
            membership = _MEMBERSHIPS.get(review_id=review_id, user=user)
        except Membership.DoesNotExist:
            raise Http404("No such review") from None
    if not membership.can(role):
        raise PermissionDenied(f"This needs the {Role(role).label.split(' (')[0].lower()} role.")
    return membership.review, membership


# The review's screening settings come in the same statement: nearly every review-scoped
# request reads them (the queue and a vote on every screening act).
_MEMBERSHIPS = Membership.objects.select_related("review", "review__screening_settings")
# ... and, for a review-scoped request, with the user: compiled once (every request).
_MEMBER_WITH_USER = Read(
    lambda review, user: _MEMBERSHIPS.select_related("user").filter(review_id=review, user_id=user),
    review=int,
    user=int,
)


class AuthenticationMiddleware(auth_middleware.AuthenticationMiddleware):
    """Django's, plus: on a URL naming a review, the logged-in user is read together
    with their membership of it (and the review, and its screening settings), in one
    statement instead of a user query and then a membership query.

    Only Django's own common case is taken this way: a session made by ModelBackend
    whose user may log in and whose session hash matches the current SECRET_KEY. Any
    other case (no such membership, an inactive user, a hash from a rotated key, another
    backend) is left to `django.contrib.auth.get_user`, as without this middleware."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        review_id = view_kwargs.get("review_id")
        user = getattr(request, "user", None)
        if (
            isinstance(review_id, int)
            and isinstance(user, SimpleLazyObject)
            and user._wrapped is empty
            and not hasattr(request, "_cached_user")
        ):
            request.user = SimpleLazyObject(lambda: _user_with_membership(request, review_id))


def _user_with_membership(request, review_id: int):
    if not hasattr(request, "_cached_user"):
        user, membership, looked_up = _member_from_session(request, review_id)
        if user is None:
            user = auth.get_user(request)
            if looked_up and user.is_authenticated:
                user._memberships_read = {review_id: None}  # not a member: 404
        else:
            user._memberships_read = {review_id: membership}
        request._cached_user = user
    return request._cached_user


def _member_from_session(request, review_id: int):
    """(user, membership, looked_up): the session's user with their membership of the
    review when every check `auth.get_user` makes passes; (None, None, looked_up)
    otherwise, `looked_up` saying whether the session's user has no such membership."""
    session = request.session
    try:
        user_id = auth.get_user_model()._meta.pk.to_python(session[SESSION_KEY])
        backend_path = session[BACKEND_SESSION_KEY]
        session_hash = session[HASH_SESSION_KEY]
    except (KeyError, ValidationError):
        return None, None, False
    if backend_path not in settings.AUTHENTICATION_BACKENDS:
        return None, None, False
    backend = auth.load_backend(backend_path)
    if not isinstance(backend, ModelBackend) or type(backend).get_user is not ModelBackend.get_user:
        return None, None, False
    if not isinstance(user_id, int):
        return None, None, False  # a custom user model's key: Django's own lookup
    membership = _MEMBER_WITH_USER.one(review=review_id, user=user_id)
    if membership is None:
        return None, None, True
    user = membership.user
    if not backend.user_can_authenticate(user) or not constant_time_compare(
        session_hash, user.get_session_auth_hash()
    ):
        return None, None, False
    return user, membership, True


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
