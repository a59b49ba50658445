"""Writes for the PRISMA diagram's own options."""

from django.db import transaction

from reviewapp.models import Review
from screening.models import PrismaOptions
from screening.services.journey import flow_changed


@transaction.atomic
def save_options(
    *, review: Review, actor, previous_studies: int, previous_reports: int
) -> PrismaOptions:
    """Numbers from the previous version of an updated review (0 and 0: a new review)."""
    if previous_reports < previous_studies:
        from django.core.exceptions import ValidationError

        raise ValidationError("Each study has at least one report: reports ≥ studies.")
    options, _ = PrismaOptions.objects.update_or_create(
        review=review,
        defaults={
            "previous_studies": previous_studies,
            "previous_reports": previous_reports,
            "updated_by": actor,
        },
    )
    flow_changed(review.pk)
    return options
