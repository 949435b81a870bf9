"""Re-extract the page messages and compile the catalogs (``make translations``).

messages.pot is extracted from the templates and Python sources (babel.cfg); each locale's
messages.po is updated from it (translations are kept; new messages arrive untranslated and
fail tests/web/test_translations.py until translated); the .mo files are compiled next to
them and shipped in the package, so an installed LearnProof needs no build step.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCALES = ROOT / "app" / "web" / "locales"
BIN = Path(sys.executable).parent


def main() -> None:
    pot = LOCALES / "messages.pot"
    common = ["--no-location", "--sort-output", "--omit-header"]
    pybabel = str(BIN / "pybabel")
    subprocess.run(
        [pybabel, "extract", "-F", "babel.cfg", "-k", "N_", *common, "-o", str(pot), "."],
        cwd=ROOT,
        check=True,
    )
    subprocess.run(
        [pybabel, "update", "-i", str(pot), "-d", str(LOCALES), "--no-fuzzy-matching",
         "--omit-header", "--ignore-obsolete"],
        check=True,
    )  # fmt: skip
    subprocess.run([pybabel, "compile", "-d", str(LOCALES), "--statistics"], check=True)


if __name__ == "__main__":
    main()
