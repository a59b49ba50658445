import os

from django.core.wsgi import get_wsgi_application
from django.urls import get_resolver

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reviewapp.settings")
application = get_wsgi_application()
# Import every view, and what they use (scikit-learn for ranking), when the server starts
# (before gunicorn forks its workers, with --preload) rather than on a reviewer's first
# request, which would wait seconds for it.
get_resolver().url_patterns  # noqa: B018 - the access imports them
