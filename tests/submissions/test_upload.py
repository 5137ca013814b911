"""Model-run uploads: PIE's jsonl, configurable columns, `line N: problem` errors, nothing stored on rejection."""
from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from apps.benchmarks.models import Program
from apps.submissions.models import ModelRun, ModelRunRow, Sample
from apps.submissions.services import ModelRunRejected, model_run_upload
from apps.submissions.services.uploads import upload_request_too_large

from .dataset import BROKEN, FAST, SLOW, WRONG, jsonl, make_dataset, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def data():
    return make_dataset()


@pytest.fixture
def owner():
    return make_user("ada")


def _upload(owner, data, content: bytes, **kwargs):
    return model_run_upload(
        owner=owner, file=SimpleUploadedFile("run.jsonl", content), name="run", split=data["test"],
        enqueue=False, **kwargs,
    )


def _nothing_stored() -> None:
    assert ModelRun.objects.count() == 0
    assert ModelRunRow.objects.count() == 0
    assert Sample.objects.count() == 0


def test_upload_joins_rows_to_test_pairs_and_dedupes_programs(data, owner):
    content = jsonl(
        {"src_id": "s1", "generated_answers": [FAST, WRONG, FAST, BROKEN]},
        {"src_id": "s2", "generated_answers": [FAST]},
    )
    run = _upload(owner, data, content)
    assert run.row_count == 2 and run.sample_count == 5 and run.samples_per_row == 4
    assert run.state == ModelRun.State.QUEUED and run.source_filename == "run.jsonl"
    rows = list(run.rows.order_by("id"))
    assert [r.pair_id for r in rows] == [data["pairs"][0].pk, data["pairs"][1].pk]
    samples = list(rows[0].samples.order_by("k"))
    assert [s.k for s in samples] == [0, 1, 2, 3]
    # the three copies of FAST are one Program: measured once
    assert samples[0].program_id == samples[2].program_id == rows[1].samples.get().program_id
    assert Program.objects.filter(source=FAST).count() == 1


def test_single_string_column_and_renamed_columns(data, owner):
    content = jsonl({"id": "s3", "code_opt": FAST})
    run = _upload(owner, data, content, columns={"src_id": "id", "generated_answers": "code_opt"})
    assert run.sample_count == 1 and run.samples_per_row == 1
    assert run.columns["generated_answers"] == "code_opt"
    assert run.rows.get().pair_id == data["pairs"][2].pk


def test_rows_join_by_problem_id_and_src_code(data, owner):
    pair = data["pairs"][1]
    content = jsonl({"problem_id": "p00001", "src_code": pair.src_code, "generated_answers": [FAST, SLOW]})
    run = _upload(owner, data, content)
    assert run.rows.get().pair_id == pair.pk


def test_empty_generation_is_kept_as_a_missing_sample(data, owner):
    run = _upload(owner, data, jsonl({"src_id": "s1", "generated_answers": ["", FAST]}))
    first, second = run.rows.get().samples.order_by("k")
    assert first.program is None and second.program is not None


def test_bad_json_on_line_7_is_reported_and_nothing_stored(data, owner):
    good = [json.dumps({"src_id": f"s{1 + n % 3}", "generated_answers": [FAST]}) for n in range(3)]
    lines = [good[0], "", good[1], "", "", "", '{"src_id": "s3", "generated_answers": [', good[2]]
    with pytest.raises(ModelRunRejected) as info:
        _upload(owner, data, "\n".join(lines).encode())
    assert any(e.startswith("line 7: invalid JSON") for e in info.value.errors), info.value.errors
    _nothing_stored()


def test_every_problem_is_listed_with_its_line(data, owner):
    content = jsonl(
        {"src_id": "s1", "generated_answers": [FAST]},
        {"src_id": "s2"},
        {"src_id": "nope", "generated_answers": [FAST]},
        {"src_id": "s9", "generated_answers": [FAST]},  # a train pair, not in the test split
        {"generated_answers": [FAST]},
        {"src_id": "s1", "generated_answers": [FAST]},
        {"src_id": "s3", "generated_answers": [1, 2]},
        {"problem_id": "p00001", "src_code": "int main(){}", "generated_answers": [FAST]},
        ["not", "an", "object"],
    )
    with pytest.raises(ModelRunRejected) as info:
        _upload(owner, data, content)
    errors = info.value.errors
    assert errors[0] == "line 2: missing column 'generated_answers'"
    assert errors[1].startswith("line 3: unknown src_id 'nope'")
    assert errors[2].startswith("line 4: unknown src_id 's9' in split 'test'")
    assert errors[3].startswith("line 5: missing column 'src_id'")
    assert errors[4] == "line 6: duplicate row for the pair of line 1"
    assert errors[5].startswith("line 7: generated_answers[0] must be a string")
    assert errors[6].startswith("line 8: src_code matches no pair of problem 'p00001'")
    assert errors[7].startswith("line 9: expected a JSON object")
    assert len(errors) == 8
    _nothing_stored()


def test_missing_renamed_column_names_the_configured_name(data, owner):
    with pytest.raises(ModelRunRejected) as info:
        _upload(owner, data, jsonl({"src_id": "s1", "generated_answers": [FAST]}), columns={"generated_answers": "out"})
    assert info.value.errors == ["line 1: missing column 'out'"]


def test_200_mb_file_is_rejected_before_reading(data, owner, tmp_path):
    big = tmp_path / "big.jsonl"
    with big.open("wb") as fh:  # sparse: 200 MB on paper, nothing on disk
        fh.truncate(200 * 1024 * 1024)
    with big.open("rb") as fh:
        with pytest.raises(ModelRunRejected) as info:
            model_run_upload(owner=owner, file=fh, name="big", split=data["test"], enqueue=False)
        assert fh.tell() == 0  # not one byte read
    assert "larger than the upload limit" in info.value.errors[0]
    _nothing_stored()


def test_stream_over_the_limit_is_cut_off(data, owner, settings):
    """A file whose size is unknown up front is still stopped once it passes the limit."""
    settings.MAX_UPLOAD_BYTES = 1000

    class Stream:
        def __init__(self) -> None:
            self.sent = 0

        def read(self, n: int) -> bytes:
            self.sent += 400
            return jsonl({"src_id": "s1", "generated_answers": ["x" * 300]}) if self.sent < 10_000 else b""

    stream = Stream()
    with pytest.raises(ModelRunRejected) as info:
        model_run_upload(owner=owner, file=stream, name="stream", split=data["test"], enqueue=False)
    assert "upload limit of 1000 bytes" in info.value.errors[0]
    assert stream.sent < 2000
    _nothing_stored()


def test_empty_file_and_nul_characters_are_rejected(data, owner):
    with pytest.raises(ModelRunRejected, match="empty"):
        _upload(owner, data, b"")
    with pytest.raises(ModelRunRejected, match="NUL"):
        _upload(owner, data, jsonl({"src_id": "s1", "generated_answers": ["int main(){}\u0000"]}))
    _nothing_stored()


def test_request_size_check_reads_only_the_header(settings):
    settings.MAX_UPLOAD_BYTES = 100 * 1024 * 1024
    assert upload_request_too_large(str(200 * 1024 * 1024)).startswith("file is larger than the upload limit")
    assert upload_request_too_large("1000") is None
    assert upload_request_too_large(None) is None
    assert upload_request_too_large("garbage") is None
