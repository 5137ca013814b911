"""The PIE-compatible ``simulator.make`` API over the real engine."""
from __future__ import annotations

import json
import math

import pytest

from apps.benchmarks import simulator

from .conftest import demo_source

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def test_make_rejects_other_architectures():
    with pytest.raises(ValueError):
        simulator.make(arch="ARM-neoverse")


def test_single_and_multiple_submissions_return_pie_shape(problem):
    env = simulator.make(arch="X86-skylake", optimization_flag="-O3", workers=40, port=4000)
    fast = demo_source("p90001", "fast")
    result = env.submit_single_submission(fast, [0, 1], "p90001", "gem5")
    assert result.compilation is True and result.compile_success is True
    assert result.accs == {0: 1.0, 1: 1.0} and result.mean_acc == 1.0
    assert set(result.tc2time) == {0, 1} and all(0 < t < 1 for t in result.tc2time.values())
    assert result.agg_runtime == pytest.approx(sum(result.tc2time.values()))
    assert result.tc2success == {0: True, 1: True} and result.tc2stats[0]["instructions"] > 0
    assert result.backend["name"] == "cachegrind"
    as_json = json.loads(json.dumps(result.to_dict()))
    assert as_json["compile_success"] is True and as_json["accs"] == {"0": 1.0, "1": 1.0}
    assert as_json["gem5"]["0"]["success"] is True and as_json["gem5"]["1"]["time"] > 0

    wrong = '#include <cstdio>\nint main() { puts("-1"); }\n'
    results = env.submit_multiple_single_submissions(
        [fast, wrong, "int main( {"], [[0, 1], [0, 1], [0]], ["p90001"] * 3, "gem5")
    assert results[0].agg_runtime == result.agg_runtime
    assert results[1].compilation and results[1].accs[0] == 0.0 and math.isinf(results[1].agg_runtime)
    assert math.isinf(results[1].tc2time[1]) and results[1].tc2success[1] is False
    assert results[2].compilation is False and math.isinf(results[2].agg_runtime) and results[2].accs == {0: 0.0}
    env.teardown()


def test_override_flags_are_applied(problem):
    env = simulator.make()
    code = '#include <cstdio>\nint main() { printf("%d\\n", VALUE); }\n'
    result = env.submit_single_submission(code, [0], "p90001", "gem5", override_flags="-DVALUE=2")
    assert result.compilation and result.accs == {0: 1.0}
    with pytest.raises(ValueError):
        env.submit_single_submission(code, [0], "p99999", "gem5")


def test_pair_submission_reports_speedup(problem):
    env = simulator.make()
    pair = env.submit_single_submission_pair(demo_source("p90001", "slow"), demo_source("p90001", "fast"),
                                             [2], "p90001", "gem5")
    assert pair.compilation_v0 and pair.compilation_v1 and pair.accs_v1 == {2: 1.0}
    assert pair.speedup == pytest.approx(pair.agg_runtime_v0 / pair.agg_runtime_v1)
    data = pair.to_dict()
    assert data["compile_success_v0"] is True and data["accs_v1"] == {"2": 1.0}
    [again] = env.submit_multiple_dual_submissions([demo_source("p90001", "slow")], ["int main( {"], [[2]],
                                                   ["p90001"])
    assert again.compilation_v1 is False and again.speedup == 0.0
