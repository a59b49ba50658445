"""Django's Redis cache, with one Redis client per connection pool.

Django's client makes a new `redis.Redis` object for every cache operation, and building
one (its tables of response callbacks) cost ~0.3 ms of CPU: 3 % of a screening act's
web CPU went to it, for the session read alone. A `redis.Redis` holds no connection of
its own (it borrows one from its pool for each command) and may be shared between
threads, so one per pool does the same work.
"""

from __future__ import annotations

from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient


class _Client(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            pool = self._get_connection_pool(write)
            client = self._clients[index] = self._client(connection_pool=pool)
        return client


class RedisCache(DjangoRedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _Client
