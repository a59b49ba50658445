"""REST routes of the screening app, under /api/reviews/<review_id>/. One list per feature."""

from screening.api import (
    agreement,
    conflicts,
    dedupe,
    fulltext,
    imports,
    known_relevant,
    prisma,
    queue,
    ranking,
    report,
    screening_settings,
    search_log,
    tags,
    votes,
)
from screening.api import exports as table_exports
from screening.api import records as record_api

urlpatterns = [
    *imports.urlpatterns,
    *dedupe.urlpatterns,
    *queue.urlpatterns,
    *votes.urlpatterns,
    *conflicts.urlpatterns,
    *agreement.urlpatterns,
    *fulltext.urlpatterns,
    *screening_settings.urlpatterns,
    *record_api.urlpatterns,
    *table_exports.urlpatterns,
    *prisma.urlpatterns,
    *ranking.urlpatterns,
    *known_relevant.urlpatterns,
    *tags.urlpatterns,
    *search_log.urlpatterns,
    *report.urlpatterns,
]
