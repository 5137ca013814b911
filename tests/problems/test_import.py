"""``manage.py import_pie``: every input format, idempotence, error reports and --strict.

Small inputs are written into ``tmp_path``; the shared CodeNet/PIE files are read in place
(never copied into the repository).
"""
from __future__ import annotations

import io
import json
import tarfile
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from apps.problems.importers import Issue, pair_record_from_row, parse_pairs
from apps.problems.importers.base import RowError
from apps.problems.models import Pair, Problem, Split
from apps.problems.models import TestCase as PieTest
from apps.problems.services import ImportAborted, pie_import

pytestmark = pytest.mark.django_db

PROBLEM_CSV = (
    "id,name,dataset,time_limit,memory_limit,rating,tags,complexity\n"
    "p00001,Hills,AIZU,1000,131072,,,\n"
    "p02000,Sum,AtCoder,2000,262144,,,\n"
)
SLOW = "#include <cstdio>\nint main(){int a,b;scanf(\"%d %d\",&a,&b);printf(\"%d\\n\",a+b);}\n"
FAST = "#include <cstdio>\nint main(){int a,b;scanf(\"%d%d\",&a,&b);printf(\"%d\\n\",a+b);}\n"


def iclr_row(n: int, problem_id: str = "p00001", speedup: float = 2.0) -> dict:
    return {
        "src_id": f"s{n:09d}", "tgt_id": f"s{n + 1:09d}", "problem_id": problem_id, "user_id": "u1",
        "src_code": SLOW + f"// {n}\n", "tgt_code": FAST, "src_agg_runtime": 0.2 * speedup,
        "tgt_agg_runtime": 0.2, "speedup": speedup, "tests": [0, 1], "n_tests": 2,
        "target_reward_updated_pct_bin": 7, "fastest_agg_runtime": 0.1,
    }


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows))
    return path


def counts() -> tuple[int, int, int, int]:
    return Problem.objects.count(), PieTest.objects.count(), Pair.objects.count(), Split.objects.count()


@pytest.fixture
def problems_csv(tmp_path: Path) -> Path:
    path = tmp_path / "problem_list.csv"
    path.write_text(PROBLEM_CSV)
    return path


@pytest.fixture
def test_dir(tmp_path: Path) -> Path:
    root = tmp_path / "test_cases"
    for pid in ("p00001", "p02000"):
        (root / pid).mkdir(parents=True)
        for i in range(3):
            (root / pid / f"input.{i}.txt").write_text(f"{i} {i + 1}\n")
            (root / pid / f"output.{i}.txt").write_text(f"{2 * i + 1}\n")
    return root


def run_import(*args: str) -> str:
    out = io.StringIO()
    call_command("import_pie", *args, "--no-progress", stdout=out)
    return out.getvalue()


# --- formats --------------------------------------------------------------------------------

def test_problem_list_maps_units_and_sources(problems_csv):
    run_import("--problems", str(problems_csv))
    hills = Problem.objects.get(id="p00001")
    assert (hills.name, hills.source, hills.time_limit_ms, hills.memory_limit_kb) == ("Hills", "AIZU", 1000, 131072)
    assert Problem.objects.get(id="p02000").source == "AtCoder"


@pytest.mark.parametrize("kind", ["jsonl", "dir", "zip"])
def test_statements_from_jsonl_folder_or_zip(tmp_path, problems_csv, kind):
    run_import("--problems", str(problems_csv))
    if kind == "dir":
        source = tmp_path / "statements"
        source.mkdir()
        (source / "p00001.html").write_text("<H1>Hills</H1>")
    elif kind == "zip":
        source = tmp_path / "problem_descriptions.zip"
        with zipfile.ZipFile(source, "w") as zf:
            zf.writestr("problem_descriptions/p00001.html", "<H1>Hills</H1>")
            zf.writestr("__MACOSX/problem_descriptions/._p00001.html", "junk")
    else:
        source = write_jsonl(tmp_path / "statements.jsonl", [{"problem_id": "p00001", "html": "<H1>Hills</H1>"}])
    run_import("--statements", str(source))
    assert Problem.objects.get(id="p00001").statement_html == "<H1>Hills</H1>"
    assert Problem.objects.get(id="p02000").statement_html == ""
    run_import("--translated-statements", str(source))
    assert Problem.objects.get(id="p00001").statement_translated_html == "<H1>Hills</H1>"


