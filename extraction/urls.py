"""Pages of the extraction app, under /reviews/<review_id>/. One list per feature."""

from extraction.views import evidence, forms, sheets, studies

urlpatterns = [
    *studies.urlpatterns,
    *forms.urlpatterns,
    *sheets.urlpatterns,
    *evidence.urlpatterns,
]
