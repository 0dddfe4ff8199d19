"""Settings: the language and the currency, each service's address and credentials, a
connection test per service, and where the settings file lives. Secrets are never put on
screen: their fields start empty (empty keeps the saved value) and show dots while typed."""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from pos_app.core import formatting
from pos_app.core.i18n import _
from pos_app.core.services import SERVICES, ServiceSpec
from pos_app.core.settings import Settings, mask_secret
from pos_app.core.settings_schema import SANDBOX_KEY, SANDBOX_TABLE
from pos_app.qt import theme
from pos_app.qt.controller import Controller
from pos_app.qt.display_box import SAVED_RESTART, DisplayBox, in_both


class ServiceBox(QGroupBox):
    """One service's fields, its Test connection button and the test's answer."""

    def __init__(self, spec: ServiceSpec, table: dict[str, Any],
                 parent: QWidget | None = None) -> None:
        super().__init__(spec.title, parent)
        self.spec = spec
        self.name = spec.name
        self.saved = dict(table)
        self.edits: dict[str, QLineEdit] = {}
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        for setting in spec.fields:
            if not setting.shown:
                continue
            key = setting.key
            edit = QLineEdit()
            edit.setObjectName(f"{spec.name}_{key}")
            label = _(setting.label)
            edit.setAccessibleName(f"{spec.title} {label}")
            value = str(table.get(key) or "")
            if setting.secret:
                edit.setEchoMode(QLineEdit.EchoMode.Password)
                edit.setPlaceholderText(
                    _("{masked}  (saved; type to replace)").format(masked=mask_secret(value))
                    if value else _("not set"))
            else:
                edit.setText(value)
            form.addRow(label, edit)
            self.edits[key] = edit
        row = QHBoxLayout()
        self.test_button = QPushButton(_("Test connection"))
        self.test_button.setAutoDefault(False)
        self.result = QLabel()
        self.result.setWordWrap(True)
        row.addWidget(self.test_button)
        row.addWidget(self.result, 1)
        form.addRow(row)

    def table(self) -> dict[str, Any]:
        """The service's table as it would be saved (an empty secret keeps the saved one)."""
        table = dict(self.saved)
        for key, edit in self.edits.items():
            text = edit.text().strip()
            if key in self.spec.secret_keys and not text:
                continue
            if text:
                table[key] = text
            else:
                table.pop(key, None)
        return table

    def problem(self) -> str:
        """What is missing for the service to work, or ``""`` (also when it is switched off)."""
        table = self.table()
        if not str(table.get("base_url") or "").strip():
            return ""
        missing = [_(f.label).lower() for f in self.spec.fields
                   if f.required and f.key != "base_url" and not str(table.get(f.key) or "")]
        if missing:
            return _("{service}: set the {fields}, or clear the address.").format(
                service=self.spec.title, fields=", ".join(missing))
        return ""

    def show_result(self, ok: bool, text: str) -> None:
        self.result.setText(_("Works: {answer}").format(answer=text) if ok else text)
        theme.set_badge(self.result, "ok" if ok else "error")
        self.test_button.setEnabled(True)


