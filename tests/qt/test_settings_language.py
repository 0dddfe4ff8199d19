"""The settings dialog's language and currency (issue 15): ``[app] language`` is chosen among
"System" and the languages each named in itself, and applies after a restart (said so); the
``[shop] currency`` is checked before anything is saved."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QMessageBox

from pos_app.core import i18n
from pos_app.core.settings import load_settings
from pos_app.qt.controller import Controller
from pos_app.qt.settings_dialog import SettingsDialog

pytestmark = [pytest.mark.gui, pytest.mark.qt_log_ignore("propagateSizeHints")]


@pytest.fixture
def controller(qapp: Any, qtbot: Any) -> Iterator[Controller]:
    """A controller that opens no service: the dialog only saves through it."""
    made = Controller()
    yield made
    qtbot.waitUntil(lambda: made.runner.pool.activeThreadCount() == 0, timeout=5000)


def _open(controller: Controller, qtbot: Any) -> SettingsDialog:
    dialog = SettingsDialog(controller, load_settings())
    qtbot.addWidget(dialog)
    dialog.show()
    return dialog


def _saved_file(home: Path) -> dict[str, Any]:
    return tomllib.loads((home / "settings.toml").read_text("utf-8"))


def _restart_boxes() -> list[QMessageBox]:
    return [w for w in QApplication.topLevelWidgets()
            if isinstance(w, QMessageBox) and w.objectName() == "restartNote" and w.isVisible()]


def test_the_languages_are_named_in_themselves_after_system(
        controller: Controller, qtbot: Any) -> None:
    combo = _open(controller, qtbot).display.language
    items = [(combo.itemData(i), combo.itemText(i)) for i in range(combo.count())]
    assert [code for code, _text in items] == [i18n.SYSTEM, *i18n.LANGUAGES]
    assert items[0][1].startswith("System") and ("ru", "Русский") in items
    assert combo.currentData() == i18n.SYSTEM


def test_choosing_russian_saves_ru_says_restart_and_is_shown_chosen_again(
        controller: Controller, qtbot: Any, isolated_dirs: Path) -> None:
    dialog = _open(controller, qtbot)
    display = dialog.display
    assert not display.note.isVisible()
    display.language.setCurrentIndex(display.language.findData("ru"))
    # Said at once, in the language chosen and in the one on screen.
    assert display.note.isVisible()
    assert "перезапуска" in display.note.text() and "restarted" in display.note.text()
    with qtbot.waitSignal(dialog.saved, timeout=5000):
        dialog.save_button.click()
    assert _saved_file(isolated_dirs)["app"] == {"language": "ru"}
    qtbot.waitUntil(lambda: bool(_restart_boxes()), timeout=5000)
    (box,) = _restart_boxes()
    assert "Настройки сохранены" in box.text() and "restarted" in box.text()
    box.close()
    assert i18n.language() == "en"  # this run stays in English until the restart
    again = _open(controller, qtbot)
    assert again.display.language.currentData() == "ru"
    assert not again.display.note.isVisible()


def test_saving_the_language_on_screen_says_nothing_about_a_restart(
        controller: Controller, qtbot: Any, isolated_dirs: Path) -> None:
    dialog = _open(controller, qtbot)
    dialog.display.language.setCurrentIndex(dialog.display.language.findData("en"))
    assert not dialog.display.note.isVisible()
    with qtbot.waitSignal(dialog.saved, timeout=5000):
        dialog.save_button.click()
    assert _saved_file(isolated_dirs)["app"] == {"language": "en"}
    assert not _restart_boxes()


def test_a_bad_currency_is_refused_plainly_and_nothing_is_saved(
        controller: Controller, qtbot: Any, isolated_dirs: Path) -> None:
    dialog = _open(controller, qtbot)
    dialog.display.currency.setEditText("XYZ")
    with qtbot.assertNotEmitted(dialog.saved, wait=300):
        dialog.save_button.click()
    assert dialog.error.isVisible()
    assert "“XYZ” is not a currency code" in dialog.error.text()
    assert "RUB" in dialog.error.text()
    assert not (isolated_dirs / "settings.toml").exists()
    assert dialog.isVisible() and dialog.save_button.isEnabled()


@pytest.mark.parametrize(("typed", "saved"), [("eur", "EUR"), ("RUB", "RUB"),
                                               ("None (no sign)", "")])
def test_a_currency_is_saved_as_its_code_or_none(
        controller: Controller, qtbot: Any, isolated_dirs: Path, typed: str, saved: str) -> None:
    dialog = _open(controller, qtbot)
    dialog.display.currency.setEditText(typed)
    with qtbot.waitSignal(dialog.saved, timeout=5000):
        dialog.save_button.click()
    assert _saved_file(isolated_dirs)["shop"] == {"currency": saved}
    again = _open(controller, qtbot)
    assert again.display.chosen_currency() == saved


def test_the_system_currency_again_removes_the_key_and_keeps_the_shop(
        controller: Controller, qtbot: Any, isolated_dirs: Path) -> None:
    (isolated_dirs / "settings.toml").write_text(
        '[sandbox]\nenabled = true\n[shop]\nname = "Coffee"\ncurrency = "EUR"\n')
    dialog = _open(controller, qtbot)
    assert dialog.display.currency.currentText() == "EUR"
    dialog.display.currency.setCurrentIndex(0)  # the system's
    with qtbot.waitSignal(dialog.saved, timeout=5000):
        dialog.save_button.click()
    assert _saved_file(isolated_dirs)["shop"] == {"name": "Coffee"}
