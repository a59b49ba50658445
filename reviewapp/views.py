"""Pages for reviews, members, invitations and the account."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views import defaults
from django.views.decorators.http import require_http_methods
from rest_framework.authtoken.models import Token

from reviewapp import services
from reviewapp.access import review_view
from reviewapp.forms import AddMemberForm, ReviewForm, RoleForm, SignUpForm
from reviewapp.http import object_of_review_or_404, refusal_text
from reviewapp.models import Invitation, Membership, Review, Role
from reviewapp.selectors import dashboard_counts, first_steps
from screening.selectors.dashboard import dashboard_cards


@login_required
def home(request: HttpRequest) -> HttpResponse:
    memberships = (
        Membership.objects.filter(user=request.user)
        .select_related("review")
        .order_by("-review__created_at")
    )
    return render(request, "reviewapp/home.html", {"memberships": memberships})


@login_required
@require_http_methods(["GET", "POST"])
def review_create(request: HttpRequest) -> HttpResponse:
    form = ReviewForm(request.POST or None, submit_label="Create review")
    if request.method == "POST" and form.is_valid():
        review = services.create_review(owner=request.user, **form.cleaned_data)
        messages.success(request, "Review created. Add your team on the Members page.")
        return redirect("review_dashboard", review.pk)
    return render(request, "reviewapp/review_form.html", {"form": form, "title": "New review"})


@review_view(Role.VIEWER)
def review_dashboard(request: HttpRequest, review: Review, membership: Membership) -> HttpResponse:
    context = {
        "review": review,
        "membership": membership,
        "counts": dashboard_counts(review=review),
        **dashboard_cards(review=review, membership=membership, user=request.user),
    }
    steps = first_steps(review=review)
    context["steps"] = steps
    context["all_steps_done"] = all(step.done for step in steps)
    context["can_lead"] = membership.can(Role.LEAD)
    return render(request, "reviewapp/dashboard.html", context)


@review_view(Role.LEAD, methods=("GET", "HEAD", "POST"))
def review_edit(request: HttpRequest, review: Review, membership: Membership) -> HttpResponse:
    form = ReviewForm(request.POST or None, instance=review)
    if request.method == "POST" and form.is_valid():
        services.update_review(review=review, **form.cleaned_data)
        messages.success(request, "Review details saved.")
        return redirect("review_dashboard", review.pk)
    return render(
        request,
        "reviewapp/review_form.html",
        {"form": form, "review": review, "membership": membership, "title": "Review details"},
    )


@review_view(Role.VIEWER)
def members(request: HttpRequest, review: Review, membership: Membership) -> HttpResponse:
    context = {
        "review": review,
        "membership": membership,
        "members": review.memberships.select_related("user").order_by("user__username"),
        "invitations": review.invitations.filter(accepted_at__isnull=True),
        "form": AddMemberForm(),
        "roles": Role.choices,
    }
    return render(request, "reviewapp/members.html", context)


@review_view(Role.OWNER, methods=("POST",))
def member_add(request: HttpRequest, review: Review, membership: Membership) -> HttpResponse:
    form = AddMemberForm(request.POST)
    if form.is_valid():
        try:
            result = services.add_member(
                review=review,
                who=form.cleaned_data["who"],
                role=form.cleaned_data["role"],
                added_by=request.user,
            )
        except ValidationError as exc:
            messages.error(request, refusal_text(exc))
        else:
            if result.invited:
                messages.success(request, f"Invitation sent to {result.invitation.email}.")
            else:
                messages.success(request, f"{result.membership.user.username} added.")
    else:
        messages.error(request, "Give a username or e-mail and a role.")
    return redirect("members", review.pk)


@review_view(Role.OWNER, methods=("POST",))
def member_role(
    request: HttpRequest, review: Review, membership: Membership, member_id: int
) -> HttpResponse:
    target = object_of_review_or_404(Membership, review, member_id)
    form = RoleForm(request.POST)
    if form.is_valid():
        try:
            services.change_role(membership=target, role=form.cleaned_data["role"])
            messages.success(request, f"{target.user.username} is now {target.get_role_display()}.")
        except ValidationError as exc:
            messages.error(request, refusal_text(exc))
    return redirect("members", review.pk)


@review_view(Role.OWNER, methods=("POST",))
def member_remove(
    request: HttpRequest, review: Review, membership: Membership, member_id: int
) -> HttpResponse:
    target = object_of_review_or_404(Membership, review, member_id)
    try:
        services.remove_member(membership=target)
        messages.success(request, f"{target.user.username} removed.")
    except ValidationError as exc:
        messages.error(request, refusal_text(exc))
    return redirect("members", review.pk)


@review_view(Role.VIEWER, methods=("POST",))
def review_leave(request: HttpRequest, review: Review, membership: Membership) -> HttpResponse:
    try:
        services.remove_member(membership=membership)
    except ValidationError as exc:
        messages.error(request, refusal_text(exc))
        return redirect("members", review.pk)
    messages.success(request, f"You left “{review.title}”.")
    return redirect("home")


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = get_object_or_404(Invitation.objects.select_related("review"), token=token)
    if invitation.accepted_at is not None:
        raise Http404("This invitation has already been used.")
    if request.user.is_authenticated:
        if request.method == "POST":
            services.accept_invitation(invitation=invitation, user=request.user)
            messages.success(request, f"You joined “{invitation.review.title}”.")
            return redirect("review_dashboard", invitation.review_id)
        return render(request, "reviewapp/invitation.html", {"invitation": invitation})
    form = SignUpForm(request.POST or None, initial={"email": invitation.email})
    if request.method == "POST" and form.is_valid():
        user = form.save()
        services.accept_invitation(invitation=invitation, user=user)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("review_dashboard", invitation.review_id)
    return render(request, "reviewapp/invitation.html", {"invitation": invitation, "form": form})


@require_http_methods(["GET", "POST"])
def signup(request: HttpRequest) -> HttpResponse:
    if not settings.OPEN_SIGNUP:
        raise Http404("Sign-up is closed; ask a review owner for an invitation.")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("home")
    return render(request, "registration/signup.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def api_token(request: HttpRequest) -> HttpResponse:
    """Show (and on POST, replace) the user's API token for scripts."""
    if request.method == "POST":
        Token.objects.filter(user=request.user).delete()
        Token.objects.create(user=request.user)
        messages.success(request, "A new API token was made; the old one no longer works.")
        return redirect("api_token")
    token = Token.objects.filter(user=request.user).first()
    return render(request, "reviewapp/api_token.html", {"token": token})


def not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    """404 for paths no route matches: JSON for API clients, the styled page for people."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return defaults.page_not_found(request, exception)
