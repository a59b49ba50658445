import contextlib
import gc
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reviewapp.settings")
application = get_wsgi_application()

# Load what the first requests would otherwise load while a reviewer waits (seconds on a
# busy machine): every view and what they use (scikit-learn for ranking), and the cache's
# client library. With gunicorn --preload this happens once, before the workers fork.
from django.core.cache import cache  # noqa: E402
from django.urls import get_resolver  # noqa: E402

get_resolver().url_patterns  # noqa: B018 - the access imports them
with contextlib.suppress(Exception):  # the cache being down must not stop the server
    cache.get("reviewapp:wsgi-start")

# Everything loaded so far lives as long as the process. Python's cycle collector would
# walk all of it (about 200,000 objects) in every full collection, which then lands in
# some request: 100 ms added to one records page in twenty (500 rows). Frozen, those
# objects are left out of the collections; with --preload the forked workers also keep
# sharing their memory pages. Garbage made by requests is collected as before.
gc.freeze()
