"""Qt's own words that its translations lack: Qt 6's file dialog asks for "&Look in:" and
"Files of &type:", which ``qtbase_ru`` still has only in their Qt 5 form, so a Russian save
dialog showed them in English. They come from the app's catalogue instead."""

from __future__ import annotations

from PySide6.QtCore import QTranslator

from pos_app.core.i18n import NP_, _

#: (Qt's context, Qt's source text) -> the same words, marked for the app's catalogue.
WORDS = {
    ("QFileDialog", "&Look in:"): NP_("Qt file dialog", "&Look in:"),
    ("QFileDialog", "Files of &type:"): NP_("Qt file dialog", "Files of &type:"),
    ("QAbstractFileIconProvider", "Drive"): NP_("Qt file dialog", "Drive"),
    ("QAbstractFileIconProvider", "Folder"): NP_("Qt file dialog", "Folder"),
}


class QtGaps(QTranslator):
    """Answers only for :data:`WORDS`; Qt asks the translators installed before it for the
    rest (``None``, a null string, means "not mine": an empty one would be taken)."""

    def translate(self, context: str, source: str, disambiguation: str | None = None,
                  n: int = -1) -> str | None:
        words = WORDS.get((context, source))
        return _(words) if words is not None else None

    def isEmpty(self) -> bool:
        return False
