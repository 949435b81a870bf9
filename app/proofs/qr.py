"""Pure: a QR code as a matrix of dark modules, drawn by each renderer in its own vectors."""

from __future__ import annotations

# qrcode ships no type information; pyproject.toml's mypy overrides list it as untyped.
import qrcode
from qrcode.constants import ERROR_CORRECT_M


def qr_matrix(data: str) -> list[list[bool]]:
    """Rows of modules (True = dark) with the standard four-module quiet zone."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=4)
    code.add_data(data)
    code.make(fit=True)
    return [[bool(cell) for cell in row] for row in code.get_matrix()]


def dark_runs(matrix: list[list[bool]]) -> list[tuple[int, int, int]]:
    """(row, first column, length) of each horizontal run of dark modules: far fewer
    rectangles to draw than one per module."""
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                start = x
                while x < len(row) and row[x]:
                    x += 1
                runs.append((y, start, x - start))
            else:
                x += 1
    return runs
