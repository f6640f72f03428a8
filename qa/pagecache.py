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
from django.http import HttpResponse
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

# Old versions are never read again; they only need to leave the cache eventually.
TIMEOUT = 24 * 60 * 60


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
