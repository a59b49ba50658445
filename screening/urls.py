"""Pages of the screening app, under /reviews/<review_id>/. One list per feature."""

from screening.views import dedupe, imports

urlpatterns = [
    *imports.urlpatterns,
    *dedupe.urlpatterns,
]
