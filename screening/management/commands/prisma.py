"""Print a review's PRISMA 2020 flow as JSON, CSV (PRISMA2020 R package template) or SVG."""

import sys

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from reviewapp.models import Review
from screening.selectors.prisma import flow_document


class Command(BaseCommand):
    help = "Print the PRISMA 2020 flow of REVIEW_ID (json, csv or svg)."

    def add_arguments(self, parser):
        parser.add_argument("review_id", type=int)
        parser.add_argument("--format", choices=["json", "csv", "svg"], default="json")
        parser.add_argument(
            "--round", type=int, default=None, help="one search round (default: whole review)"
        )

    def handle(self, *args, review_id, format, round=None, **options):
        from screening.models import SearchRound

        review = Review.objects.filter(pk=review_id).first()
        if review is None:
            raise CommandError(f"no review with id {review_id}")
        if (
            round is not None
            and not SearchRound.objects.filter(review=review, number=round).exists()
        ):
            raise CommandError(f"review {review_id} has no search round {round}")
        base = settings.SITE_URL + reverse("record_list", args=[review.pk])
        sys.stdout.write(flow_document(review, format, base_url=base, round_number=round).decode())
