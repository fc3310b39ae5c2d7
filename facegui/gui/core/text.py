"""Words the window builds from numbers: real singular and plural forms, never "photo(s)"."""
from __future__ import annotations


def count(n: int, singular: str, plural: str | None = None) -> str:
    """``count(1, "photo")`` → "1 photo"; ``count(2, "photo")`` → "2 photos"; irregular: pass ``plural``."""
    return f"{n} {singular if n == 1 else (plural or singular + 's')}"
