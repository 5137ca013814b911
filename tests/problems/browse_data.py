"""A small, deterministic dataset for the browse-page tests (built with bulk_create: ~20 ms)."""
from __future__ import annotations

from apps.problems.blobs import blob_store
from apps.problems.models import Pair, Problem, Split, TestCase
from apps.problems.services import problem_stats_refresh, split_stats_refresh

SLOW = "#include <iostream>\n\nusing namespace std;\n\nint main() {\n\n  int n; cin >> n;\n\n  long long s = 0;\n\n  for (int i = 1; i <= n; i++) s += i;\n\n  cout << s << endl;\n\n}\n\n"
FAST = "#include <cstdio>\n\nint main() {\n\n  long long n; scanf(\"%lld\", &n);\n\n  printf(\"%lld\\n\", n * (n + 1) / 2);\n\n}\n\n"


def build(*, problems: int = 3, pairs_per_problem: int = 4, tests: int = 3) -> dict[str, object]:
    """Problems p10000.. (AIZU, then AtCoder alternating), splits train/test, tests with blobs.

    Pair k of problem i has speedup 1 + k + i/10, so orders are predictable.
    """
    train, _ = Split.objects.get_or_create(name="train")
    test, _ = Split.objects.get_or_create(name="test")
    store = blob_store()
    rows, pairs, cases = [], [], []
    for i in range(problems):
        pid = f"p{10000 + i:05d}"
        rows.append(
            Problem(
                id=pid,
                name=f"River crossing {i}" if i % 2 == 0 else f"Prime sieve {i}",
                source=Problem.Source.AIZU if i % 2 == 0 else Problem.Source.ATCODER,
                time_limit_ms=1000 + i,
                memory_limit_kb=131072,
                statement_html=f"<p>Count the boats crossing rivers number {i}.</p>" if i % 2 == 0
                else "<p>Print every prime below N.</p>",
            )
        )
        for t in range(tests):
            data_in, data_out = f"{t + 1}\n".encode() * (200 if t == 0 else 1), f"{t}\n".encode()
            cases.append(
                TestCase(
                    problem_id=pid, index=t, input_sha256=store.put(data_in), output_sha256=store.put(data_out),
                    input_size_bytes=len(data_in), output_size_bytes=len(data_out),
                    input_preview=data_in[:1024].decode(), output_preview=data_out.decode(), sha256=f"{i}-{t}",
                )
            )
        for k in range(pairs_per_problem):
            speed = 1 + k + i / 10
            pairs.append(
                Pair(
                    split=train if k % 2 == 0 else test, problem_id=pid, key=f"s{i}_{k}->t{i}_{k}",
                    src_id=f"s{i}_{k}", tgt_id=f"t{i}_{k}", user_id=f"u{i}",
                    src_code=SLOW + f"// slow {i} {k}\n\n", tgt_code=FAST + f"// fast {i} {k}\n\n",
                    src_length=len(SLOW), tgt_length=len(FAST), src_runtime_s=speed * 0.01, tgt_runtime_s=0.01,
                    runtime_backend="gem5", speedup=speed, target_pct_bin=min(10, k + 1), src_pct_bin=1,
                    tests=[0, 1] if k == 0 else [], n_tests=2 if k == 0 else None,
                )
            )
    Problem.objects.bulk_create(rows)
    TestCase.objects.bulk_create(cases)
    Pair.objects.bulk_create(pairs)
    problem_stats_refresh()
    split_stats_refresh()
    return {"problems": [r.id for r in rows], "train": train, "test": test}
