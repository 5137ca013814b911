"""Indexes matching the browse pages' default pair order: ``speedup DESC NULLS LAST, id``.

The model's ``(problem, -speedup)`` index sorts NULLs first (PostgreSQL's default for DESC), so
it cannot serve ``NULLS LAST`` and the problem page sorted all of a problem's pairs (up to
thousands of ~4 KB rows) to show 25. These indexes let ``ORDER BY ... LIMIT`` stop early for
one problem, one split, or the whole table. SQLite accepts ``NULLS LAST`` in ORDER BY but not in
an index definition; there NULLs sort lowest, so plain ``DESC`` already puts them last.
"""
from django.db import migrations

INDEXES = {
    "pair_problem_speedup_nl": "(problem_id, speedup DESC NULLS LAST, id)",
    "pair_split_speedup_nl": "(split_id, speedup DESC NULLS LAST, id)",
    "pair_speedup_nl": "(speedup DESC NULLS LAST, id)",
}


def _create(apps, schema_editor) -> None:
    for name, columns in INDEXES.items():
        if schema_editor.connection.vendor == "sqlite":
            columns = columns.replace(" NULLS LAST", "")
        schema_editor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON problems_pair {columns};")


def _drop(apps, schema_editor) -> None:
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name};")


class Migration(migrations.Migration):
    dependencies = [("problems", "0003_search_document_column")]

    operations = [migrations.RunPython(_create, _drop)]
