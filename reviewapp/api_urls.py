"""The REST API, under /api/. Every review-scoped route takes `review_id`."""

from django.urls import include, path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.reverse import reverse

from reviewapp import api


@extend_schema(exclude=True)
@api_view(["GET"])
@permission_classes([AllowAny])
def api_root(request, format=None):
    """Entry point: links to the main collections and the documentation."""
    return Response(
        {
            "reviews": reverse("api:review_list", request=request, format=format),
            "schema": reverse("api:schema", request=request, format=format),
            "docs": reverse("api:docs", request=request, format=format),
            "redoc": reverse("api:redoc", request=request, format=format),
        }
    )


app_name = "api"
urlpatterns = [
    path("", api_root, name="root"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api:schema"), name="redoc"),
    path("reviews/", api.ReviewList.as_view(), name="review_list"),
    path("reviews/<id:review_id>/", api.ReviewDetail.as_view(), name="review_detail"),
    path("reviews/<id:review_id>/members/", api.MemberList.as_view(), name="member_list"),
    path(
        "reviews/<id:review_id>/members/<id:member_id>/",
        api.MemberDetail.as_view(),
        name="member_detail",
    ),
    path("reviews/<id:review_id>/", include("screening.api_urls")),
    path("reviews/<id:review_id>/", include("extraction.api_urls")),
]
