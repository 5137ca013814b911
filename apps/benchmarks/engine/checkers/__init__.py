"""Output checkers. Each is a module with ``check(output, expected, **params) -> CheckResult``.

A new checker is one new module and one line in ``REGISTRY``.
"""
from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

from . import exact, pie, tokens
from .base import CheckResult

Checker = Callable[..., CheckResult]

REGISTRY: dict[str, ModuleType] = {
    "pie": pie,
    "exact": exact,
    "tokens": tokens,
}


class UnknownChecker(ValueError):
    """The job names a checker that is not in ``REGISTRY``."""


def get_checker(name: str) -> Checker:
    """Return the ``check`` function registered under ``name``.

    Raises:
        UnknownChecker: ``name`` is not registered.
    """
    try:
        return REGISTRY[name].check
    except KeyError:
        raise UnknownChecker(f"unknown checker {name!r}; known: {', '.join(sorted(REGISTRY))}") from None


__all__ = ["CheckResult", "Checker", "REGISTRY", "UnknownChecker", "get_checker"]
