"""Whole-page cache for anonymous readers of the dataset pages.

At PIE scale most traffic is people reading: the same overview, lists, problems and pairs for
everyone who is not logged in. A hit costs one cache read (no database, no template), which is
what keeps p95 low under concurrent load on a small machine.

What is never cached: any request carrying a session or messages cookie (logged-in users see
their name, CSRF tokens and private submissions), non-GET requests, non-200 responses,
streaming responses, and responses that set cookies (e.g. a CSRF token was rendered).

Entries are keyed by the dataset version (``selectors.dataset_version``), so an import shows
at once; activity that is not an import (new public submissions on a problem page, benchmark
progress on a pair page) shows within ``BROWSE_PAGE_CACHE_SECONDS`` (default 30 s; 0 turns
the cache off).
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

from .selectors import dataset_version

DEFAULT_SECONDS = 30


def page_cache_seconds() -> int:
    return int(getattr(settings, "BROWSE_PAGE_CACHE_SECONDS", DEFAULT_SECONDS))


def _cacheable_request(request: HttpRequest) -> bool:
    if request.method != "GET":
        return False
    cookies = request.COOKIES
    return settings.SESSION_COOKIE_NAME not in cookies and "messages" not in cookies


def _key(request: HttpRequest) -> str:
    path = hashlib.sha256(request.get_full_path().encode("utf-8")).hexdigest()[:32]
    return f"problems:page:v1:{dataset_version()}:{path}"


def anonymous_page_cache(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Serve ``view``'s HTML from the cache for anonymous GETs (see the module docstring)."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        seconds = page_cache_seconds()
        if seconds <= 0 or not _cacheable_request(request):
            return view(request, *args, **kwargs)
        key = _key(request)
        hit = cache.get(key)
        if hit is not None:
            content, content_type = hit
            response = HttpResponse(content, content_type=content_type)
            response["X-Page-Cache"] = "hit"
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming and not response.cookies:
            cache.set(key, (response.content, response["Content-Type"]), seconds)
            response["X-Page-Cache"] = "miss"
        return response

    return wrapped
