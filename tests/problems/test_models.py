import pytest
from django.db import IntegrityError

from apps.problems.models import Pair, Problem, Split, TestCase


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
    TestCase.objects.create(problem=problem, index=0, **kwargs)
    with pytest.raises(IntegrityError):
        TestCase.objects.create(problem=problem, index=0, **kwargs)
