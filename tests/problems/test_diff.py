"""Highlighted diffs: correct line accounting, both layouts, folding, escaping, theme CSS."""
from __future__ import annotations

import re

import pytest

from apps.problems.diff import code_theme_css, diff_stats, highlight_lines, render_code, render_diff, undouble_newlines

OLD = "#include <iostream>\nint main() {\n  int n; std::cin >> n;\n  /* sum\n     loop */\n  long s = 0;\n  for (int i = 1; i <= n; i++) s += i;\n  std::cout << s;\n}\n"
NEW = "#include <cstdio>\nint main() {\n  long n; scanf(\"%ld\", &n);\n  /* sum\n     loop */\n  printf(\"%ld\", n * (n + 1) / 2);\n}\n"


def test_stats_count_lines():
    stats = diff_stats(OLD, NEW)
    assert (stats.added, stats.removed) == (3, 5)
    assert stats.unchanged == 4


@pytest.mark.parametrize("layout", ["side-by-side", "inline"])
def test_layouts_show_every_line_once(layout):
    html = render_diff(OLD, NEW, layout=layout)
    text = re.sub(r"<[^>]+>", "", html)
    assert "scanf" in text and "std::cin" in text
    assert html.count('class="code del"') == 5 and html.count('class="code add"') == 3
    assert f'data-layout="{layout}"' in html


def test_multiline_comment_is_highlighted_on_both_lines():
    lines = highlight_lines(OLD)
    assert 'class="cm"' in lines[3] and 'class="cm"' in lines[4]
    assert len(lines) == OLD.count("\n")


def test_html_is_escaped():
    html = render_diff("int a; // <script>alert(1)</script>\n", "int b;\n")
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "<script>" not in render_diff("a\n", "b\n", old_label="<script>")


def test_fold_keeps_context_only():
    old = "".join(f"line {i};\n" for i in range(100))
    new = old.replace("line 50;", "line fifty;")
    html = render_diff(old, new, context=3)
    assert "47 unchanged lines" in html and "46 unchanged lines" in html
    assert html.count("<tr") < 20
    with pytest.raises(ValueError):
        render_diff(old, new, layout="diagonal")


def test_undouble_newlines_only_when_every_break_is_doubled():
    assert undouble_newlines("a\n\nb\n\n\n\nc\n\n") == "a\nb\n\nc\n"
    assert undouble_newlines("a\nb\n\nc\n") == "a\nb\n\nc\n"


def test_code_listing_and_theme_css():
    assert render_code("int x;\n").count('<td class="ln">') == 1
    css = code_theme_css()
    assert 'html[data-theme="dark"] .hl .k' in css and 'html:not([data-theme="dark"]) .hl .k' in css


def test_stylesheet_holds_current_theme_css():
    from pathlib import Path

    stylesheet = (Path(__file__).resolve().parents[2] / "static" / "css" / "pieweb.css").read_text()
    assert code_theme_css() in stylesheet


def test_both_layouts_at_once_match_single_renders():
    from apps.problems.diff import render_diff_layouts

    both = render_diff_layouts(OLD, NEW, context=1)
    assert both["inline"] == render_diff(OLD, NEW, layout="inline", context=1)
    assert both["side-by-side"] == render_diff(OLD, NEW, layout="side-by-side", context=1)
