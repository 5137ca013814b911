"""Measurement backends by name. A new backend is one module and one ``REGISTRY`` line.

Entries are ``module:Class`` strings imported on first use, so that a backend's optional
dependencies (gem5 needs the ``docker`` SDK) are only required when it is chosen.
"""
from __future__ import annotations

import importlib
from typing import Any

from ..job import BackendSpec
from .base import Backend, BackendSession, CompiledProgram

REGISTRY: dict[str, str] = {
    "cachegrind": "cachegrind:CachegrindBackend",
    "wallclock": "wallclock:WallclockBackend",
    "gem5": "gem5:Gem5Backend",
}
DEFAULT_BACKEND = "cachegrind"


class UnknownBackend(ValueError):
    """The configuration names a backend that is not registered (like ``ImproperlyConfigured``)."""


class BackendUnavailable(RuntimeError):
    """A registered backend cannot be loaded here (e.g. its optional dependency is missing)."""


def get_backend_class(name: str) -> type[Backend]:
    """Import and return the backend class registered as ``name``.

    Raises:
        UnknownBackend: ``name`` is not registered.
        BackendUnavailable: its module cannot be imported.
    """
    try:
        target = REGISTRY[name]
    except KeyError:
        raise UnknownBackend(f"unknown backend {name!r}; known: {', '.join(sorted(REGISTRY))}") from None
    module_name, class_name = target.split(":")
    try:
        module = importlib.import_module(f"{__name__}.{module_name}")
    except ImportError as exc:
        raise BackendUnavailable(f"backend {name!r} cannot be loaded: {exc}") from exc
    return getattr(module, class_name)


def get_backend(spec: BackendSpec | str, options: dict[str, Any] | None = None) -> Backend:
    """Instantiate a backend: ``get_backend(BackendSpec(name, options))`` or ``get_backend(name, options)``.

    Raises:
        UnknownBackend: unknown name.
        BackendUnavailable: the backend's module or dependencies are missing.
        TypeError: an option the backend does not accept.
    """
    if isinstance(spec, str):
        spec = BackendSpec(spec, dict(options or {}))
    elif options:
        raise TypeError("pass options inside the BackendSpec")
    return get_backend_class(spec.name)(**spec.options)


__all__ = [
    "Backend", "BackendSession", "BackendUnavailable", "CompiledProgram", "DEFAULT_BACKEND", "REGISTRY",
    "UnknownBackend", "get_backend", "get_backend_class",
]
