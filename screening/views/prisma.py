"""The live PRISMA 2020 flow diagram, its downloads and the lead's options."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.safestring import mark_safe

from reviewapp.access import review_view
from reviewapp.models import Membership, Review, Role
from screening.models import PrismaOptions
from screening.prisma import render_svg
from screening.selectors.prisma import (
    CONTENT_TYPES,
    flow_document,
    flow_version,
    node_urls,
    review_flow,
)


def _diagram_context(request, review: Review, version: int) -> dict:
    """The diagram partial's context; `version`: the flow version read before counting
    (a change committed meanwhile bumps it past what the page then polls with)."""
    from screening.selectors.search_log import round_from_query

    round_number = round_from_query(review, request.GET.get("round"))
    flow, violations = review_flow(review=review, round_number=round_number)
    base = reverse("record_list", args=[review.pk])
    svg = render_svg(
        flow,
        node_urls(review=review, flow=flow, base=base, round_number=round_number),
        title="PRISMA 2020 flow diagram",
    )
    # render_svg escapes every piece of text it draws (database names, reasons).
    return {
        "svg": mark_safe(svg),  # noqa: S308
        "flow": flow,
        "violations": violations,
        "version": version,
        "round_number": round_number,
        "round_query": f"round={round_number}&" if round_number else "",
    }


@review_view(Role.VIEWER)
def prisma(request: HttpRequest, review: Review, membership: Membership) -> HttpResponse:
    from screening.models import SearchRound

    rounds = list(SearchRound.objects.filter(review=review).order_by("number"))
    context = {
        "review": review,
        "membership": membership,
        **_diagram_context(request, review, flow_version(review.pk)),
        # The round picker once there is an update round (one query either way).
        "rounds": rounds if any(r.number > 1 for r in rounds) else [],
    }
    return render(request, "screening/prisma/page.html", context)


@review_view(Role.VIEWER)
def prisma_live(request: HttpRequest, review: Review, membership: Membership) -> HttpResponse:
    """Polled every second by the page: 204 (one cache read) until something changed."""
    version = flow_version(review.pk)
    if request.GET.get("v") == str(version):
        return HttpResponse(status=204)
    context = {"review": review, **_diagram_context(request, review, version)}
    return render(request, "screening/prisma/_diagram.html", context)


@review_view(Role.VIEWER)
def prisma_download(
    request: HttpRequest, review: Review, membership: Membership, fmt: str
) -> HttpResponse:
    if fmt not in CONTENT_TYPES:
        raise Http404("Unknown format")
    from screening.selectors.search_log import round_from_query

    round_number = round_from_query(review, request.GET.get("round"))
    # ?links=relative (the SVG's default: paths only, no host baked into a shared file),
    # absolute (full addresses: the other formats' default) or none (for publication).
    links = request.GET.get("links") or ("relative" if fmt == "svg" else "absolute")
    path = reverse("record_list", args=[review.pk])
    base = {"relative": path, "absolute": request.build_absolute_uri(path), "none": None}.get(
        links, path
    )
    response = HttpResponse(
        flow_document(review, fmt, base_url=base, round_number=round_number),
        content_type=CONTENT_TYPES[fmt],
    )
    suffix = f"-round-{round_number}" if round_number else ""
    response["Content-Disposition"] = (
        f'attachment; filename="prisma-review-{review.pk}{suffix}-{timezone.now():%Y%m%d}.{fmt}"'
    )
    return response


class PrismaOptionsForm(forms.ModelForm):
    class Meta:
        model = PrismaOptions
        fields = ["previous_studies", "previous_reports"]


@review_view(Role.LEAD, methods=("GET", "HEAD", "POST"))
def prisma_options(request: HttpRequest, review: Review, membership: Membership) -> HttpResponse:
    options = PrismaOptions.objects.filter(review=review).first() or PrismaOptions(review=review)
    form = PrismaOptionsForm(request.POST or None, instance=options)
    if request.method == "POST" and form.is_valid():
        from screening.services.prisma import save_options

        save_options(review=review, actor=request.user, **form.cleaned_data)
        messages.success(request, "PRISMA options saved.")
        return redirect("prisma", review.pk)
    return render(
        request,
        "screening/prisma/options.html",
        {"review": review, "membership": membership, "form": form},
    )


urlpatterns = [
    path("prisma/", prisma, name="prisma"),
    path("prisma/live/", prisma_live, name="prisma_live"),
    path("prisma/download/<str:fmt>/", prisma_download, name="prisma_download"),
    path("prisma/options/", prisma_options, name="prisma_options"),
]
