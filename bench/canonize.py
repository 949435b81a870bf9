"""CPU time of one `canonize(document, reuse_shape="signing")` over credentials of one shape.

    .venv/bin/python bench/canonize.py [--documents 300] [--rounds 7]

Builds `--documents` distinct credentials as bench/issue.py does (one shape, strings differ:
ids, names, identity hashes, status indexes), canonicalizes them once to warm the contexts
and the shape's template, then `--rounds` times over all of them, timing this process's CPU
(`time.process_time`). Prints the best and median round as microseconds per credential, and
the part of it spent finding the document's template (`rdf_template.fill`: its strings, its
shape's template, the check that no quads merge). The machine's cores
are shared: compare runs made back to back, and prefer the best round. Asserts nothing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app.crypto import jsonld, rdf_template  # noqa: E402
from app.crypto.keys import generate_private_key  # noqa: E402
from app.crypto.multikey import did_key_for  # noqa: E402
from bench.issue import _credential  # noqa: E402


def _per_document(
    documents: list[dict[str, Any]], work: Callable[[Any], Any], rounds: int
) -> list[float]:
    """CPU microseconds per document, one figure per round."""
    figures = []
    for _round in range(rounds):
        started = time.process_time()
        for document in documents:
            work(document)
        figures.append(1e6 * (time.process_time() - started) / len(documents))
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

    def lookup(document: Any) -> Any:
        return rdf_template.fill(document, jsonld._to_rdf, jsonld._context_terms())

    for document in documents[:3]:
        assert canonize(document) == jsonld.canonize(document)
    whole = _per_document(documents, canonize, args.rounds)
    part = _per_document(documents, lookup, args.rounds)
    print(f"{args.documents} credentials of one shape, {args.rounds} rounds, CPU µs each:")
    for name, figures in (("canonize(reuse_shape='signing')", whole), ("of which fill", part)):
        best, median = min(figures), statistics.median(figures)
        print(f"  {name:33} best {best:7.1f}  median {median:7.1f}")


if __name__ == "__main__":
    main()
