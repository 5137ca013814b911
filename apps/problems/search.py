"""Site search: one query, two kinds of answers.

* problems whose name or statement match (full text on PostgreSQL, word ``icontains`` on SQLite);
* pairs whose programs contain the query as a substring (trigram-indexed ``LIKE`` on PostgreSQL).

A query that is exactly a problem id jumps straight to that problem (``redirect_to``).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .models import Pair, Problem
from .selectors import _PROBLEM_ID_RE, code_search, problem_search

MIN_CODE_QUERY_CHARS = 2
PROBLEM_LIMIT = 50
PAIR_LIMIT = 50


@dataclass
class SearchResults:
    q: str
    problems: list[Problem] = field(default_factory=list)
    pairs: list[Pair] = field(default_factory=list)
    pair_total: int | None = 0
    redirect_to: str | None = None

    @property
    def empty(self) -> bool:
        return not self.problems and not self.pairs


def site_search(*, q: str, side: str = "tgt", split: str = "", scope: str = "all") -> SearchResults:
    """Run the searches ``scope`` asks for (``all`` | ``problems`` | ``code``).

    Code search needs at least ``MIN_CODE_QUERY_CHARS`` characters: a one-character substring
    matches nearly every program and the trigram index cannot serve it.
    """
    q = q.strip()
    results = SearchResults(q=q)
    if not q:
        return results
    if scope == "all" and _PROBLEM_ID_RE.match(q):
        problem = Problem.objects.filter(id__iexact=q).only("id").first()
        if problem is not None:
            results.redirect_to = problem.get_absolute_url()
            return results
    if scope in ("all", "problems"):
        results.problems = problem_search(q=q, limit=PROBLEM_LIMIT)
    if scope in ("all", "code") and len(q) >= MIN_CODE_QUERY_CHARS:
        results.pairs, results.pair_total = code_search(q=q, side=side, split=split, limit=PAIR_LIMIT)
    return results
