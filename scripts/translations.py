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

from babel.messages.pofile import read_po, write_po

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
    # `update` marks a catalog without a header fuzzy, and `compile` skips fuzzy catalogs;
    # no message is ever fuzzy here (--no-fuzzy-matching), so the flag is cleared.
    for po in LOCALES.glob("*/LC_MESSAGES/messages.po"):
        with po.open("rb") as handle:
            catalog = read_po(handle)
        catalog.fuzzy = False
        with po.open("wb") as handle:
            write_po(handle, catalog, sort_output=True, no_location=True)
    subprocess.run([pybabel, "compile", "-d", str(LOCALES), "--statistics"], check=True)


if __name__ == "__main__":
    main()
