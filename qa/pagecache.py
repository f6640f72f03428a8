"""Whole pages kept in the cache for visitors who are not signed in.

Visitors all see the same board, so its page is rendered once per version of the data
(Round.page_version) and then served from the cache: Redis with REDIS_URL, otherwise each
worker's memory. Signed-in people see their own buttons and CSRF tokens, so their pages
are always rendered; so are pages with a message to show or a query string.
"""

import hashlib
import logging
import threading
from collections import OrderedDict

from django.contrib import messages
from django.core.cache import cache
from django.http import HttpResponse
from django.utils.translation import get_language

logger = logging.getLogger(__name__)

# Old versions are never read again; they only need to leave the cache eventually.
TIMEOUT = 24 * 60 * 60
# The latest pages also stay in each worker's memory (keys are versions, so a copy is never
# stale): a page is then served without fetching its 100-200 KB from Redis each time.
LOCAL_PAGES = 32


class _RecentPages(OrderedDict):
    # Threaded servers (runserver, gunicorn's gthread) share it between requests.
    _lock = threading.Lock()

    def get(self, key):
        with self._lock:
            content = super().get(key)
            if content is not None:
                self.move_to_end(key)
            return content

    def keep(self, key, content):
        with self._lock:
            self[key] = content
            self.move_to_end(key)
            while len(self) > LOCAL_PAGES:
                self.popitem(last=False)


_recent = _RecentPages()


def _shared(request):
    return not (request.user.is_authenticated or request.GET or len(messages.get_messages(request)))


def for_visitors(request, version, render_page):
    """render_page()'s response, or the same page from the cache for a visitor."""
    if not _shared(request):
        return render_page()
    parts = [get_language(), request.path, str(version)]
    key = "qa:page:" + hashlib.sha256("\x1f".join(parts).encode()).hexdigest()
    content = _recent.get(key)
    if content is None:
        try:
            content = cache.get(key)
        except Exception:  # an unreachable cache slows the board down, never takes it down
            logger.warning("cache unavailable; rendering %s", request.path, exc_info=True)
            return render_page()
    if content is not None:
        _recent.keep(key, content)
        return HttpResponse(content)
    response = render_page()
    if response.status_code == 200:
        _recent.keep(key, response.content)
        try:
            cache.set(key, response.content, TIMEOUT)
        except Exception:
            logger.warning("cache unavailable; %s not kept", request.path, exc_info=True)
    return response
