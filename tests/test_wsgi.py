"""The web process's start-up (reviewapp/wsgi.py)."""

import gc
import importlib


def test_the_web_process_freezes_what_it_loaded_before_serving():
    import reviewapp.wsgi

    gc.unfreeze()
    try:
        importlib.reload(reviewapp.wsgi)
        # The app, its views and scikit-learn: left out of every cycle collection.
        assert gc.get_freeze_count() > 50_000
        assert reviewapp.wsgi.application is not None
    finally:
        gc.unfreeze()
