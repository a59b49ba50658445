"""REST: the review's tags (the lead defines them), the tags on a record (any
screener adds and removes them) and the discussion of a record (comments). What each member sees of private tags is
screening.visibility's to say, as on the pages."""

from __future__ import annotations

from django.urls import path
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from reviewapp.http import MAX_ID, object_of_review_or_404
from reviewapp.models import Role
from screening.api.screening_common import ScreeningAPIView
from screening.models import Comment, Record, Tag
from screening.models.tags import COLOURS
from screening.selectors.comments import visible_comments
from screening.selectors.records import vote_access
from screening.selectors.tags import review_tags, visible_tags
from screening.services import comments as comment_service
from screening.services import tags as tag_service
from screening.services.settings import screening_settings_for


class TagSerializer(serializers.ModelSerializer):
    colour = serializers.ChoiceField(choices=COLOURS, required=False)

    class Meta:
        model = Tag
        fields = ["id", "name", "colour", "key", "description", "private"]


class ShownTagSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="tag.pk")
    name = serializers.CharField(source="tag.name")
    colour = serializers.CharField(source="tag.colour")
    private = serializers.BooleanField(source="tag.private")
    mine = serializers.BooleanField(help_text="You put it there")
    by = serializers.ListField(
        child=serializers.CharField(), help_text="Who put it there, of what you may see"
    )


class TagList(ScreeningAPIView):
    """The review's tags (any member); POST creates one (lead)."""

    review_roles = {"GET": Role.VIEWER, "POST": Role.LEAD}

    @extend_schema(responses=TagSerializer(many=True))
    def get(self, request, review_id):
        return Response(TagSerializer(review_tags(request.review), many=True).data)

    @extend_schema(request=TagSerializer, responses={201: TagSerializer})
    def post(self, request, review_id):
        data = TagSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        tag = tag_service.create_tag(review=request.review, **data.validated_data)
        return Response(TagSerializer(tag).data, status=status.HTTP_201_CREATED)


