"""Print the duplicate groups and the pending candidate pairs of a review."""

import csv

from django.core.management.base import BaseCommand, CommandError

from reviewapp.models import Review
from screening.selectors.dedupe import duplicate_rows


class Command(BaseCommand):
    help = "One line per record in a duplicate group (status merged) or a pending pair (status pending)."

    def add_arguments(self, parser):
        parser.add_argument("review_id", type=int)
        parser.add_argument(
            "--csv", action="store_true", help="CSV with a header: record_key,group,status"
        )

    def handle(self, *args, review_id, csv: bool, **options):
        review = Review.objects.filter(pk=review_id).first()
        if review is None:
            raise CommandError(f"no review with id {review_id}")
        rows = duplicate_rows(review=review)
        if csv:
            writer = _csv_writer(self.stdout)
            writer.writerow(["record_key", "group", "status"])
            writer.writerows(rows)
        else:
            for key, group, status in rows:
                self.stdout.write(f"{group:>8}  {status:<8} {key}")


def _csv_writer(stream):
    return csv.writer(stream, lineterminator="\n")
