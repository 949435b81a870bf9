"""CPU time of one `canonize(document, reuse_shape="signing")` over credentials of one shape.

    .venv/bin/python bench/canonize.py [--documents 300] [--rounds 7]

Builds `--documents` distinct credentials as bench/issue.py does (one shape, strings differ:
ids, names, identity hashes, status indexes), canonicalizes them once to warm the contexts
and the shape's template, then times `--rounds` rounds over all of them, in this process's
CPU time (`time.process_time`): the whole `canonize`; the part that finds the document's
template (`rdf_template.fill`: its strings, its shape's template, the check that no quads
merge); and the RDFC-1.0 step alone, both ways, on the same filled documents: the template's
prepared canonicalization (`Filled.canonical`) and rdfc's over the document's dataset
(`canonicalize_dataset`, building the dataset not counted), which is what shape reuse ran
before rdfc_template. Prints the best and median round, in microseconds per credential. The
machine's cores are shared: compare figures of one run, or of runs made back to back, and
prefer the best round. Asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.crypto import jsonld, rdf_template, rdfc  # noqa: E402
from app.crypto.keys import generate_private_key  # noqa: E402
from app.crypto.multikey import did_key_for  # noqa: E402
from bench.issue import _credential  # noqa: E402


def _per_item(items: Sequence[Any], work: Callable[[Any], Any], rounds: int) -> list[float]:
    """CPU microseconds per item, one figure per round."""
    figures = []
    for _round in range(rounds):
        started = time.process_time()
        for item in items:
            work(item)
        figures.append(1e6 * (time.process_time() - started) / len(items))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--documents", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args()
    did = did_key_for(generate_private_key("Ed25519").public_key())
    documents = [_credential(i, did) for i in range(args.documents)]

    def canonize(document: Any) -> str:
        return jsonld.canonize(document, reuse_shape="signing")

    def fill(document: Any) -> rdf_template.Filled | None:
        return rdf_template.fill(document, jsonld._to_rdf, jsonld._context_terms())

    for document in documents:
        assert canonize(document) == jsonld.canonize(document)
    filled = [fill(document) for document in documents]
    assert all(item is not None for item in filled)
    datasets = [item.dataset() for item in filled if item is not None]
    limits = rdfc.DEFAULT_LIMITS
    figures = {
        "canonize(reuse_shape='signing')": _per_item(documents, canonize, args.rounds),
        "  of which rdf_template.fill": _per_item(documents, fill, args.rounds),
        "RDFC-1.0: Filled.canonical": _per_item(
            filled, lambda item: item.canonical(limits), args.rounds
        ),
        "RDFC-1.0: rdfc over the dataset": _per_item(
            datasets, lambda dataset: rdfc.canonicalize_dataset(dataset, limits), args.rounds
        ),
    }
    print(f"{args.documents} credentials of one shape, {args.rounds} rounds, CPU µs each:")
    for name, values in figures.items():
        print(f"  {name:33} best {min(values):7.1f}  median {statistics.median(values):7.1f}")


if __name__ == "__main__":
    main()
