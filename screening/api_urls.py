"""REST routes of the screening app, under /api/reviews/<review_id>/."""

urlpatterns: list = []
