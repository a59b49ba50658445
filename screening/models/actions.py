"""The records list's bulk actions and exports, one row each (the review's log of them).

Each record a bulk action changes also has its own history (VoteEvent: tag, untag, or a
move in the flow); this row says who did what to how many records, from which filters,
and, for the actions that move records, keeps what undoing them needs.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from reviewapp.models import Review


class ActionKind(models.TextChoices):
    TAG = "tag", "Tagged"
    UNTAG = "untag", "Untagged"
    RETRIEVAL = "retrieval", "Sent to the full-text retrieval list"
    NOT_RETRIEVED = "not_retrieved", "Marked not retrieved"
    EXPORT = "export", "Exported"


# The kinds that move records in the flow, and so can be undone.
UNDOABLE = (ActionKind.RETRIEVAL, ActionKind.NOT_RETRIEVED)


class RecordsAction(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=ActionKind.choices)
    count = models.PositiveIntegerField(default=0)  # records changed (exported)
    query = models.TextField(blank=True)  # the records list's filters it came from
    # kind-specific: {"tag": name} / {"reason": text} / {"format": "csv", "table": …};
    # for the undoable kinds, "records": {id: the reason it had}, what undo restores.
    detail = models.JSONField(default=dict, blank=True)
    at = models.DateTimeField(auto_now_add=True)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["review", "-at"], name="recordsaction_review_at")]

    def __str__(self) -> str:
        return f"{self.kind} of {self.count} record(s) by {self.actor_id}"

    @property
    def undoable(self) -> bool:
        return self.kind in UNDOABLE and self.undone_at is None and self.count > 0