def _zip(root: Path, target: Path) -> Path:
    with zipfile.ZipFile(target, "w") as zf:
        for file in sorted(root.rglob("*.txt")):
            zf.write(file, f"merged_test_cases/{file.relative_to(root)}")
    return target


def _tgz(root: Path, target: Path) -> Path:
    with tarfile.open(target, "w:gz") as tf:
        tf.add(root, arcname="public_test_cases")
    return target


def _jsonl(root: Path, target: Path) -> Path:
    rows = []
    for pdir in sorted(root.iterdir()):
        tests = [{"input": (pdir / f"input.{i}.txt").read_text(), "output": (pdir / f"output.{i}.txt").read_text()}
                 for i in range(3)]
        rows.append({"problem_id": pdir.name, "tests": tests})
    return write_jsonl(target, rows)


@pytest.mark.parametrize("container,origin", [
    (lambda root, tmp: root, "public"),
    (lambda root, tmp: _zip(root, tmp / "merged_test_cases.zip"), "merged"),
    (lambda root, tmp: _tgz(root, tmp / "public_test_cases.tar.gz"), "public"),
    (lambda root, tmp: _jsonl(root, tmp / "codenet_sample_tests.jsonl"), "public"),
], ids=["dir", "zip", "tar.gz", "jsonl"])
def test_testcases_from_every_container(tmp_path, problems_csv, test_dir, container, origin):
    run_import("--problems", str(problems_csv))
    run_import("--testcases", str(container(test_dir, tmp_path)))
    assert PieTest.objects.count() == 6
    case = PieTest.objects.get(problem_id="p00001", index=2)
    assert case.origin == origin
    assert case.read_input() == b"2 3\n" and case.read_output() == b"5\n"
    assert case.input_size_bytes == 4 and case.input_preview == "2 3\n"
    assert Path(case.input_path()).is_relative_to(settings.BLOB_ROOT)
    assert Problem.objects.get(id="p00001").test_count == 3


def test_iclr_pairs_fields_counters_and_split(tmp_path, problems_csv):
    rows = [iclr_row(1, speedup=2.0), iclr_row(3, speedup=4.0), iclr_row(5, "p02000", speedup=1.5)]
    pairs = write_jsonl(tmp_path / "train.jsonl", rows)
    run_import("--problems", str(problems_csv), "--pairs", str(pairs))
    pair = Pair.objects.get(key="s000000001->s000000002")
    assert pair.split.name == "train"
    assert (pair.src_runtime_s, pair.tgt_runtime_s, pair.runtime_backend) == (pytest.approx(0.4), 0.2, "gem5")
    assert (pair.speedup, pair.target_pct_bin, pair.tests, pair.n_tests) == (2.0, 7, [0, 1], 2)
    assert pair.extra == {"fastest_agg_runtime": 0.1}
    assert pair.src_length == len(pair.src_code)
    hills = Problem.objects.get(id="p00001")
    assert (hills.pair_count, hills.median_speedup, hills.best_speedup) == (2, 3.0, 4.0)
    split = Split.objects.get(name="train")
    assert split.pair_count == 3
    assert split.provenance["files"][0]["rows"] == 3
    run_import("--pairs", str(pairs), "--split", "hq")
    assert Split.objects.get(name="hq").pair_count == 3 and Pair.objects.count() == 6


def test_legacy_pie_perf_rows(tmp_path, problems_csv):
    row = {"problem_id": "p02000", "input": SLOW, "target": FAST, "submission_id_v0": "s1", "submission_id_v1": "s2",
           "cpu_time_v0": 250, "cpu_time_v1": 50, "memory_v0": 3000, "user_id": "u9", "improvement_frac": 80.0}
    run_import("--problems", str(problems_csv), "--pairs", str(write_jsonl(tmp_path / "py_ref.jsonl", [row])))
    pair = Pair.objects.get()
    assert (pair.src_code, pair.tgt_code, pair.key) == (SLOW, FAST, "s1->s2")
    assert (pair.src_runtime_s, pair.tgt_runtime_s, pair.speedup) == (0.25, 0.05, 5.0)
    assert pair.runtime_backend == "codenet-cpu-time"
    assert pair.extra["memory_v0"] == 3000 and "cpu_time_v0" in pair.extra


