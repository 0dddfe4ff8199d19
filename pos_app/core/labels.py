"""Tables of labels made at import time and read in the chosen language.

A :class:`Labels` holds English texts marked with :func:`~pos_app.core.i18n.N_` and gives
each one translated when it is read (``LABELS[key]``, ``.items()``, ``.values()``), so that
the code showing a label never translates it itself; :meth:`Labels.source` gives the English.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TypeVar

from pos_app.core.i18n import _

K = TypeVar("K")


class Labels(Mapping[K, str]):
    """A read-only ``key -> label`` table whose labels come out in the chosen language."""

    def __init__(self, texts: Mapping[K, str]) -> None:
        self._texts = dict(texts)

    def __getitem__(self, key: K) -> str:
        text = self._texts[key]
        return _(text) if text else text  # (gettext's "" is the catalogue's header)

    def __iter__(self) -> Iterator[K]:
        return iter(self._texts)

    def __len__(self) -> int:
        return len(self._texts)

    def source(self, key: K) -> str:
        """The label of ``key`` in English, as the code has it."""
        return self._texts[key]
