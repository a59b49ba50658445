"""REST: the methods text written from the data (lead: it states agreement and conflict
figures). `?format=md` gives the Markdown."""

from django.http import HttpResponse
from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from reviewapp.access import ReviewRolePermission
from reviewapp.models import Role
from screening.api.search_log import MarkdownRenderer
from screening.methods_text import as_markdown
from screening.selectors.report import methods_report
from screening.views.report import linked_paragraphs


class MethodsReport(APIView):
    """The methods paragraphs: `[{heading, text, parts: [{text, url}]}]` (a part with a
    url is a number and the page it comes from) and the whole as `markdown`."""

    permission_classes = [ReviewRolePermission]
    review_role = Role.LEAD
    renderer_classes = [JSONRenderer, MarkdownRenderer]

    @extend_schema(
        parameters=[OpenApiParameter("format", str, enum=["json", "md"])],
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT, description="JSON or Markdown")},
    )
    def get(self, request, review_id):
        review = request.review
        paragraphs = methods_report(review=review)
        markdown = as_markdown(title=review.title, paragraphs=paragraphs)
        if request.accepted_renderer.format == "md":
            return HttpResponse(markdown, content_type="text/markdown; charset=utf-8")
        return Response({"paragraphs": linked_paragraphs(review, paragraphs), "markdown": markdown})


urlpatterns = [path("report/methods/", MethodsReport.as_view(), name="report_methods")]
