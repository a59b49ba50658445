"""What the lead enters for the PRISMA diagram beyond what records tell."""

from django.conf import settings
from django.db import models

from reviewapp.models import Review


class PrismaOptions(models.Model):
    """Numbers from the previous version of an updated review (PRISMA 2020 "updated" template)."""

    review = models.OneToOneField(Review, on_delete=models.CASCADE, related_name="prisma_options")
    previous_studies = models.PositiveIntegerField(
        "studies included in the previous version", default=0
    )
    previous_reports = models.PositiveIntegerField(
        "reports of studies included in the previous version", default=0
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"PRISMA options of review {self.review_id}"
