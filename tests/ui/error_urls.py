"""The real URLs plus one view that fails, to see the 500 page."""

from django.urls import path

from reviewapp.urls import urlpatterns as real


def boom(request):
    raise RuntimeError("secret internals: /srv/reviewapp/settings.py line 42")


urlpatterns = [*real, path("boom/", boom)]
