"""Pages of the screening app, under /reviews/<review_id>/. One list per feature."""

from screening.views import (
    agreement,
    bulk,
    comments,
    conflicts,
    dedupe,
    fulltext,
    imports,
    known_relevant,
    prisma,
    ranking,
    report,
    screen,
    search_log,
    tags,
)
from screening.views import exports as table_exports
from screening.views import records as record_pages
from screening.views import settings as screening_settings

urlpatterns = [
    *imports.urlpatterns,
    *dedupe.urlpatterns,
    *screen.urlpatterns,
    *conflicts.urlpatterns,
    *fulltext.urlpatterns,
    *agreement.urlpatterns,
    *screening_settings.urlpatterns,
    *record_pages.urlpatterns,
    *table_exports.urlpatterns,
    *prisma.urlpatterns,
    *ranking.urlpatterns,
    *known_relevant.urlpatterns,
    *tags.urlpatterns,
    *bulk.urlpatterns,
    *comments.urlpatterns,
    *search_log.urlpatterns,
    *report.urlpatterns,
]
