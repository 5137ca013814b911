#!/usr/bin/env python3
"""Upload a jsonl of model generations to pieweb, wait until it is scored, print PIE's metrics.

Standard library only (urllib), so it runs anywhere Python 3.9+ does::

    python docs/api_client.py --url http://127.0.0.1:8000 --token pw_... \\
        --file generations.jsonl --split test --name "my model, 4 samples"

Create the token on /accounts/tokens/. Each line of the file is a JSON object with ``src_id``
(or ``problem_id`` + ``src_code``) and ``generated_answers`` (a list of C++ programs).
"""
from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any


def api(base: str, token: str, path: str, *, body: bytes | None = None, content_type: str = "") -> Any:
    """One request to the pieweb API; returns the decoded JSON (raises SystemExit on an HTTP error)."""
    request = urllib.request.Request(base.rstrip("/") + path, data=body, method="POST" if body else "GET")
    request.add_header("Authorization", f"Token {token}")
    request.add_header("Accept", "application/json")
    if content_type:
        request.add_header("Content-Type", content_type)
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.load(response)
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode("utf-8", "replace")
        try:  # a rejected upload lists every "line N: problem"
            errors = json.loads(detail).get("errors") or [detail]
        except (ValueError, AttributeError):
            errors = [detail]
        raise SystemExit(f"HTTP {exc.code} on {path}:\n  " + "\n  ".join(map(str, errors))) from exc


def multipart(fields: dict[str, str], file_field: str, path: Path) -> tuple[bytes, str]:
    """Encode ``fields`` and one file as multipart/form-data; returns (body, content type)."""
    boundary = uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode())
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{path.name}"\r\n'
        "Content-Type: application/jsonl\r\n\r\n".encode()
    )
    parts.append(path.read_bytes())
    parts.append(f"\r\n--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000", help="pieweb base URL")
    parser.add_argument("--token", required=True, help="API token (Authorization: Token <key>)")
    parser.add_argument("--file", required=True, type=Path, help="jsonl of generations")
    parser.add_argument("--name", default="", help="run name (default: the file name)")
    parser.add_argument("--split", default="test")
    parser.add_argument("--backend", default="", help="cachegrind (default), wallclock or gem5")
    parser.add_argument("--visibility", default="private", choices=["private", "public"])
    parser.add_argument("--poll", type=float, default=2.0, help="seconds between progress checks")
    args = parser.parse_args(argv)

    fields = {"name": args.name or args.file.name, "split": args.split, "visibility": args.visibility}
    if args.backend:
        fields["backend"] = args.backend
    body, content_type = multipart(fields, "file", args.file)
    run = api(args.url, args.token, "/api/model-runs/", body=body, content_type=content_type)
    print(f"run {run['id']}: {run['row_count']} rows, {run['sample_count']} samples, backend {run['backend']}")

    while True:
        progress = api(args.url, args.token, f"/api/model-runs/{run['id']}/progress/")
        print(f"  {progress['state']}: {progress['progress_done']}/{progress['progress_total']} jobs", flush=True)
        if progress["finished"]:
            break
        time.sleep(args.poll)
    if progress["state"] != "done":
        print(f"scoring failed: {progress['error']}", file=sys.stderr)
        return 1

    score = api(args.url, args.token, f"/api/model-runs/{run['id']}/score/")
    metrics = score["metrics"]
    print(f"{score['n_rows']} rows of split {args.split!r}, up to {score['k_max']} samples per row")
    print(f"{'':8}{'%Opt':>8}{'Speedup':>9}{'%Correct':>10}")
    for k in metrics["reported_k"]:
        at = metrics["best_at"][str(k)]
        print(f"best@{k:<3}{at['pct_opt']:>8.2f}{at['mean_speedup']:>9.3f}{at['pct_correct']:>10.2f}")
    human = metrics["human"]
    print(f"human reference (tgt): mean speedup {human['mean_speedup']:.3f} over {human['n_rows']} rows")
    return 0


if __name__ == "__main__":
    sys.exit(main())
