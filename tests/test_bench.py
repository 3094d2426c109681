"""The benchmarks run from any checkout: paths relative to it, never one machine's."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_benchmarks_name_no_absolute_path_of_one_machine():
    files = [*ROOT.glob("bench/**/*.py"), *ROOT.glob("bench/**/*.md")]

    found = [
        f"{path.relative_to(ROOT)}: {match}"
        for path in files
        for match in re.findall(r"/(?:work|home|Users)/[\w./-]+", path.read_text())
    ]

    assert files
    assert found == []


def test_the_routing_benchmark_refuses_a_missing_benchmarks_folder(tmp_path):
    command = [sys.executable, "-m", "bench.routing.run", "--instances", "C101"]
    command += ["--benchmarks-dir", str(tmp_path / "nowhere")]

    result = subprocess.run(
        command, cwd=ROOT, capture_output=True, text=True, check=False, timeout=60
    )

    assert result.returncode == 2
    assert f"no benchmarks folder at {tmp_path / 'nowhere'}" in result.stderr
