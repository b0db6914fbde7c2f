"""Time the template's own matrix: bake, lint and test each combination.

    .venv/bin/python benchmarks/matrix.py [--combos all]

For each combination, one after the other (so that the timings do not compete
for the cores): bake it, run `ruff check` and `ruff format --check`, `mypy`
with an empty cache (as a fresh checkout would), and the bake's own test suite
(PostgreSQL bakes start their own throwaway server, as a user's would). Writes
matrix-latest.md and .json to benchmarks/results/ and prints the table.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from run import COMBINATIONS, HERE, ROOT, clean_env, log, machine

STEPS = {
    "bake": None,
    "ruff": [
        ["ruff", "check", "--no-cache", "."],
        ["ruff", "format", "--no-cache", "--check", "."],
    ],
    "mypy": [["mypy", "--cache-dir", "{cache}"]],
    "pytest": [[sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]],
}


def timed(
    command: list[str], cwd: Path
) -> tuple[float, subprocess.CompletedProcess[str]]:
    start = time.perf_counter()
    result = subprocess.run(
        command, cwd=cwd, env=clean_env(), capture_output=True, text=True, check=False
    )
    return time.perf_counter() - start, result


def one(combination: str, work: Path) -> dict[str, Any]:
    access, database, mode = combination.split("-")
    row: dict[str, Any] = {"combination": combination, "failed": []}
    seconds, result = timed(
        [
            sys.executable,
            "-m",
            "cookiecutter",
            "--no-input",
            "-o",
            str(work / combination),
            str(ROOT),
            f"database_access={access}",
            f"database={database}",
            f"delete_mode={mode}",
        ],
        work,
    )
    row["bake_s"] = seconds
    if result.returncode != 0:
        row["failed"].append("bake")
        return row
    (bake,) = [p for p in (work / combination).iterdir() if p.is_dir()]
    for step, commands in STEPS.items():
        if commands is None:
            continue
        total = 0.0
        for command in commands:
            argv = [
                a.replace("{cache}", str(work / f"{combination}-mypy")) for a in command
            ]
            seconds, result = timed(argv, bake)
            total += seconds
            if result.returncode != 0:
                row["failed"].append(step)
                output = result.stdout[-2000:] + result.stderr[-2000:]
                log(f"{combination}: {step} failed\n{output}")
            if step == "pytest":
                passed = re.search(r"(\d+) passed", result.stdout)
                row["tests"] = int(passed.group(1)) if passed else 0
        row[f"{step}_s"] = total
    row["total_s"] = sum(v for k, v in row.items() if k.endswith("_s"))
    return row


def markdown(rows: list[dict[str, Any]], meta: dict[str, Any]) -> str:
    m = meta["machine"]
    lines = [
        "# The template's matrix, timed",
        "",
        f"Measured {meta['date']} with `{meta['command']}` on {m['cpu']}, "
        f"{m['cores']} cores; Python {m['python']}. Steps run one after the other.",
        "",
        "| combination | bake s | ruff s | mypy s (cold) | pytest s | tests "
        "| total s |",
        "|---|--:|--:|--:|--:|--:|--:|",
    ]
    for r in rows:
        failed = f" (failed: {', '.join(r['failed'])})" if r["failed"] else ""
        lines.append(
            f"| {r['combination']}{failed} | {r.get('bake_s', 0):.1f} "
            f"| {r.get('ruff_s', 0):.1f} | {r.get('mypy_s', 0):.1f} "
            f"| {r.get('pytest_s', 0):.1f} | {r.get('tests', 0)} | {r['total_s']:.1f} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--combos", default="all")
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args(argv)
    combos = COMBINATIONS if args.combos == "all" else args.combos.split(",")
    unknown = [c for c in combos if c not in COMBINATIONS]
    if unknown:
        parser.error(f"unknown combination {unknown[0]!r}")
    work = Path(tempfile.mkdtemp(prefix="matrix-"))
    rows = []
    try:
        for combination in combos:
            rows.append(one(combination, work))
            r = rows[-1]
            log(f"{combination}: {r['total_s']:.1f} s, {r.get('tests', 0)} tests")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    given = sys.argv[1:] if argv is None else argv
    meta = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "command": " ".join(["python", "benchmarks/matrix.py", *given]),
        "machine": machine(None),
    }
    text = markdown(rows, meta)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "matrix-latest.md").write_text(text)
    (args.out / "matrix-latest.json").write_text(
        json.dumps({"meta": meta, "rows": rows}, indent=2) + "\n"
    )
    log("\n" + text)
    return 1 if any(r["failed"] for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
