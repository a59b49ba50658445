"""REST routes of the screening app, under /api/reviews/<review_id>/. One list per feature."""

from screening.api import dedupe, imports, prisma, ranking, screening
from screening.api import exports as table_exports
from screening.api import records as record_api

urlpatterns = [
    *imports.urlpatterns,
    *dedupe.urlpatterns,
    *screening.urlpatterns,
    *record_api.urlpatterns,
    *table_exports.urlpatterns,
    *prisma.urlpatterns,
    *ranking.urlpatterns,
]
