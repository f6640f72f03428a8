"""Whole pages kept in the cache: one copy for all visitors, one for each signed-in reader.

Visitors all see the same board, so its page is rendered once per version of the data
(Round.page_version) and release of the code (settings.STUDYBOARD_RELEASE), then served from
the cache: the latest pages from each worker's memory (the "pages" cache), the rest from the
default cache (Redis with REDIS_URL). A signed-in member's page shows their own buttons, so
it is kept for them alone, under a key that also names everything of theirs it shows
(reader_key()), with a stand-in where their CSRF token goes: each response gets the
request's own token. Pages with a message to show or a query string are always rendered.
"""

import hashlib
import logging
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.signing import salted_hmac
from django.core.cache import cache, caches
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache
from django.core.cache.backends.redis import RedisCacheClient
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.shortcuts import render
from django.utils.translation import get_language

from .models import member_of

logger = logging.getLogger(__name__)

# Old versions are never read again; they only need to leave the cache eventually.
TIMEOUT = 24 * 60 * 60
# A reader's own pages are many more, each read by one person: kept for less.
READER_TIMEOUT = 60 * 60
# A page showing how long ago something happened ("5분 전") is right to the minute.
BRIEF_TIMEOUT = 60
# What each {% csrf_token %} of a page kept for a reader holds until it is served. The same in
# every worker and node (kept pages are shared through Redis), and unknown to readers, so no
# text they write can spell it: a page showing it would let one reader's text take another's
# token, so every response rendered with it gets it replaced (cached_page()).
CSRF_STAND_IN = salted_hmac("qa.pagecache.csrf", "stand-in").hexdigest()[:32]


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


def _cacheable(request):
    return not (request.GET or len(messages.get_messages(request)))


def reader_key(user):
    """Everything of a signed-in reader's that their pages show beyond what the page's
    version names: who they are, their rights, and what their "new for you" may list.

    Their picks, answers and reactions count in the rounds' revisions like everyone's, so
    the version names those; a reader's key is part of theirs alone.
    """
    member = member_of(user)
    if member is None:
        return (user.pk, user.is_staff, user.get_username())
    news = (member.new_since, member.news_revision)
    return (user.pk, user.is_staff, member.pk, member.name, *news)


def page_key(request, version, reader=None):
    # The whole address, not the path: pages name themselves to link previews (og:url).
    address = request.build_absolute_uri(request.path)
    parts = [settings.STUDYBOARD_RELEASE, get_language(), address, str(version)]
    if reader is not None:
        # And the stand-in, which a new secret key changes: a page kept with the old one would
        # be served with its forms' tokens never replaced.
        parts += [repr(reader), CSRF_STAND_IN]
    return "qa:page:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def cached_page(request, version, render_page):
    """render_page()'s response, or the same page from the cache: the visitors' copy, or
    for a signed-in reader their own, with their own CSRF token."""
    if not _cacheable(request):
        return render_page()
    user = request.user
    reader = reader_key(user) if user.is_authenticated else None
    key = page_key(request, version, reader)
    # Kept with the time it is good until: a worker's copy of a page from Redis cannot know.
    kept = _fetch(key)
    if kept is not None and (kept[0] is None or timezone.now() < kept[0]):
        return HttpResponse(_with_token(request, kept[1]))
    # Read by csrf_stand_in(), the context processor, while this page is rendered and only
    # then: an error page rendered after an exception must not show the stand-in either.
    request.qa_csrf_stand_in = reader is not None
    try:
        response = render_page()
    finally:
        request.qa_csrf_stand_in = False
    # A reader's page is kept cut where the stand-in was: serving it only joins the pieces
    # with the reader's token, which took a quarter of the time of replacing the stand-in.
    content = response.content if reader is None else response.content.split(CSRF_STAND_IN.encode())
    if response.status_code == 200:
        until = None
        if reader is None:
            timeout = TIMEOUT
        elif getattr(request, "qa_changes_with_time", False):
            timeout = BRIEF_TIMEOUT
            until = timezone.now() + timedelta(seconds=timeout)
        else:
            timeout = READER_TIMEOUT
        _keep(key, (until, content), timeout)
    # Every response rendered with the stand-in, kept or not.
    response.content = _with_token(request, content)
    return response


def _with_token(request, content):
    if isinstance(content, bytes):  # a visitors' page: no form that posts
        return content
    return get_token(request).encode().join(content)


def csrf_stand_in(request):
    """Context processor: a page being kept for its reader gets CSRF_STAND_IN as its token."""
    if getattr(request, "qa_csrf_stand_in", False):
        return {"csrf_token": CSRF_STAND_IN}
    return {}


class SharedParts:
    """The parts of a page that are the same for every reader, cached; the rest rendered live.

    What a signed-in reader's page is made of when it is rendered for them (it is then kept
    whole for them, cached_page()). A page marks its shared parts
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


def _keep(key, content, timeout=TIMEOUT):
    caches["pages"].set(key, content, timeout)
    try:
        cache.set(key, content, timeout)
    except Exception:
        logger.warning("cache unavailable; %s not kept", key, exc_info=True)


def render_with_shared_parts(request, template_name, context, version, load):
    """render() for a page with shared parts (see SharedParts)."""
    shared = SharedParts(request, version, load)
    response = render(request, template_name, {**context, "shared": shared})
    if response.status_code == 200:
        shared.store()
    return response
