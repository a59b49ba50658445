"""Pages of the screening app (import, deduplication, screening, PRISMA), under /reviews/<id>/."""

urlpatterns: list = []
