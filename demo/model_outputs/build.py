#!/usr/bin/env python3
"""Build the demo model-run files ``run_a.jsonl`` and ``run_b.jsonl`` from demo/pairs/test.jsonl.

Each row is one pair of the demo test split in PIE's model-output format (``src_id``,
``problem_id``, ``src_code``, ``generated_answers``) with 4 generations drawn from four kinds:

* ``fast``  the pair's own fast program (tgt_code): correct and faster (the human speedup);
* ``slow``  the pair's slow program (src_code) itself: correct, exactly the src's cost (1.0x);
* ``wrong`` a fast but wrong program (the pair's ``fast_wrong_code``, or WRONG_CODE below);
* ``ce``    the fast program with a line that does not compile.

Which kind sits at which position is fixed in PLAN, so every metric of both runs follows from
the positions alone (see README.md). Deterministic; run ``python demo/model_outputs/build.py``
after the demo pairs change.
"""
from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
TEST_PAIRS = HERE.parent / "pairs" / "test.jsonl"

#: A wrong program per problem that has no ``fast_wrong_code`` in the demo pairs.
WRONG_CODE = {
    # Membership: answers "yes" to every query (wrong whenever a queried value is absent).
    "p90008": (
        "// Membership, wrong: never checks the list.\n#include <cstdio>\nint main() {\n"
        "    int n, q;\n    scanf(\"%d %d\", &n, &q);\n    for (int i = 0; i < n; i++) { int x; scanf(\"%d\", &x); }\n"
        "    while (q--) { int x; scanf(\"%d\", &x); puts(\"yes\"); }\n}\n"
    ),
}

#: Sample kinds per row of the test split (rows in the file's order: p90003, p90008, p90010).
PLAN = {
    "run_a.jsonl": [
        ["fast", "slow", "wrong", "ce"],   # best@1 fast
        ["slow", "fast", "ce", "wrong"],   # best@1 correct but 1.0x, best@2 fast
        ["wrong", "ce", "slow", "fast"],   # best@1/2 incorrect, best@3 1.0x, best@4 fast
    ],
    "run_b.jsonl": [
        ["slow", "ce", "wrong", "slow"],   # never faster than the src: 1.0x at every k
        ["fast", "wrong", "ce", "slow"],   # best@1 fast
        ["ce", "fast", "wrong", "slow"],   # best@1 incorrect, best@2 fast
    ],
}


def generation(kind: str, pair: dict) -> str:
    if kind == "fast":
        return pair["tgt_code"]
    if kind == "slow":
        return pair["src_code"]
    if kind == "wrong":
        return pair.get("fast_wrong_code") or WRONG_CODE[pair["problem_id"]]
    if kind == "ce":
        return pair["tgt_code"] + "\nthis line is not C++;\n"
    raise ValueError(f"unknown sample kind {kind!r}")


def main() -> None:
    pairs = [json.loads(line) for line in TEST_PAIRS.read_text().splitlines() if line.strip()]
    for name, plan in PLAN.items():
        if len(plan) != len(pairs):
            raise SystemExit(f"{name}: PLAN has {len(plan)} rows, {TEST_PAIRS} has {len(pairs)} pairs")
        with open(HERE / name, "w", encoding="utf-8") as out:
            for pair, kinds in zip(pairs, plan, strict=True):
                row = {
                    "src_id": pair["src_id"],
                    "problem_id": pair["problem_id"],
                    "src_code": pair["src_code"],
                    "generated_answers": [generation(kind, pair) for kind in kinds],
                    "sample_kinds": kinds,
                }
                out.write(json.dumps(row) + "\n")
        print(f"wrote {HERE / name}: {len(pairs)} rows x 4 samples")


if __name__ == "__main__":
    main()
