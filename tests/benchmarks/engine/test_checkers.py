"""The three checkers, on the cases where they differ."""
from __future__ import annotations

import pytest

from apps.benchmarks.engine.checkers import REGISTRY, UnknownChecker, get_checker


def test_pie_extra_output_lines_are_ignored():
    result = get_checker("pie")(b"1\n2\nextra\n", b"1\n2\n")
    assert result.accepted and result.accuracy == 1.0


def test_pie_accuracy_is_the_fraction_of_expected_lines():
    result = get_checker("pie")(b"1\nX\n3\n", b"1\n2\n3\n4\n")
    assert not result.accepted
    assert result.accuracy == pytest.approx(0.5)
    assert "line 2" in result.message


def test_pie_float_tolerance_is_absolute_1e3():
    check = get_checker("pie")
    assert check(b"0.3334\n", b"0.3333333\n").accepted
    assert not check(b"0.335\n", b"0.3333333\n").accepted
    # absolute, not relative: a large number off by 1 is wrong
    assert not check(b"1000001\n", b"1000000\n").accepted


def test_pie_is_strict_about_spaces_inside_a_line_but_not_around_the_output():
    check = get_checker("pie")
    assert check(b"\n\n1 2\n\n", b"1 2").accepted
    assert not check(b"1  2\n", b"1 2\n").accepted
    assert check(b"1 2\r\n3\r\n", b"1 2\n3\n").accepted


def test_pie_empty_expected_output():
    check = get_checker("pie")
    assert check(b"", b"\n").accepted
    assert not check(b"x", b"").accepted


def test_exact_after_strip_only():
    check = get_checker("exact")
    assert check(b"  a b\nc\n\n", b"a b\nc").accepted
    assert not check(b"a  b\nc", b"a b\nc").accepted
    assert not check(b"0.3334", b"0.3333").accepted


def test_tokens_ignores_layout_and_uses_relative_and_absolute_tolerance():
    check = get_checker("tokens")
    assert check(b"1   2\n\n3", b"1 2 3\n").accepted
    assert check(b"1000000.5", b"1000000", rel_tol=1e-6).accepted
    assert not check(b"1000002", b"1000000", rel_tol=1e-6, abs_tol=1e-6).accepted
    assert check(b"1e-9", b"0", abs_tol=1e-6).accepted
    assert check(b"nan", b"nan").accepted  # identical text matches before any number parsing
    assert not check(b"nan", b"1").accepted


def test_tokens_rejects_extra_or_missing_tokens():
    check = get_checker("tokens")
    extra = check(b"1 2 3 4", b"1 2 3")
    assert not extra.accepted and extra.accuracy == 1.0
    missing = check(b"1 2", b"1 2 3 4")
    assert not missing.accepted and missing.accuracy == pytest.approx(0.5)


def test_every_checker_has_the_same_signature():
    for name in REGISTRY:
        result = get_checker(name)(b"42\n", b"42\n")
        assert result.accepted and result.accuracy == 1.0


def test_unknown_checker():
    with pytest.raises(UnknownChecker):
        get_checker("nope")