def test_gzipped_pairs(tmp_path, problems_csv):
    import gzip

    path = tmp_path / "test.jsonl.gz"
    with gzip.open(path, "wt") as fh:
        fh.write(json.dumps(iclr_row(1)) + "\n")
    run_import("--problems", str(problems_csv), "--pairs", str(path))
    assert Split.objects.get(name="test").pair_count == 1


# --- subsets, idempotence -----------------------------------------------------------------

def test_any_order_of_subsets_and_reimport_changes_nothing(tmp_path, problems_csv, test_dir):
    pairs = write_jsonl(tmp_path / "val.jsonl", [iclr_row(1), iclr_row(3, "p02000")])
    run_import("--problems", str(problems_csv))
    run_import("--pairs", str(pairs))
    run_import("--testcases", str(test_dir))
    before = counts()
    assert before == (2, 6, 2, 1)
    first = Pair.objects.get(key="s000000001->s000000002")
    out = run_import("--problems", str(problems_csv), "--testcases", str(test_dir), "--pairs", str(pairs))
    assert counts() == before
    assert "imported 0, updated 2, skipped 0" in out
    assert Pair.objects.get(key="s000000001->s000000002").pk == first.pk
    assert Problem.objects.get(id="p00001").test_count == 3
    assert Problem.objects.get(id="p00001").pair_count == 1


def test_nothing_to_import_is_an_error():
    with pytest.raises(CommandError, match="nothing to import"):
        call_command("import_pie")


def test_help_lists_every_option():
    out = io.StringIO()
    with pytest.raises(SystemExit):
        call_command("import_pie", "--help", stdout=out)


# --- error paths ----------------------------------------------------------------------------

def test_row_errors_name_the_column():
    with pytest.raises(RowError, match="speedup: expected a number"):
        pair_record_from_row({**iclr_row(1), "speedup": "fast"})
    with pytest.raises(RowError, match="tests: expected"):
        pair_record_from_row({**iclr_row(1), "tests": {"a": 1}})
    with pytest.raises(RowError, match="src_code: expected a string"):
        pair_record_from_row({**iclr_row(1), "src_code": ["x"]})
    with pytest.raises(RowError, match="n_tests: .* outside"):
        pair_record_from_row({**iclr_row(1), "n_tests": 2**40})
    with pytest.raises(RowError, match="surrogate"):
        pair_record_from_row({**iclr_row(1), "tgt_code": "int main(){}\ud800"})


