"""Words left in English on a window shown in another language, for the window's tests.

:func:`english_left` walks the visible widgets of a window or dialog (label and button texts,
placeholders, tooltips, tab names and tooltips, the window title) and returns every Latin
word of three letters or more that is not a service's name, a key's name or a code. What the
services themselves send (a holder's name, a coupon's name, a demo card's label) is data, not
the app's words: pass it as ``data`` or leave its widgets out with ``skip``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QLabel,
    QLineEdit,
    QTabWidget,
    QWidget,
)

#: A word in Latin letters (the app's own words in Russian have none).
LATIN_WORD = re.compile(r"[A-Za-z]{3,}")
#: Markup in a rich-text label.
_TAGS = re.compile(r"<[^<>]*>|&\w+;")
#: A file's path or an address (data, whatever the language): "/tmp/x/settings.toml" (two
#: separators at least: "Light/dark" is words).
_PATHS = re.compile(r"(?:[A-Za-z]:)?(?:[\\/][^\s:;,()«»\\/]+){2,}|https?://\S+")

#: Latin words the app shows in every language: the services' and the app's names, key names
#: and codes. Kept small and explicit: a word added here is one the tests stop checking.
ALLOWED = frozenset({
    # services and the app
    "Luna", "Loyalty", "Cards", "Loona", "Extender", "Counterpoint", "vmob", "Plexure",
    "Mews", "pos", "app",
    # keys
    "Enter", "Esc", "Ctrl", "Shift", "Alt", "Tab",
    # codes and formats
    "PDF", "CSV", "PNG", "HTTP", "mail",
})


def _shown(widget: QWidget, top: QWidget) -> bool:
    return widget is top or (widget.isVisibleTo(top) and widget.isVisible())


def widget_texts(top: QWidget, skip: Iterable[QWidget] = ()) -> list[tuple[str, str]]:
    """``(where, text)`` for every text a person can read on ``top``'s visible widgets."""
    skipped = list(skip)
    found: list[tuple[str, str]] = []
    if top.isWindow() and top.windowTitle():
        found.append(("window title", top.windowTitle()))
    for widget in [top, *top.findChildren(QWidget)]:
        if not _shown(widget, top) or any(s is widget or s.isAncestorOf(widget)
                                          for s in skipped):
            continue
        name = type(widget).__name__ + (f"#{widget.objectName()}" if widget.objectName() else "")
        if isinstance(widget, QLabel):
            found.append((name, _TAGS.sub(" ", widget.text())))
        if isinstance(widget, QAbstractButton):
            found.append((name, widget.text()))
        if isinstance(widget, QLineEdit):
            found.append((f"{name} placeholder", widget.placeholderText()))
        if isinstance(widget, QComboBox):
            found.append((f"{name} item", widget.currentText()))
        if isinstance(widget, QTabWidget):
            for i in range(widget.count()):
                found.append((f"{name} tab", widget.tabText(i)))
                found.append((f"{name} tab tooltip", widget.tabToolTip(i)))
        if widget.toolTip():
            found.append((f"{name} tooltip", _TAGS.sub(" ", widget.toolTip())))
    return [(where, text.replace("&", "")) for where, text in found if text]


def english_left(top: QWidget, *, data: Iterable[str] = (), skip: Iterable[QWidget] = (),
                 allowed: Iterable[str] = ()) -> list[str]:
    """``"where: word in 'text'"`` for each Latin word of 3+ letters on ``top`` that is not
    in :data:`ALLOWED`, in ``allowed``, or in one of the ``data`` strings (the services'
    values shown as they sent them)."""
    ok = set(ALLOWED) | set(allowed)
    for value in data:
        ok.update(LATIN_WORD.findall(value or ""))
    left = []
    for where, text in widget_texts(top, skip):
        for word in LATIN_WORD.findall(_PATHS.sub(" ", text)):
            if word not in ok:
                left.append(f"{where}: {word!r} in {text!r}")
    return left
