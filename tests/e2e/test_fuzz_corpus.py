"""The decoder fuzz harness (Sources/SwitchyardFuzz, scripts/fuzz.sh) replays its corpus in every test run.

The normal build's SwitchyardFuzz binary runs each input through the same entry point libFuzzer calls, so the
harness cannot rot, every seed must still decode (a seed the decoders reject exercises little), and every input the
fuzzer once crashed on (corpus/<decoder>/regressions/) must no longer crash.
"""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from helpers import BIN, REPO

CORPUS = REPO / "tests" / "fuzz" / "corpus"
FUZZ_BIN = BIN.parent / "SwitchyardFuzz"


def run_harness(*args: str) -> subprocess.CompletedProcess:
    if not FUZZ_BIN.is_file() or not os.access(FUZZ_BIN, os.X_OK):
        pytest.fail(f"fuzz harness not found at {FUZZ_BIN}: build it (swift build --build-tests)", pytrace=False)
    return subprocess.run([str(FUZZ_BIN), *args], capture_output=True, text=True, timeout=120)


def counts(summary: str) -> dict[str, int]:
    return {name: int(n) for name, n in re.findall(r"([a-z0-9-]+) (\d+)(?=,| \()", summary)}


def test_corpus_replays_and_every_seed_decodes():
    files = [p for p in CORPUS.rglob("*") if p.is_file()]
    expected: dict[str, int] = {}
    for path in files:
        decoder = path.relative_to(CORPUS).parts[0]
        expected[decoder] = expected.get(decoder, 0) + 1

    result = run_harness(str(CORPUS))

    assert result.returncode == 0, result.stderr[-2000:]
    summary = result.stdout.splitlines()[0]
    assert counts(summary) == expected, summary
    rejected = [line.removeprefix("rejected: ") for line in result.stdout.splitlines() if line.startswith("rejected: ")]
    assert [r for r in rejected if "/regressions/" not in r] == []


def test_seeded_random_mutation_runs_every_decoder():
    result = run_harness("--random", "150", "--seed", "20260601", str(CORPUS))

    assert result.returncode == 0, result.stderr[-2000:]
    ran = counts(result.stdout)
    assert set(ran) == {p.name for p in CORPUS.iterdir() if p.is_dir()}
    assert set(ran.values()) == {150}


def test_a_file_outside_any_decoder_directory_is_refused(tmp_path: Path):
    stray = tmp_path / "input.bin"
    stray.write_bytes(b"{}")

    result = run_harness(str(stray))

    assert result.returncode == 2
    assert "names a decoder" in result.stderr
