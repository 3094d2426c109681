"""Time and memory of the embedded travel matrix (no network, no cache).

Run: .venv/bin/python bench/matrix.py
Prints, per size, the median of 5 runs, the result's memory (two int32 arrays)
and the peak memory allocated during one run (numpy temporaries included).
"""

import statistics
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from routing.core.matrix import MOTORBIKE, travel_matrix  # noqa: E402

SIZES = (500, 1_000, 2_000)
RUNS = 5


def random_points(n: int, seed: int = 0) -> np.ndarray:
    """Return n (lat, lon) points spread over the service area."""
    rng = np.random.default_rng(seed)
    return np.column_stack([rng.uniform(-1.6, -0.3, n), rng.uniform(100.6, 101.9, n)])


def time_once(points: np.ndarray) -> float:
    start = time.perf_counter()
    travel_matrix(points, profile=MOTORBIKE, cache=None)
    return time.perf_counter() - start


def peak_bytes(points: np.ndarray) -> tuple[int, int]:
    tracemalloc.start()
    matrix = travel_matrix(points, profile=MOTORBIKE, cache=None)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return matrix.nbytes, peak


def main() -> None:
    print(f"numpy {np.__version__}, python {sys.version.split()[0]}")
    print(
        f"{'points':>7} {'median s':>9} {'min s':>7} {'result MiB':>11} {'peak MiB':>9}"
    )
    for n in SIZES:
        points = random_points(n)
        time_once(points)  # warm-up: imports, page faults
        times = [time_once(points) for _ in range(RUNS)]
        result, peak = peak_bytes(points)
        print(
            f"{n:>7} {statistics.median(times):>9.3f} {min(times):>7.3f}"
            f" {result / 2**20:>11.1f} {peak / 2**20:>9.1f}"
        )


if __name__ == "__main__":
    main()
