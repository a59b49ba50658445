"""REST routes of the screening app, under /api/reviews/<review_id>/. One list per feature."""

from screening.api import dedupe, imports

urlpatterns = [
    *imports.urlpatterns,
    *dedupe.urlpatterns,
]
