"""The reasons of a match, written the first time they are read.

Answering a question never reads them (only ``/kb why``, the eval's failure list and JSON output
do), and writing the words reason of every shown match was a fifth of a search's time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import overload


class Reasons(Sequence[str]):
    """A read-only sequence of reason strings, made by ``make`` on first use, then kept."""

    __slots__ = ("_items", "_make")

    def __init__(self, make: Callable[[], Sequence[str]]) -> None:
        self._make: Callable[[], Sequence[str]] | None = make
        self._items: tuple[str, ...] = ()

    def _all(self) -> tuple[str, ...]:
        if self._make is not None:
            # Dropping the maker frees what it holds (the question's word scores) once written.
            self._items, self._make = tuple(self._make()), None
        return self._items

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._all())

    def __iter__(self) -> Iterator[str]:
        return iter(self._all())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Sequence) and not isinstance(other, str):
            return self._all() == tuple(other)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._all())

    def __repr__(self) -> str:
        return f"Reasons({self._all()!r})"
