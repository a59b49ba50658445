"""The Report page: the methods section written from the data, every number linked to
its page (lead and owner only: it states agreement and conflict figures, which the
visibility policy shows to the lead alone)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path

from reviewapp.access import review_view
from reviewapp.models import Membership, Review, Role
from screening.methods_text import Num, as_markdown
from screening.selectors.report import methods_report, report_links


def linked_paragraphs(review: Review, paragraphs) -> list[dict]:
    links = report_links(review)
    return [
        {
            "heading": p.heading,
            "text": p.text,
            "parts": [
                {"text": s.text, "url": links.get(s.link, "")}
                if isinstance(s, Num)
                else {"text": s, "url": ""}
                for s in p.segments
            ],
        }
        for p in paragraphs
    ]


@review_view(Role.LEAD)
def report(request: HttpRequest, review: Review, membership: Membership) -> HttpResponse:
    paragraphs = methods_report(review=review)
    context = {
        "review": review,
        "membership": membership,
        "paragraphs": linked_paragraphs(review, paragraphs),
        "markdown": as_markdown(title=review.title, paragraphs=paragraphs),
    }
    return render(request, "screening/report.html", context)


@review_view(Role.LEAD)
def report_markdown(request: HttpRequest, review: Review, membership: Membership) -> HttpResponse:
    body = as_markdown(title=review.title, paragraphs=methods_report(review=review))
    response = HttpResponse(body, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="review-{review.pk}-methods.md"'
    return response


urlpatterns = [
    path("report/", report, name="report"),
    path("report/methods.md", report_markdown, name="report_markdown"),
]
