"""pytest-benchmark entry point for bulk verification (not collected by the default
``tests/`` testpath; run explicitly: ``pytest benchmarks/test_bench_bulk.py``).

Small N; the full comparison (cores, Dask, peers, memory) is ``bench_bulk.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_bulk

N = 200


@pytest.fixture(scope="module")
def corpora() -> tuple[list[bench_bulk.Corpus], Any]:
    return bench_bulk.make_corpora(N)


@pytest.mark.parametrize("alg", list(bench_bulk.ALGS))
def test_baseline(benchmark: Any, corpora: tuple[list[bench_bulk.Corpus], Any], alg: str) -> None:
    corpus = next(c for c in corpora[0] if c.alg == alg)
    benchmark(bench_bulk.baseline(corpus))


@pytest.mark.parametrize("alg", list(bench_bulk.ALGS))
def test_verify_many_one_process(
    benchmark: Any, corpora: tuple[list[bench_bulk.Corpus], Any], alg: str
) -> None:
    corpus = next(c for c in corpora[0] if c.alg == alg)
    benchmark(bench_bulk.ours(corpus, corpora[1], workers=1))


def test_verify_many_all_cores(
    benchmark: Any, corpora: tuple[list[bench_bulk.Corpus], Any]
) -> None:
    corpus = corpora[0][0]
    benchmark.pedantic(bench_bulk.ours(corpus, corpora[1]), rounds=2, iterations=1)