def test_parse_pairs_reports_truncated_lines(tmp_path):
    good = json.dumps(iclr_row(1))
    path = write_jsonl(tmp_path / "x.jsonl", [good, good[: len(good) // 2], "[1, 2]"])
    items = list(parse_pairs(path))
    assert isinstance(items[0], tuple) and items[0][0] == 1
    assert isinstance(items[1], Issue) and str(items[1]).startswith(f"{path}:2: invalid JSON")
    assert "truncated line?" in items[1].message
    assert str(items[2]) == f"{path}:3: expected a JSON object, got list"


def test_corrupted_copy_reports_file_line_and_keeps_old_rows(tmp_path, problems_csv, test_dir, capsys):
    rows = [iclr_row(1, speedup=2.0), iclr_row(3, speedup=3.0), iclr_row(5, speedup=4.0)]
    pairs = write_jsonl(tmp_path / "train.jsonl", rows)
    run_import("--problems", str(problems_csv), "--testcases", str(test_dir), "--pairs", str(pairs))
    before = counts()

    # The corrupted copy changes every row, so a row that was (wrongly) written would show.
    changed = [{**r, "speedup": 9.0} for r in rows]
    truncated = json.dumps(changed[0])[:80]
    wrong_type = {**changed[1], "speedup": "very"}
    unknown = {**iclr_row(7), "problem_id": "p99999"}
    bad = write_jsonl(tmp_path / "train_bad.jsonl", [truncated, wrong_type, changed[2], unknown])
    (test_dir / "p00001" / "output.1.txt").unlink()
    (test_dir / "p00001" / "input.1.txt").write_text("changed\n")
    capsys.readouterr()
    out = run_import("--testcases", str(test_dir), "--pairs", str(bad), "--split", "train")
    err = capsys.readouterr().err
    assert f"{bad}:1: invalid JSON" in err
    assert f"{bad}:2: speedup: expected a number, got 'very'" in err
    assert f"{bad}:4: unknown problem p99999" in err
    assert f"{test_dir / 'p00001' / 'input.1.txt'}: missing output.1.txt for p00001" in err
    assert "4 errors above" in out
    assert counts() == before
    speedups = dict(Pair.objects.values_list("key", "speedup"))
    assert speedups == {"s000000001->s000000002": 2.0, "s000000003->s000000004": 3.0,
                        "s000000005->s000000006": 9.0}
    assert PieTest.objects.get(problem_id="p00001", index=1).read_input() == b"1 2\n"


def test_strict_aborts_and_writes_nothing(tmp_path, problems_csv, test_dir):
    bad = write_jsonl(tmp_path / "train.jsonl", [iclr_row(1), {**iclr_row(3), "tests": "oops"}])
    with pytest.raises(CommandError, match=rf"(?s){bad}:2: tests: .*nothing was written"):
        run_import("--problems", str(problems_csv), "--testcases", str(test_dir), "--pairs", str(bad), "--strict")
    assert counts() == (0, 0, 0, 0)
    with pytest.raises(ImportAborted):
        pie_import(problems=problems_csv, pairs=[bad], strict=True)
    assert counts() == (0, 0, 0, 0)


def test_bad_problem_list_rows_are_skipped(tmp_path, capsys):
    path = tmp_path / "problem_list.csv"
    path.write_text(PROBLEM_CSV + "p00003,Bad,AIZU,fast,1,,,\nnot-an-id,X,AIZU,1,1,,,\n")
    run_import("--problems", str(path))
    err = capsys.readouterr().err
    assert f"{path}:4: time_limit: expected a number" in err
    assert f"{path}:5: id: expected a problem id" in err
    assert Problem.objects.count() == 2


def test_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        run_import("--pairs", str(tmp_path / "absent.jsonl"))


# --- the shared real data -------------------------------------------------------------------

DATA = Path(settings.BASE_DIR).parent / "shared" / "data-sources"


@pytest.mark.skipif(not DATA.is_dir(), reason="../shared/data-sources is not present")
def test_shared_data_sources_import_cleanly_and_idempotently(capsys):
    args = [
        "--problems", str(DATA / "problem_list.csv"),
        "--statements", str(DATA / "problem_statements_used.jsonl"),
        "--testcases", str(DATA / "test_cases"),
        "--pairs", str(DATA / "supersonic_codenet_aizu_pairs.jsonl"),
        "--pairs", str(DATA / "pie_python_pairs.jsonl"),
    ]
    run_import(*args)
    run_import("--testcases", str(DATA / "codenet_sample_tests_all.jsonl"))
    assert capsys.readouterr().err == ""
    first = counts()
    assert first == (4053, 8778, 1259, 2)
    assert Problem.objects.exclude(statement_html="").count() == 423
    py = Pair.objects.filter(split__name="pie_python_pairs")
    assert py.filter(language="Python").count() == 1000
    assert py.filter(runtime_backend="codenet-cpu-time", src_runtime_s__isnull=False).count() > 900
    assert Pair.objects.filter(split__name="supersonic_codenet_aizu_pairs", runtime_backend="aizu-cpu-time").count() \
        == 259

    out = run_import(*args)
    assert counts() == first
    assert "imported 0" in out and "skipped" in out
    assert capsys.readouterr().err == ""
    assert Split.objects.get(name="pie_python_pairs").pair_count == 1000
