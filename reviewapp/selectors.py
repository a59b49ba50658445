"""Reads for the review pages: plain dicts of counts, a few queries each."""

from dataclasses import dataclass
from datetime import timedelta

from reviewapp.models import Review


def dashboard_counts(*, review: Review) -> dict[str, int]:
    memberships = review.memberships.all()
    return {
        "members": memberships.count(),
        "invitations_open": review.invitations.filter(accepted_at__isnull=True).count(),
    }


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    hint: str
    url: str
    done: bool


def first_steps(*, review: Review) -> list[Step]:
    """A new review's next steps, in order, each ticked once done: import → settings → invite → screen.

    Settings count as done once the lead has saved them after creating the review (or set
    highlight terms); inviting, once someone else is a member or invited."""
    from django.urls import reverse

    from screening.models import Record, ScreeningSettings, Vote

    settings = ScreeningSettings.objects.filter(review=review).first()
    settings_done = settings is not None and (
        bool(settings.highlight_include or settings.highlight_exclude)
        or settings.updated_at - review.created_at > timedelta(seconds=5)
    )
    pk = review.pk
    return [
        Step(
            "import",
            "Import the search results",
            "one file per database searched (RIS, PubMed, Web of Science, CSV…)",
            reverse("import_list", args=[pk]),
            Record.objects.filter(review=review).exists(),
        ),
        Step(
            "settings",
            "Check the screening settings",
            "votes needed per record, blinding, exclusion reasons, highlight terms",
            reverse("screening_settings", args=[pk]),
            settings_done,
        ),
        Step(
            "invite",
            "Invite the team",
            "reviewers screen; a lead resolves conflicts",
            reverse("members", args=[pk]),
            review.memberships.count() > 1
            or review.invitations.filter(accepted_at__isnull=True).exists(),
        ),
        Step(
            "screen",
            "Start screening",
            "titles and abstracts first, from the keyboard",
            reverse("screen", args=[pk, "ta"]),
            Vote.objects.filter(record__review=review).exists(),
        ),
    ]
