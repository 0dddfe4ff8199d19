"""Enrol a customer: name, phone, email and a card template; the new card opens in the window."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pos_app.core import services
from pos_app.core.backends.base import MAX_NAME, CardTemplate, InvalidHolder, check_holder
from pos_app.core.cards import Card, Holder
from pos_app.core.i18n import N_, _
from pos_app.core.present import service_title
from pos_app.qt import theme
from pos_app.qt.controller import Controller

#: What the dialog needs before it can enrol.
NEEDED = N_("A first or last name and a phone or email are needed.")
#: The same for a service that needs both names (its spec's ``both_names``).
NEEDED_BOTH = N_("A first and a last name and a phone or email are needed.")


def template_text(template: CardTemplate) -> str:
    """How a template reads in the picker: ``<service title> · Coffee stamps (Stamp card)``."""
    return _("{service} · {template} ({kind})").format(
        service=services.get(template.service).title, template=template.name,
        kind=template.kind_label)


class EnrolDialog(QDialog):
    """Type the customer's details, pick a template, Enter enrols; Esc cancels.

    The templates are read off the GUI thread when the dialog opens; the enrolment runs on the
    controller's task runner. ``enrolled(card)`` is emitted with the new card and the dialog
    closes (the controller shows the card as if it had been scanned).
    """

    enrolled = Signal(object)  # Card

    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.setWindowTitle(_("Enrol a customer"))
        self.setModal(True)
        self.templates: list[CardTemplate] = []
        self._busy = False
        layout = QVBoxLayout(self)
        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.template = QComboBox()
        self.template.setAccessibleName(_("Card template"))
        self.template.setEnabled(False)
        self.template.addItem(_("Reading the card templates…"))
        self.first = self._edit(_("First name"), MAX_NAME, kind="name")
        self.last = self._edit(_("Last name"), MAX_NAME, kind="name")
        self.phone = self._edit(_("Phone"), 40,
                                _("With the country code, e.g. +7 912 555 01 23"), kind="phone")
        self.email = self._edit(_("Email"), 254, _("Optional when a phone is given"),
                                kind="email")
        form.addRow(_("Card"), self.template)
        form.addRow(_("First name"), self.first)
        form.addRow(_("Last name"), self.last)
        form.addRow(_("Phone"), self.phone)
        form.addRow(_("Email"), self.email)
        layout.addLayout(form)
        status = QHBoxLayout()
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setMaximumWidth(120)
        self.progress.setTextVisible(False)
        self.progress.show()
        self.status = QLabel(_(NEEDED))
        self.status.setWordWrap(True)
        self.status.setProperty("muted", True)
        status.addWidget(self.progress)
        status.addWidget(self.status, 1)
        layout.addLayout(status)
        buttons = QHBoxLayout()
        self.cancel_button = QPushButton(_("Cancel  (Esc)"))
        self.cancel_button.setAutoDefault(False)
        self.cancel_button.clicked.connect(self.reject)
        self.enrol_button = QPushButton(_("Enrol and issue the card  (Enter)"))
        self.enrol_button.setProperty("role", "primary")
        self.enrol_button.setAutoDefault(False)
        self.enrol_button.setEnabled(False)
        self.enrol_button.clicked.connect(self.submit)
        buttons.addWidget(self.cancel_button)
        buttons.addStretch(1)
        buttons.addWidget(self.enrol_button)
        layout.addLayout(buttons)
        self.template.currentIndexChanged.connect(self._template_chosen)
        controller.templates_loaded.connect(self._templates_loaded)
        controller.templates_failed.connect(self._templates_failed)
        controller.enrolled.connect(self._enrolled)
        controller.enrol_failed.connect(self._failed)
        self.setMinimumWidth(560)
        controller.load_templates()

    def _edit(self, name: str, limit: int, placeholder: str = "", *, kind: str) -> QLineEdit:
        """A field; ``kind`` tells the scanner filter what fast typing in it looks like."""
        edit = QLineEdit()
        edit.setObjectName(f"field_{kind}")
        edit.setAccessibleName(name)
        edit.setMaxLength(limit)
        edit.setPlaceholderText(placeholder)
        return edit

    # -- templates ---------------------------------------------------------------------------

    def _templates_loaded(self, templates: list[CardTemplate]) -> None:
        self.progress.hide()
        self.templates = list(templates)
        self.template.clear()
        for template in self.templates:
            self.template.addItem(template_text(template))
        if not self.templates:
            self.template.addItem(_("No card templates"))
            self._say(" ".join(t for t in (_("The services offer no card templates."),
                                           services.templates_notes()) if t), "warn")
            return
        self.template.setEnabled(True)
        self.enrol_button.setEnabled(True)
        self._say(self._needed(), None)

    def _templates_failed(self, text: str) -> None:
        self.progress.hide()
        self.template.clear()
        self.template.addItem(_("No card templates"))
        self._say(text, "error")

    # -- enrolling ---------------------------------------------------------------------------

    def holder(self) -> Holder:
        return Holder(self.first.text(), self.last.text(), self.phone.text(), self.email.text())

    def submit(self) -> None:
        """Check the details here (nothing is sent on bad input), then enrol off the GUI thread."""
        if self._busy:
            return
        index = self.template.currentIndex()
        if not self.templates or not 0 <= index < len(self.templates):
            self._say(_("There is no card template to issue."), "warn")
            return
        template = self.templates[index]
        try:
            holder = check_holder(self.holder(), both_names=self._both_names())
        except InvalidHolder as exc:
            self._say(str(exc), "error")
            self._focus(exc.field)
            return
        if not self.controller.enrol(template, holder):
            return
        self._set_busy(True)
        self._say(_("Enrolling {name} at {service}…").format(
            name=holder.name, service=service_title(template.service)), None)

    def _enrolled(self, card: Card) -> None:
        if not self._busy:
            return
        self._set_busy(False)
        self.enrolled.emit(card)
        self.accept()

    def _failed(self, text: str) -> None:
        self._set_busy(False)
        self._say(text, "error")
        self._focus_first_empty()

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        self.progress.setVisible(busy)
        for widget in (self.template, self.first, self.last, self.phone, self.email,
                       self.enrol_button):
            widget.setEnabled(not busy)

    def _both_names(self) -> bool:
        index = self.template.currentIndex()
        if not 0 <= index < len(self.templates):
            return False
        return services.get(self.templates[index].service).both_names

    def _needed(self) -> str:
        """What the chosen template's service needs before it can enrol."""
        return _(NEEDED_BOTH) if self._both_names() else _(NEEDED)

    def _template_chosen(self, _index: int) -> None:
        if self.templates and not self._busy and self.status.property("badge") != "error":
            self._say(self._needed(), None)

    def _focus(self, field: str) -> None:
        """The cursor in the field a check refused, its text selected."""
        edit = {"first": self.first, "last": self.last, "phone": self.phone,
                "email": self.email}.get(field, self.first)
        edit.setFocus()
        edit.selectAll()

    def _focus_first_empty(self) -> None:
        for edit in (self.first, self.last, self.phone):
            if not edit.text().strip():
                edit.setFocus()
                return
        self.phone.setFocus()

    def _say(self, text: str, tone: str | None) -> None:
        self.status.setText(text)
        theme.set_badge(self.status, tone)

    # -- keys --------------------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Enter enrols (from any field); Esc cancels, except while the service is asked."""
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.submit()
            return
        super().keyPressEvent(event)

    def reject(self) -> None:
        if self._busy:
            self._say(_("The customer is being enrolled; wait for the service's answer."),
                      "warn")
            return
        super().reject()
