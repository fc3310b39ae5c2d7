"""CSV cells a spreadsheet shows as text: the one escaping rule for every CSV facegui writes.

A cell that starts with ``=``, ``+``, ``-`` or ``@`` (or a tab, carriage return or line feed, or any of
these after leading spaces) is run as a formula by Excel, LibreOffice and Google Sheets, so a person
name or a camera source such as ``=HYPERLINK(...)`` could run in an admin's spreadsheet. Such text
gets a leading apostrophe, which spreadsheets hide and treat as "this is text".
"""
from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def spreadsheet_safe(text: str) -> str:
    """``text`` as a cell a spreadsheet cannot run as a formula."""
    return "'" + text if text.lstrip(" ")[:1] in _FORMULA_STARTS else text


def safe_row(cells: Iterable[object]) -> list[object]:
    """Every text cell escaped; numbers stay numbers."""
    return [spreadsheet_safe(cell) if isinstance(cell, str) else cell for cell in cells]


def safe_writer(file: TextIO) -> "SafeWriter":
    """A csv writer whose ``writerow`` escapes every text cell."""
    return SafeWriter(file)


class SafeWriter:
    def __init__(self, file: TextIO) -> None:
        self._writer = csv.writer(file)

    def writerow(self, cells: Iterable[object]) -> None:
        self._writer.writerow(safe_row(cells))
