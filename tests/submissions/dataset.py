"""A tiny dataset for the upload, API and scoring-service tests (helpers, not fixtures).

One problem with two real test cases in the blob store (so real jobs can run), a ``test``
split of three pairs and a ``train`` split of one. Programs read two integers and print
their sum; the slow one loops.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.benchmarks.models import BenchmarkJob
from apps.problems.blobs import blob_store
from apps.problems.models import Pair, Problem, Split, TestCase

SLOW = """#include <cstdio>
int main() {
    long long a, b;
    volatile long long s = 0;  // volatile: -O3 must keep the loop
    if (scanf("%lld %lld", &a, &b) != 2) return 0;
    for (long long i = 0; i < 100000; i++) s = s + (i % 3 == 0);
    printf("%lld\\n", a + b);
}
"""
FAST = """#include <cstdio>
int main() {
    long long a, b;
    if (scanf("%lld %lld", &a, &b) != 2) return 0;
    printf("%lld\\n", a + b);
}
"""
WRONG = """#include <cstdio>
int main() {
    long long a, b;
    if (scanf("%lld %lld", &a, &b) != 2) return 0;
    printf("%lld\\n", a - b);
}
"""
BROKEN = "int main() { this is not C++ }\n"

TESTS = [(b"1 2\n", b"3\n"), (b"40 2\n", b"42\n")]


def _test_case(problem: Problem, index: int, data_in: bytes, data_out: bytes) -> TestCase:
    store = blob_store()
    in_sha, out_sha = store.put(data_in), store.put(data_out)
    return TestCase.objects.create(
        problem=problem, index=index, input_sha256=in_sha, output_sha256=out_sha,
        input_size_bytes=len(data_in), output_size_bytes=len(data_out),
        input_preview=data_in.decode(), output_preview=data_out.decode(),
        sha256=hashlib.sha256((in_sha + out_sha).encode()).hexdigest(),
    )


def make_dataset() -> dict[str, Any]:
    """Create the dataset; returns its objects by name."""
    problem = Problem.objects.create(id="p00001", name="A plus B", test_count=len(TESTS))
    other = Problem.objects.create(id="p00002", name="Another")
    for index, (data_in, data_out) in enumerate(TESTS):
        _test_case(problem, index, data_in, data_out)
    _test_case(other, 0, b"5 5\n", b"10\n")
    test = Split.objects.create(name="test")
    train = Split.objects.create(name="train")
    pairs = [
        Pair.objects.create(split=test, problem=problem, key=f"s{n}->t{n}", src_id=f"s{n}", tgt_id=f"t{n}",
                            src_code=SLOW + f"// variant {n}\n", tgt_code=FAST + f"// variant {n}\n",
                            tests=[0, 1], speedup=2.0)
        for n in range(1, 4)
    ]
    train_pair = Pair.objects.create(split=train, problem=problem, key="s9->t9", src_id="s9", tgt_id="t9",
                                     src_code=SLOW, tgt_code=FAST, tests=[0, 1])
    return {"problem": problem, "other": other, "test": test, "train": train, "pairs": pairs, "train_pair": train_pair}


def make_user(username: str, *, staff: bool = False):  # noqa: ANN201
    return get_user_model().objects.create_user(username=username, password="a-long-passphrase-1", is_staff=staff)


def jsonl(*records: dict[str, Any]) -> bytes:
    return ("\n".join(json.dumps(r) for r in records) + "\n").encode()


def finish_job(job: BenchmarkJob, *, status: str, cost: float | None, accuracy: float | None = None) -> None:
    """Write a verdict on a job as the benchmark service would (aggregate cost in seconds)."""
    correct = status == "OK"
    job.state = BenchmarkJob.State.DONE
    job.status = status
    job.correct = correct
    job.compile_success = status != "CE"
    job.mean_accuracy = accuracy if accuracy is not None else (1.0 if correct else 0.0)
    job.agg_cost_s = cost if correct else None
    job.finished_at = timezone.now()
    job.save()
