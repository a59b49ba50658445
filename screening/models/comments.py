"""Discussion per record: comments, and the members they @mention.

A comment is never erased: an edit keeps the earlier text in `versions`, a delete
sets `deleted_at` (the text stays for the history). Who may read a comment is
screening.visibility's to say (`comment_visible`: blinded like a vote's note).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from reviewapp.models import Review
from screening.models.imports import Record


class Comment(models.Model):
    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="+")
    record = models.ForeignKey(Record, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    versions = models.JSONField(default=list, blank=True)  # [{"text", "until"}] before edits
    created_at = models.DateTimeField(auto_now_add=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["record", "created_at"], name="comment_record_created")]

    def __str__(self) -> str:
        return f"comment {self.pk} on {self.record_id} by {self.author_id}"


class Mention(models.Model):
    """A member @mentioned in a comment; `notified_at` once the e-mail went out (once)."""

    comment = models.ForeignKey(Comment, on_delete=models.CASCADE, related_name="mentions")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["comment", "user"], name="one_mention_per_comment_user")
        ]

    def __str__(self) -> str:
        return f"@{self.user_id} in comment {self.comment_id}"
