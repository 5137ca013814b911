import pytest
from django.db import IntegrityError

from apps.problems.models import Pair, Problem, Split
from apps.problems.models import TestCase as PieTest


@pytest.mark.django_db
def test_pair_key_is_unique_within_a_split():
    problem = Problem.objects.create(id="p00001", name="Hills", source=Problem.Source.AIZU)
    split = Split.objects.create(name="train")
    Pair.objects.create(split=split, problem=problem, key="s1->s2", src_code="a", tgt_code="b")
    other = Split.objects.create(name="test")
    Pair.objects.create(split=other, problem=problem, key="s1->s2", src_code="a", tgt_code="b")
    with pytest.raises(IntegrityError):
        Pair.objects.create(split=split, problem=problem, key="s1->s2", src_code="c", tgt_code="d")


@pytest.mark.django_db
def test_testcase_index_is_unique_per_problem():
    problem = Problem.objects.create(id="p00002")
    kwargs = dict(input_sha256="a" * 64, output_sha256="b" * 64, input_size_bytes=1, output_size_bytes=1, sha256="c" * 64)
    PieTest.objects.create(problem=problem, index=0, **kwargs)
    with pytest.raises(IntegrityError):
        PieTest.objects.create(problem=problem, index=0, **kwargs)


@pytest.mark.django_db
def test_problem_counters_follow_pairs_and_tests():
    from apps.problems.services import problem_stats_refresh, split_stats_refresh

    problem = Problem.objects.create(id="p00003", name="Counters")
    split = Split.objects.create(name="val")
    for n, speedup in enumerate([1.0, 2.0, 9.0, None]):
        Pair.objects.create(split=split, problem=problem, key=f"k{n}", src_code="a", tgt_code="b", speedup=speedup)
    assert problem_stats_refresh(problem_ids=["p00003"]) == 1
    split_stats_refresh()
    problem.refresh_from_db()
    assert (problem.pair_count, problem.test_count, problem.median_speedup, problem.best_speedup) == (4, 0, 2.0, 9.0)
    assert Split.objects.get(name="val").pair_count == 4
    Pair.objects.filter(problem=problem).delete()
    problem_stats_refresh()
    problem.refresh_from_db()
    assert (problem.pair_count, problem.median_speedup, problem.best_speedup) == (0, None, None)


@pytest.mark.django_db
def test_testcase_contents_live_in_the_blob_store(settings):
    from apps.problems.blobs import blob_store

    store = blob_store()
    data = b"3\n1 2 3\n" * 1000
    digest = store.put(data)
    assert store.put(data) == digest  # content-addressed: a second put is a no-op
    problem = Problem.objects.create(id="p00004")
    case = PieTest.objects.create(problem=problem, index=0, input_sha256=digest, output_sha256=store.put(b"6\n"),
                                   input_size_bytes=len(data), output_size_bytes=2, sha256="c" * 64)
    assert case.read_input() == data and case.read_output() == b"6\n"
    assert case.input_path().startswith(str(settings.BLOB_ROOT))
    assert str(case) == "p00004 #0" and problem.get_absolute_url().endswith("p00004/")


def test_blob_store_survives_its_folders_being_removed(tmp_path):
    import shutil

    from apps.problems.blobs import BlobStore

    store = BlobStore(tmp_path / "b")
    digest = store.put(b"abc")
    shutil.rmtree(tmp_path / "b")
    assert store.put(b"abc") == digest and store.read(digest) == b"abc"
    assert oct(store.path(digest).stat().st_mode & 0o777) == "0o644"
    assert not [p for p in (tmp_path / "b").rglob(".tmp-*")]