class TagDetail(ScreeningAPIView):
    """One tag; PATCH and DELETE (which takes it off every record) need the lead role."""

    review_roles = {"GET": Role.VIEWER, "PATCH": Role.LEAD, "DELETE": Role.LEAD}

    @extend_schema(responses=TagSerializer)
    def get(self, request, review_id, tag_id):
        return Response(TagSerializer(object_of_review_or_404(Tag, request.review, tag_id)).data)

    @extend_schema(request=TagSerializer, responses=TagSerializer)
    def patch(self, request, review_id, tag_id):
        tag = object_of_review_or_404(Tag, request.review, tag_id)
        data = TagSerializer(tag, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        tag_service.update_tag(tag, **data.validated_data)
        return Response(TagSerializer(tag).data)

    @extend_schema(responses={204: None})
    def delete(self, request, review_id, tag_id):
        tag_service.delete_tag(
            object_of_review_or_404(Tag, request.review, tag_id), by=request.user
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


def _shown(request, record) -> list:
    access = vote_access(
        membership=request.membership, screening_settings=screening_settings_for(request.review)
    )
    return visible_tags([record.pk], access=access, user_id=request.user.pk).get(record.pk, [])


class RecordTags(ScreeningAPIView):
    """The tags on a record that you may see; POST `{"tag": id}` puts one on (reviewer+)."""

    review_roles = {"GET": Role.VIEWER, "POST": Role.REVIEWER}

    @extend_schema(responses=ShownTagSerializer(many=True))
    def get(self, request, review_id, record_id):
        record = object_of_review_or_404(Record, request.review, record_id)
        return Response(ShownTagSerializer(_shown(request, record), many=True).data)

    @extend_schema(
        request=inline_serializer(
            "RecordTagIn", {"tag": serializers.IntegerField(min_value=1, max_value=MAX_ID)}
        ),
        responses=ShownTagSerializer(many=True),
    )
    def post(self, request, review_id, record_id):
        record = object_of_review_or_404(Record, request.review, record_id)
        tag = Tag.objects.filter(review=request.review, pk=_tag_id(request.data)).first()
        if tag is None:
            raise ValidationError({"tag": "No such tag in this review."})
        created = tag_service.add_tag(record=record, tag=tag, by=request.user)
        return Response(
            ShownTagSerializer(_shown(request, record), many=True).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


def _tag_id(data) -> int:
    value = data.get("tag") if hasattr(data, "get") else None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValidationError({"tag": "A tag's id."}) from None


class RecordTagDetail(ScreeningAPIView):
    """DELETE takes a tag off the record (a private tag: only your own)."""

    review_roles = {"DELETE": Role.REVIEWER}

    @extend_schema(responses={204: None})
    def delete(self, request, review_id, record_id, tag_id):
        record = object_of_review_or_404(Record, request.review, record_id)
        tag = object_of_review_or_404(Tag, request.review, tag_id)
        tag_service.remove_tag(record=record, tag=tag, by=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("tags/", TagList.as_view(), name="tag_list"),
    path("tags/<id:tag_id>/", TagDetail.as_view(), name="tag_detail"),
    path("records/<id:record_id>/tags/", RecordTags.as_view(), name="record_tags"),
    path(
        "records/<id:record_id>/tags/<id:tag_id>/",
        RecordTagDetail.as_view(),
        name="record_tag_detail",
    ),
]


class CommentSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="comment.pk")
    author = serializers.CharField(source="comment.author.username")
    text = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField(source="comment.created_at")
    edited_at = serializers.DateTimeField(source="comment.edited_at", allow_null=True)
    deleted = serializers.SerializerMethodField()
    editable = serializers.BooleanField()
    deletable = serializers.BooleanField()

    def get_text(self, shown) -> str:
        return "" if shown.comment.deleted_at else shown.comment.text

    def get_deleted(self, shown) -> bool:
        return shown.comment.deleted_at is not None


def _comments(request, record) -> list:
    access = vote_access(
        membership=request.membership, screening_settings=screening_settings_for(request.review)
    )
    return visible_comments(
        record,
        access=access,
        user_id=request.user.pk,
        is_lead=request.membership.can(Role.LEAD),
    )


# Text with something besides spaces (the service refuses blank comments).
_TEXT_IN = inline_serializer("CommentIn", {"text": serializers.RegexField(r"\S", max_length=5000)})


class RecordComments(ScreeningAPIView):
    """The discussion of a record as you may read it (blinding: on a record waiting for
    votes a screener reads only their own comments); POST `{"text": ...}` writes one,
    `@username` e-mails that member if they may read it."""

    review_roles = {"GET": Role.VIEWER, "POST": Role.REVIEWER}

    @extend_schema(responses=CommentSerializer(many=True))
    def get(self, request, review_id, record_id):
        record = object_of_review_or_404(Record, request.review, record_id)
        return Response(CommentSerializer(_comments(request, record), many=True).data)

    @extend_schema(request=_TEXT_IN, responses={201: CommentSerializer(many=True)})
    def post(self, request, review_id, record_id):
        record = object_of_review_or_404(Record, request.review, record_id)
        comment_service.add_comment(
            record=record, author=request.user, text=str(request.data.get("text", ""))
        )
        return Response(
            CommentSerializer(_comments(request, record), many=True).data,
            status=status.HTTP_201_CREATED,
        )


class CommentDetail(ScreeningAPIView):
    """PATCH `{"text": ...}`: edit your comment within 10 minutes; DELETE: delete it (its
    author or a lead). Both are kept in the record's history."""

    review_roles = {"PATCH": Role.REVIEWER, "DELETE": Role.REVIEWER}

    def _comment(self, request, comment_id):
        comment = object_of_review_or_404(
            Comment.objects.select_related("record"), request.review, comment_id
        )
        record = comment.record
        if not any(s.comment.pk == comment.pk for s in _comments(request, record)):
            raise NotFound("No such comment.")  # one you may not read is not there
        return record, comment

    # The new text replaces the old, so it is required (not the optional "patched" fields
    # drf-spectacular would document for a PATCH).
    @extend_schema(
        request={
            "application/json": {
                "type": "object",
                "properties": {"text": {"type": "string", "pattern": r"\S", "maxLength": 5000}},
                "required": ["text"],
            }
        },
        responses=CommentSerializer(many=True),
    )
    def patch(self, request, review_id, comment_id):
        record, comment = self._comment(request, comment_id)
        comment_service.edit_comment(
            comment, by=request.user, text=str(request.data.get("text", ""))
        )
        return Response(CommentSerializer(_comments(request, record), many=True).data)

    @extend_schema(responses={204: None})
    def delete(self, request, review_id, comment_id):
        _, comment = self._comment(request, comment_id)
        comment_service.delete_comment(comment, by=request.user, membership=request.membership)
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns += [
    path("records/<id:record_id>/comments/", RecordComments.as_view(), name="record_comments"),
    path("comments/<id:comment_id>/", CommentDetail.as_view(), name="comment_detail"),
]
