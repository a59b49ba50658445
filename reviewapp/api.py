"""REST endpoints for reviews and members. One view per endpoint, thin: they call services.
A service's refusal (ValidationError) becomes a 400 in reviewapp/api_errors.py."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import generics, serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from reviewapp import services
from reviewapp.access import ReviewRolePermission
from reviewapp.api_schema import id_parameter
from reviewapp.http import object_of_review_or_404
from reviewapp.input import StrictModelSerializer
from reviewapp.models import Membership, Review, Role


class ReviewSerializer(StrictModelSerializer):
    my_role = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = ["id", "title", "question", "protocol_id", "created_at", "updated_at", "my_role"]
        read_only_fields = ["id", "created_at", "updated_at", "my_role"]

    def get_my_role(self, review: Review) -> str | None:
        role = getattr(review, "my_role", None)
        if role is None:
            membership = getattr(self.context.get("request"), "membership", None)
            role = membership.role if membership else None
        return role


class ReviewList(generics.ListCreateAPIView):
    """Reviews you are a member of; POST creates one with you as owner."""

    serializer_class = ReviewSerializer
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        from django.db.models import F

        return Review.objects.for_user(self.request.user).annotate(my_role=F("memberships__role"))

    def perform_create(self, serializer):
        review = services.create_review(owner=self.request.user, **serializer.validated_data)
        review.my_role = Role.OWNER
        serializer.instance = review


class ReviewDetail(generics.RetrieveUpdateAPIView):
    """A review's details; PATCH needs the lead role."""

    serializer_class = ReviewSerializer
    permission_classes = [ReviewRolePermission]
    review_roles = {"PATCH": Role.LEAD, "PUT": Role.LEAD}
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        return self.request.review

    def perform_update(self, serializer):
        services.update_review(review=self.request.review, **serializer.validated_data)


class MemberSerializer(serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", read_only=True)
    email = serializers.EmailField(source="user.email", read_only=True)

    class Meta:
        model = Membership
        fields = ["id", "username", "email", "role", "joined_at"]
        read_only_fields = ["id", "username", "email", "joined_at"]


class AddMemberInput(serializers.Serializer):
    who = serializers.CharField(help_text="A username, or an e-mail address (invited if unknown).")
    role = serializers.ChoiceField(choices=Role.choices, default=Role.REVIEWER)


class MemberList(APIView):
    """Members of a review. Any member reads; the owner adds by username or e-mail."""

    permission_classes = [ReviewRolePermission]
    review_roles = {"POST": Role.OWNER}

    @extend_schema(responses=MemberSerializer(many=True))
    def get(self, request, review_id):
        members = request.review.memberships.select_related("user").order_by("user__username")
        return Response(MemberSerializer(members, many=True).data)

    @extend_schema(
        request=AddMemberInput,
        responses={
            201: MemberSerializer,
            202: inline_serializer("Invited", {"invited": serializers.EmailField()}),
        },
    )
    def post(self, request, review_id):
        data = AddMemberInput(data=request.data)
        data.is_valid(raise_exception=True)
        result = services.add_member(
            review=request.review, added_by=request.user, **data.validated_data
        )
        if result.invited:
            return Response({"invited": result.invitation.email}, status=status.HTTP_202_ACCEPTED)
        return Response(MemberSerializer(result.membership).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        operation_id="reviews_members_remove",
        parameters=[
            id_parameter("member", "membership id to remove"),
            OpenApiParameter("username", str, description="or the member's username"),
        ],
        responses={204: None},
    )
    def delete(self, request, review_id):
        """Remove a member (owner), or yourself (leaving). The last owner cannot go."""
        member, username = request.query_params.get("member"), request.query_params.get("username")
        members = request.review.memberships.select_related("user")
        if member and member.isdigit():
            target = object_of_review_or_404(members, request.review, member)
        elif username:
            target = get_object_or_404(members, user__username=username)
        else:
            raise ValidationError({"detail": "Say which member: ?member=<id> or ?username=<name>."})
        return _remove(request, target)


def _remove(request, target: Membership) -> Response:
    if target.pk != request.membership.pk and not request.membership.can(Role.OWNER):
        raise PermissionDenied("Only an owner removes other members; you can remove yourself.")
    services.remove_member(membership=target)
    return Response(status=status.HTTP_204_NO_CONTENT)


class MemberDetail(APIView):
    """Change a member's role (owner) or remove them (owner, or the member themself: leaving)."""

    permission_classes = [ReviewRolePermission]
    review_roles = {"PATCH": Role.OWNER}

    def _target(self, member_id) -> Membership:
        return object_of_review_or_404(
            Membership.objects.select_related("user"), self.request.review, member_id
        )

    @extend_schema(responses=MemberSerializer)
    def get(self, request, review_id, member_id):
        return Response(MemberSerializer(self._target(member_id)).data)

    @extend_schema(
        request=inline_serializer(
            "RoleInput", {"role": serializers.ChoiceField(choices=Role.choices)}
        ),
        responses=MemberSerializer,
    )
    def patch(self, request, review_id, member_id):
        target = self._target(member_id)
        role = request.data.get("role")
        if role not in Role.values:
            raise ValidationError({"role": f"one of {', '.join(Role.values)}"})
        services.change_role(membership=target, role=role)
        return Response(MemberSerializer(target).data)

    @extend_schema(responses={204: None})
    def delete(self, request, review_id, member_id):
        return _remove(request, self._target(member_id))
