"""The Redis cache keeps one client per connection pool and works as Django's does."""

import os
import threading
import uuid

import pytest
import redis

from reviewapp.cache import RedisCache

# The suite's Redis when it runs against one (its keys are this test's own and deleted).
BROKER = os.environ.get("CELERY_BROKER_URL", "")
URL = BROKER if BROKER.startswith("redis://") else "redis://127.0.0.1:6379/15"


@pytest.fixture
def cache():
    try:
        redis.Redis.from_url(URL).ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    prefix = f"test-cache-{uuid.uuid4().hex}"
    backend = RedisCache(URL, {"KEY_PREFIX": prefix})
    yield backend
    client = redis.Redis.from_url(URL)
    keys = client.keys(f"{prefix}:*")
    if keys:
        client.delete(*keys)


def test_one_client_serves_every_operation(cache):
    client = cache._cache.get_client(write=True)
    assert cache._cache.get_client() is client
    assert cache._cache.get_client("any key", write=False) is client


def test_it_caches_as_djangos_does(cache):
    cache.set("a", {"n": 1}, 60)
    assert cache.get("a") == {"n": 1}
    cache.set("count", 1, None)
    assert cache.incr("count") == 2
    assert cache.get_or_set("new", 5, None) == 5
    cache.delete("a")
    assert cache.get("a") is None


def test_threads_share_the_client(cache):
    errors = []

    def work(n):
        try:
            for i in range(50):
                cache.set(f"t{n}-{i}", i, 60)
                assert cache.get(f"t{n}-{i}") == i
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
