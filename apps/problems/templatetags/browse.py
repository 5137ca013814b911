"""Template helpers for the browse pages: permalink query strings, sort headers, number formats."""
from __future__ import annotations

from typing import Any

from django import template
from django.http import QueryDict
from django.utils.html import format_html

register = template.Library()


def _with(query: QueryDict, **changes: Any) -> str:
    q = query.copy()
    for key, value in changes.items():
        if value is None or value == "":
            q.pop(key, None)
        else:
            q[key] = str(value)
    return q.urlencode()


@register.simple_tag(takes_context=True)
def query(context: template.Context, **changes: Any) -> str:
    """The current query string with ``changes`` applied (``None``/"" removes a key), as ``?...``.

    Every link built this way keeps the page's filters, so any view is a permalink.
    """
    request = context["request"]
    encoded = _with(request.GET, **changes)
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(takes_context=True)
def sort_header(context: template.Context, key: str, label: str, default_desc: bool = False) -> str:
    """A column header link that sorts by ``key``; a second click reverses the order.

    ``default_desc`` makes the first click sort descending (speedups: best first).
    """
    request = context["request"]
    current = request.GET.get("sort") or context.get("default_sort", "")
    if current.lstrip("-") == key:
        descending = current.startswith("-")
        target = key if descending else f"-{key}"
        arrow = " ▼" if descending else " ▲"
        css = "sorted"
        aria = "descending" if descending else "ascending"
    else:
        target = f"-{key}" if default_desc else key
        arrow, css, aria = "", "", "none"
    href = "?" + _with(request.GET, sort=target, page=None)
    return format_html('<a href="{}" class="{}" data-sort="{}" aria-sort="{}">{}{}</a>', href, css, key, aria, label, arrow)


@register.filter
def speedup(value: float | None) -> str:
    """``2.345`` -> ``2.35×``; missing -> ``—``."""
    if value is None:
        return "—"
    return f"{value:.2f}×" if value < 100 else f"{value:.0f}×"


@register.filter
def seconds(value: float | None) -> str:
    """A runtime in seconds with a readable unit (s, ms, µs)."""
    if value is None:
        return "—"
    if value >= 1:
        return f"{value:.3g} s"
    if value >= 1e-3:
        return f"{value * 1e3:.3g} ms"
    return f"{value * 1e6:.3g} µs"


@register.filter
def nbytes(value: int | None) -> str:
    """A size in bytes with a binary unit."""
    if value is None:
        return "—"
    size = float(value)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{value} B"


@register.filter
def truncate_chars(value: str | None, limit: int = 300) -> str:
    """``value`` cut to ``limit`` characters with an ellipsis line when cut."""
    text = value or ""
    return text if len(text) <= limit else text[:limit] + "\n…"


@register.filter
def code_listing(code: str | None) -> str:
    """One program as a numbered, highlighted table (Pygments, both themes via CSS)."""
    from apps.problems.diff import render_code

    return render_code(code or "")


@register.filter
def thousands(value: int | None) -> str:
    """``12345`` -> ``12,345`` without the locale machinery of ``intcomma`` (row cells are many)."""
    if value is None or value == "":
        return "—"
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)
