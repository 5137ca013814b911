"""Parsers for PIE's files. Each yields ``(line, record)`` or :class:`~.base.Issue`; none writes.

The writer is :func:`apps.problems.services.pie_import`.
"""
from .base import Issue, PairRecord, ProblemRecord, RowError, StatementRecord, TestFile
from .pairs import pair_key, pair_record_from_row, parse_pairs
from .problem_list import parse_problem_list
from .statements import parse_statements
from .testcases import (
    StoredHalf,
    TestCaseRecord,
    count_test_units,
    iter_test_files,
    pair_test_files,
    test_source_kind,
)

__all__ = [
    "Issue",
    "PairRecord",
    "ProblemRecord",
    "RowError",
    "StatementRecord",
    "StoredHalf",
    "TestCaseRecord",
    "TestFile",
    "count_test_units",
    "iter_test_files",
    "pair_key",
    "pair_record_from_row",
    "pair_test_files",
    "parse_pairs",
    "parse_problem_list",
    "parse_statements",
    "test_source_kind",
]