class SettingsDialog(QDialog):
    """Edit and save the settings; ``saved(settings)`` after a successful save."""

    saved = Signal(object)  # Settings

    def __init__(self, controller: Controller, settings: Settings, *,
                 note: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.settings = settings
        self.setWindowTitle(_("Settings"))
        self.setModal(True)
        layout = QVBoxLayout(self)
        where = QLabel(_("Settings file: {path}").format(path=settings.path))
        where.setWordWrap(True)
        where.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        where.setObjectName("settingsPath")
        layout.addWidget(where)
        intro = note or (_("No service is configured: the app runs on the built-in sandbox "
                           "with demo cards. Fill in a service's address to use it.")
                         if settings.uses_sandbox else
                         _("A service is used when its address is set. Clear the address to "
                           "switch it off; with no address at all the app runs on the "
                           "built-in sandbox with demo cards."))
        self.intro = QLabel(intro)
        self.intro.setWordWrap(True)
        self.intro.setProperty("muted", True)
        layout.addWidget(self.intro)
        self.display = DisplayBox(settings)
        layout.addWidget(self.display)
        # Shown from the start (its answer comes later): the dialog is sized with it, so the
        # service boxes below are never squeezed and their buttons cut.
        self.keyring = QLabel(_("Checking where service secrets are kept…") + "\n")
        self.keyring.setWordWrap(True)
        self.keyring.setProperty("muted", True)
        layout.addWidget(self.keyring)
        self.boxes: dict[str, ServiceBox] = {}
        # One tab per service: any number of them fits 1024x768 (a service in use is marked).
        self.services = QTabWidget()
        self.services.setObjectName("serviceTabs")
        for spec in SERVICES:
            name = spec.name
            table = settings.data.get(name)
            box = ServiceBox(spec, table if isinstance(table, dict) else {})
            box.setTitle("")
            box.test_button.clicked.connect(lambda _checked=False, n=name: self.test(n))
            used = isinstance(table, dict) and bool(str(table.get("base_url") or "").strip())
            self.services.addTab(box, f"{spec.title}{'  ●' if used else ''}")
            self.boxes[name] = box
        layout.addWidget(self.services, 1)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QHBoxLayout()
        cancel = QPushButton(_("Cancel  (Esc)"))
        cancel.setAutoDefault(False)
        cancel.clicked.connect(self.reject)
        self.save_button = QPushButton(_("Save  (Ctrl+S)"))
        self.save_button.setProperty("role", "primary")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        scanners = QPushButton(_("Scanners and camera…"))
        scanners.setAutoDefault(False)
        scanners.setToolTip(_("Choose and test the camera, keyboard-wedge and serial scanners"))
        scanners.clicked.connect(self.open_scanners)
        buttons.addWidget(cancel)
        buttons.addWidget(scanners)
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        layout.addLayout(buttons)
        QShortcut(QKeySequence.StandardKey.Save, self, activated=self.save)
        controller.service_checked.connect(self._checked)
        controller.settings_saved.connect(self._saved)
        controller.settings_failed.connect(self._save_failed)
        controller.keyring_said.connect(self._keyring)
        controller.keyring_status()
        self._pending: Settings | None = None
        self.setMinimumWidth(900)

    def open_scanners(self) -> None:
        """The scanner inputs' own settings page (it saves ``[scanner]`` itself)."""
        from pos_app.qt.scanning.inputs_settings import ScannerSettingsDialog

        handle = getattr(self.parent(), "scanning", None)
        dialog = ScannerSettingsDialog(self.settings, handle, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()

    def test(self, name: str) -> None:
        box = self.boxes[name]
        problem = box.problem()
        if problem:
            box.show_result(False, problem)
            return
        if not str(box.table().get("base_url") or "").strip():
            box.show_result(False, _("Set the address first."))
            return
        box.test_button.setEnabled(False)
        box.result.setText(_("Testing…"))
        theme.set_badge(box.result, None)
        self.controller.check_service(name, box.table())

    def _checked(self, name: str, ok: bool, text: str) -> None:
        if name in self.boxes:
            self.boxes[name].show_result(ok, text)

    def save(self) -> None:
        """Check, then save off the GUI thread; ``saved`` follows (or the error is shown)."""
        if self._pending is not None:
            return
        problems = [p for p in (self.display.problem(),
                                *(box.problem() for box in self.boxes.values())) if p]
        if problems:
            self._error(" ".join(problems))
            return
        data = copy.deepcopy(self.settings.data)
        self.display.apply(data)
        for name, box in self.boxes.items():
            table = box.table()
            if table:
                data[name] = table
            else:
                data.pop(name, None)
        pending = Settings(self.settings.path, data, found=True)
        # No address: the cashier chose the sandbox. An address: the service, not the demo.
        sandbox = {**(data.get(SANDBOX_TABLE) or {}), SANDBOX_KEY: not pending.configured}
        if pending.configured:
            del sandbox[SANDBOX_KEY]
        data[SANDBOX_TABLE] = sandbox
        if not sandbox:
            del data[SANDBOX_TABLE]
        self._pending = pending
        self.save_button.setEnabled(False)
        self.save_button.setText(_("Saving…"))
        self.error.hide()
        self.controller.save_settings(self._pending)

    def _saved(self, settings: Settings) -> None:
        if settings is not self._pending:
            return
        self._pending = None
        self.settings = settings
        formatting.set_currency(settings.currency)
        restart = self.display.language_changed()
        self.saved.emit(settings)
        if restart:
            self._say_restart()
        self.accept()

    def _say_restart(self) -> None:
        """After saving another language: it is used once the app is restarted (said in it)."""
        box = QMessageBox(QMessageBox.Icon.Information, _("Settings"),
                          in_both(self.display.wanted_language(), SAVED_RESTART),
                          QMessageBox.StandardButton.Ok, self.parentWidget() or self)
        box.setObjectName("restartNote")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.restart_box = box

    def _save_failed(self, text: str) -> None:
        self._pending = None
        self.save_button.setEnabled(True)
        self.save_button.setText(_("Save  (Ctrl+S)"))
        self._error(text)

    def _keyring(self, text: str) -> None:
        """Where secrets are kept, and any warning about the file (readable by others)."""
        warnings = list(getattr(self.settings, "warnings", None) or [])
        self.keyring.setText("\n".join(w for w in (text, *warnings) if w))
        self.keyring.setVisible(bool(text or warnings))
        theme.set_badge(self.keyring, "error" if warnings else None)

    def _error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
        theme.set_badge(self.error, "error")
