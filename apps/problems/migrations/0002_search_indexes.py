"""Search indexes for the browse pages (PostgreSQL only; SQLite falls back to LIKE scans).

* ``pg_trgm`` and trigram GIN indexes on ``src_code``/``tgt_code``: a case-sensitive
  ``LIKE '%scanf%'`` over 78K programs is answered from the index instead of scanning ~300 MB.
* ``pieweb_problem_document(name, statement, translated)``: an IMMUTABLE SQL function building
  the weighted tsvector, and a GIN index on exactly that call. An expression index (rather than
  a stored tsvector column) needs no trigger and no importer change, and problems are few (1.5K),
  so keeping it current costs the importer nothing measurable.

Both GIN indexes keep ``fastupdate`` on (the default), so bulk pair inserts append to the
pending list instead of rewriting posting trees row by row.
"""
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

DOCUMENT_FUNCTION = """
CREATE OR REPLACE FUNCTION pieweb_problem_document(name text, statement text, translated text)
RETURNS tsvector LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT setweight(to_tsvector('english'::regconfig, coalesce(name, '')), 'A')
        || setweight(to_tsvector('english'::regconfig, coalesce(translated, '')), 'B')
        || setweight(to_tsvector('english'::regconfig, coalesce(statement, '')), 'C')
$$;
"""

FORWARD = [
    DOCUMENT_FUNCTION,
    "CREATE INDEX IF NOT EXISTS problem_document_gin ON problems_problem USING gin "
    "(pieweb_problem_document(name, statement_html, statement_translated_html));",
    "CREATE INDEX IF NOT EXISTS pair_src_code_trgm ON problems_pair USING gin (src_code gin_trgm_ops);",
    "CREATE INDEX IF NOT EXISTS pair_tgt_code_trgm ON problems_pair USING gin (tgt_code gin_trgm_ops);",
]
BACKWARD = [
    "DROP INDEX IF EXISTS pair_tgt_code_trgm;",
    "DROP INDEX IF EXISTS pair_src_code_trgm;",
    "DROP INDEX IF EXISTS problem_document_gin;",
    "DROP FUNCTION IF EXISTS pieweb_problem_document(text, text, text);",
]


def _run(statements: list[str]):
    def apply(apps, schema_editor) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        for sql in statements:
            schema_editor.execute(sql)

    return apply


class Migration(migrations.Migration):
    dependencies = [("problems", "0001_initial")]

    operations = [
        # CreateExtension itself is a no-op on databases other than PostgreSQL.
        TrigramExtension(),
        migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False),
    ]
