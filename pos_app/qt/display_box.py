"""The settings dialog's language and currency: ``[app] language`` and ``[shop] currency``.

The language is one of "System" and the languages the app speaks, each named in itself
(:data:`pos_app.core.i18n.LANGUAGES`); it applies when the app is restarted, which is said in
the newly chosen language (and in the one on screen). The currency is the system's, none, or
an ISO code (RUB, EUR) checked against CLDR.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QLocale, Qt
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from pos_app.core import formatting, i18n
from pos_app.core.i18n import N_, _
from pos_app.core.settings import Settings
from pos_app.core.settings_schema import APP_TABLE, SHOP_TABLE

#: Said when a new language is chosen (shown in that language too).
RESTART = N_("The new language is used once the app is restarted.")
#: Said after saving a new language.
SAVED_RESTART = N_("Settings saved. The new language is used once the app is restarted.")
#: Codes offered in the currency list (any other ISO code may be typed).
CURRENCIES = ("RUB", "EUR", "USD")


def in_language(code: str, message: str) -> str:
    """``message`` (marked with ``N_``) in language ``code``, whatever language is on screen."""
    if code == i18n.SOURCE_LANGUAGE:
        return message
    catalogue = i18n.load_catalogue(code)
    return catalogue.gettext(message) if catalogue is not None else message


def in_both(code: str, message: str) -> str:
    """``message`` in language ``code`` and, when that differs, in the one on screen."""
    texts = [in_language(code, message)]
    here = _(message)
    if here not in texts:
        texts.append(here)
    return "\n".join(texts)


def system_language() -> str:
    """The language "System" stands for on this computer."""
    languages = i18n.system_languages(QLocale.system().uiLanguages())
    return i18n.resolve(i18n.SYSTEM, languages)[0]


class DisplayBox(QWidget):
    """Language and currency in one row, with a note once another language is chosen."""

    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = settings
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        row = QHBoxLayout()
        self.language = QComboBox()
        self.language.setObjectName("language")
        self.language.setAccessibleName(_("Language"))
        system = i18n.LANGUAGES.get(system_language(), "")
        self.language.addItem(_("System ({language})").format(language=system), i18n.SYSTEM)
        for code, name in i18n.LANGUAGES.items():
            self.language.addItem(name, code)
        self.language.setCurrentIndex(max(self.language.findData(settings.language), 0))
        self.language.currentIndexChanged.connect(self._language_changed)
        self.currency = QComboBox()
        self.currency.setObjectName("currency")
        self.currency.setEditable(True)
        self.currency.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.currency.setAccessibleName(_("Currency"))
        self.currency.setToolTip(_("The sign money is shown with: the system's, none, or a "
                                   "currency code such as RUB or EUR"))
        self.currency.addItem(_("The system's"), formatting.UNSET)
        self.currency.addItem(_("None (no sign)"), "")
        for code in CURRENCIES:
            self.currency.addItem(code, code)
        saved = settings.currency
        if saved is not None and self.currency.findData(saved) < 0:
            self.currency.addItem(saved, saved)
        self.currency.setCurrentIndex(self.currency.findData("" if saved is None else saved))
        row.addWidget(QLabel(_("Language")))
        row.addWidget(self.language)
        row.addSpacing(16)
        row.addWidget(QLabel(_("Currency")))
        row.addWidget(self.currency)
        row.addStretch(1)
        layout.addLayout(row)
        self.note = QLabel()
        self.note.setObjectName("languageNote")
        self.note.setWordWrap(True)
        self.note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.note.hide()
        layout.addWidget(self.note)

    def chosen_language(self) -> str:
        """``system`` or a language code."""
        return str(self.language.currentData())

    def restart_needed(self) -> bool:
        """Whether the chosen language is not the one on screen."""
        choice = self.chosen_language()
        wanted = system_language() if choice == i18n.SYSTEM else choice
        return wanted != i18n.language()

    def wanted_language(self) -> str:
        choice = self.chosen_language()
        return system_language() if choice == i18n.SYSTEM else choice

    def language_changed(self) -> bool:
        """Another language than the saved one, not the one on screen: a restart is needed."""
        return self.chosen_language() != self.settings.language and self.restart_needed()

    def _language_changed(self) -> None:
        changed = self.language_changed()
        self.note.setText(in_both(self.wanted_language(), RESTART) if changed else "")
        self.note.setVisible(changed)

    def chosen_currency(self) -> str | None:
        """:data:`formatting.UNSET`, ``""`` (none) or an ISO code; ``None`` when the typed
        text is not a currency code."""
        text = self.currency.currentText().strip()
        index = self.currency.findText(text, Qt.MatchFlag.MatchFixedString)
        if index >= 0:
            return str(self.currency.itemData(index))
        code = text.upper()
        return code if formatting.valid_currency(code) else None

    def problem(self) -> str:
        """What is wrong with the fields, or ``""``."""
        if self.chosen_currency() is None:
            return _("“{text}” is not a currency code: type one such as RUB or EUR, or choose "
                     "“None (no sign)”.").format(text=self.currency.currentText().strip())
        return ""

    def apply(self, data: dict[str, Any]) -> None:
        """Write the choices into the settings ``data`` (nothing for untouched defaults)."""
        old_app = data.get(APP_TABLE)
        app = dict(old_app) if isinstance(old_app, dict) else {}
        language = self.chosen_language()
        if language != i18n.SYSTEM or "language" in app:
            app["language"] = language
        if app:
            data[APP_TABLE] = app
        old_shop = data.get(SHOP_TABLE)
        shop = dict(old_shop) if isinstance(old_shop, dict) else {}
        currency = self.chosen_currency()
        if currency == formatting.UNSET:
            shop.pop("currency", None)
        else:
            shop["currency"] = currency or ""
        if shop:
            data[SHOP_TABLE] = shop
        else:
            data.pop(SHOP_TABLE, None)
