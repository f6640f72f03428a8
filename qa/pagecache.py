"""Whole pages kept in the cache for visitors who are not signed in.

Visitors all see the same board, so its page is rendered once per version of the data
(Round.page_version) and release of the code (settings.STUDYBOARD_RELEASE), then served from
the cache: the latest pages from each worker's memory (the "pages" cache), the rest from the
default cache (Redis with REDIS_URL). Signed-in people see their own buttons and CSRF tokens,
so their pages are always rendered; so are pages with a message to show or a query string.
"""

import hashlib
import logging

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache, caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

# Old versions are never read again; they only need to leave the cache eventually.
TIMEOUT = 24 * 60 * 60


class InProcessCache(LocMemCache):
    """Django's local-memory cache, keeping values as they are instead of pickled.

    The "pages" cache: a shared part of a board comes back with the values its live parts
    need (model instances), and unpickling those took longer than rendering the parts. Safe
    because keys name versions (nothing is stored twice under one key) and what is read is
    only read. Only get, set, add and delete are used.
    """

    def get(self, key, default=None, version=None):
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if self._has_expired(key):
                self._delete(key)
                return default
            value = self._cache[key]
            self._cache.move_to_end(key, last=False)
        return value

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            self._set(key, value, timeout)

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None):
        key = self.make_and_validate_key(key, version=version)
        with self._lock:
            if self._has_expired(key):
                self._set(key, value, timeout)
                return True
            return False


class _KeptClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        index = self._get_connection_pool_index(write)
        client = self._clients.get(index)
        if client is None:
            client = self._clients[index] = super().get_client(key, write=write)
        return client


class RedisCache(DjangoRedisCache):
    """Django's Redis cache, keeping one redis-py client for each server.

    Django builds a new client for every call (its connections come from a pool either
    way): building one took longer than a GET, and every signed-in page reads its session
    from Redis. A client keeps no connection of its own, so one serves all of a thread's
    calls (Django's caches are per thread).
    """

    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = _KeptClient


def _shared(request):
    return not (request.user.is_authenticated or request.GET or len(messages.get_messages(request)))


def page_key(request, version):
    # The whole address, not the path: pages name themselves to link previews (og:url).
    address = request.build_absolute_uri(request.path)
    parts = [settings.STUDYBOARD_RELEASE, get_language(), address, str(version)]
    return "qa:page:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def for_visitors(request, version, render_page):
    """render_page()'s response, or the same page from the cache for a visitor."""
    if not _shared(request):
        return render_page()
    key = page_key(request, version)
    # Keys name versions, so a worker's copy is never stale.
    recent = caches["pages"]
    content = recent.get(key)
    if content is None:
        try:
            content = cache.get(key)
        except Exception:  # an unreachable cache slows the board down, never takes it down
            logger.warning("cache unavailable; rendering %s", request.path, exc_info=True)
            return render_page()
        if content is not None:
            recent.set(key, content, TIMEOUT)
    if content is not None:
        return HttpResponse(content)
    response = render_page()
    if response.status_code == 200:
        recent.set(key, response.content, TIMEOUT)
        try:
            cache.set(key, response.content, TIMEOUT)
        except Exception:
            logger.warning("cache unavailable; %s not kept", request.path, exc_info=True)
    return response


class SharedParts:
    """The parts of a page that are the same for every reader, cached; the rest rendered live.

    For signed-in readers, whose pages cannot be cached whole. A page marks its shared parts
    with {% shared_part "name" %} and, inside them, what depends on the reader with
    {% live_include %} (qa.templatetags.qa_fragments). Everything a page's shared parts show
    is kept under one key (the release, the language, the address and query, `version` and
    whether the reader is signed in), fetched once per request; `load()` gives the context they
    need and is called only when one of them has to be rendered.
    """

    def __init__(self, request, version, load):
        self.request = request
        # The query too: the header's language links lead back to the whole address.
        query = hashlib.sha256(request.META.get("QUERY_STRING", "").encode()).hexdigest()
        self.key = "qa:parts:" + page_key(request, version).removeprefix("qa:page:") + (
            ":member:" if request.user.is_authenticated else ":visitor:"
        ) + query
        self._load = load
        self._loaded = None
        self._entry = None
        self._changed = False

    def data(self):
        if self._loaded is None:
            self._loaded = self._load()
        return self._loaded

    def get(self, name):
        if self._entry is None:
            self._entry = _fetch(self.key) or {}
        return self._entry.get(name)

    def put(self, name, part):
        self._entry[name] = part
        self._changed = True

    def store(self):
        """Keep what this request had to render, for the next reader."""
        if self._changed:
            _keep(self.key, self._entry)
            self._changed = False


def _fetch(key):
    recent = caches["pages"]
    content = recent.get(key)
    if content is None:
        try:
            content = cache.get(key)
        except Exception:
            logger.warning("cache unavailable; rendering %s", key, exc_info=True)
            return None
        if content is not None:
            recent.set(key, content, TIMEOUT)
    return content


def _keep(key, content):
    caches["pages"].set(key, content, TIMEOUT)
    try:
        cache.set(key, content, TIMEOUT)
    except Exception:
        logger.warning("cache unavailable; %s not kept", key, exc_info=True)


def render_with_shared_parts(request, template_name, context, version, load):
    """render() for a page with shared parts (see SharedParts)."""
    shared = SharedParts(request, version, load)
    response = render(request, template_name, {**context, "shared": shared})
    if response.status_code == 200:
        shared.store()
    return response
