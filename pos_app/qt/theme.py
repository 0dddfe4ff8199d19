"""Light and dark looks: the palettes, the signal colours and the style sheet built from them.

The window follows the system's colour scheme by default; the cashier may force light or dark
(Ctrl+T). Widgets take their colours from the palette or from :func:`colors`, never hard-code
them, so that both looks stay readable.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QGuiApplication, QPalette
from PySide6.QtWidgets import QApplication, QStyleFactory, QWidget

from pos_app.core.i18n import N_

#: The Qt style every look is drawn in.
STYLE = "Fusion"  # i18n-skip: a Qt style's name
#: Base font size in points: readable at arm's length on a counter.
BASE_POINT_SIZE = 11


class Mode(StrEnum):
    SYSTEM = "system"
    LIGHT = "light"
    DARK = "dark"


#: What the status line says when the look is switched to a mode.
MODE_SAID: dict[Mode, str] = {
    Mode.SYSTEM: N_("Look: system."),
    Mode.DARK: N_("Look: dark."),
    Mode.LIGHT: N_("Look: light."),
}


@dataclass(frozen=True)
class Colors:
    """Signal colours of one look: ``*_bg`` fills a banner, ``*_fg`` writes on it."""

    dark: bool
    ok_bg: str
    ok_fg: str
    error_bg: str
    error_fg: str
    warn_bg: str
    warn_fg: str
    info_bg: str
    info_fg: str
    muted: str
    accent: str
    accent_fg: str
    panel: str
    border: str


LIGHT = Colors(dark=False, ok_bg="#dff3e4", ok_fg="#0f5223", error_bg="#fbe1e1",
               error_fg="#8a1111", warn_bg="#fff1c9", warn_fg="#6b4800", info_bg="#e2ecfb",
               info_fg="#173f7a", muted="#5c6370", accent="#1f6feb", accent_fg="#ffffff",
               panel="#ffffff", border="#c9ced6")
DARK = Colors(dark=True, ok_bg="#16361f", ok_fg="#a6e9b6", error_bg="#4a1717",
              error_fg="#ffb4b4", warn_bg="#463608", warn_fg="#ffdc85", info_bg="#172c4a",
              info_fg="#a9c8f5", muted="#a3abb8", accent="#3d8bfd", accent_fg="#ffffff",
              panel="#262a31", border="#474e59")

_current: Colors = LIGHT
_mode: Mode = Mode.SYSTEM
_system_palette: QPalette | None = None


def colors() -> Colors:
    """The signal colours of the look in use."""
    return _current


def mode() -> Mode:
    return _mode


def system_is_dark() -> bool:
    hints = QGuiApplication.styleHints()
    if hints.colorScheme() == Qt.ColorScheme.Dark:
        return True
    if hints.colorScheme() == Qt.ColorScheme.Light:
        return False
    palette = _system_palette or QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def dark_palette() -> QPalette:
    p = QPalette()
    roles = {
        QPalette.ColorRole.Window: "#1e2127", QPalette.ColorRole.WindowText: "#e6e9ee",
        QPalette.ColorRole.Base: "#16181d", QPalette.ColorRole.AlternateBase: "#23272e",
        QPalette.ColorRole.ToolTipBase: "#2b3038", QPalette.ColorRole.ToolTipText: "#e6e9ee",
        QPalette.ColorRole.PlaceholderText: "#8b93a1", QPalette.ColorRole.Text: "#e6e9ee",
        QPalette.ColorRole.Button: "#2b3038", QPalette.ColorRole.ButtonText: "#e6e9ee",
        QPalette.ColorRole.BrightText: "#ffffff", QPalette.ColorRole.Light: "#3a404a",
        QPalette.ColorRole.Midlight: "#323740", QPalette.ColorRole.Mid: "#262a31",
        QPalette.ColorRole.Dark: "#121418", QPalette.ColorRole.Shadow: "#000000",
        QPalette.ColorRole.Highlight: "#3d8bfd", QPalette.ColorRole.HighlightedText: "#ffffff",
        QPalette.ColorRole.Link: "#6ea8fe", QPalette.ColorRole.LinkVisited: "#b197fc",
    }
    for role, value in roles.items():
        p.setColor(role, QColor(value))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText,
                 QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#6b7280"))
    return p


def light_palette() -> QPalette:
    style = QStyleFactory.create(STYLE)
    palette = style.standardPalette()
    palette.setColor(QPalette.ColorRole.Highlight, QColor(LIGHT.accent))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffffff"))
    return palette


def apply_theme(app: QApplication, new_mode: Mode | str = Mode.SYSTEM) -> Colors:
    """Set the style, palette, base font and style sheet for ``new_mode``."""
    global _current, _mode, _system_palette
    if _system_palette is None:
        _system_palette = QPalette(app.palette())
    _mode = Mode(new_mode)
    if app.style().name().lower() != STYLE.lower():
        app.setStyle(STYLE)
    font = QFont(app.font())
    if font.pointSizeF() < BASE_POINT_SIZE:
        font.setPointSizeF(BASE_POINT_SIZE)
        app.setFont(font)
    dark = system_is_dark() if _mode is Mode.SYSTEM else _mode is Mode.DARK
    _current = DARK if dark else LIGHT
    if _mode is Mode.SYSTEM and not dark and _system_palette is not None:
        palette = QPalette(_system_palette)
        if palette.color(QPalette.ColorRole.Window).lightness() < 128:
            palette = light_palette()
    else:
        palette = dark_palette() if dark else light_palette()
    app.setPalette(palette)
    app.setStyleSheet(style_sheet(_current))
    return _current


def next_mode(current: Mode) -> Mode:
    """The mode the theme toggle switches to: system -> dark -> light -> system."""
    order = [Mode.SYSTEM, Mode.DARK, Mode.LIGHT]
    return order[(order.index(current) + 1) % len(order)]


def style_sheet(c: Colors) -> str:
    """The application style sheet: sizes for touch, and the signal colours by ``tone``."""
    tones = ""
    for tone in ("ok", "error", "warn", "info"):
        bg, fg = getattr(c, f"{tone}_bg"), getattr(c, f"{tone}_fg")
        tones += f"""/* i18n-skip: a style sheet */
*[tone="{tone}"] {{ background: {bg}; color: {fg}; border: 2px solid {fg};
                    border-radius: 8px; }}
*[tone="{tone}"] QLabel {{ color: {fg}; background: transparent; border: none; }}
QLabel[badge="{tone}"] {{ background: {bg}; color: {fg}; border: 1px solid {fg};
                         border-radius: 6px; padding: 2px 10px; font-weight: bold; }}
"""
    return f"""/* i18n-skip: a style sheet */
QLineEdit {{ padding: 6px 8px; }}
QLineEdit#codeField {{ font-size: 18pt; padding: 8px 10px; border: 2px solid {c.accent};
                      border-radius: 6px; }}
QPushButton {{ padding: 8px 14px; min-height: 28px; }}
QPushButton[role="op"] {{ font-size: 13pt; font-weight: bold; min-height: 64px;
                         text-align: center; padding: 6px 10px; }}
QPushButton[role="primary"] {{ background: {c.accent}; color: {c.accent_fg};
                              font-size: 13pt; font-weight: bold; border: 1px solid {c.accent};
                              border-radius: 6px; min-height: 40px; padding: 6px 16px; }}
QPushButton[role="secondary"] {{ font-size: 13pt; min-height: 40px; padding: 6px 16px; }}
QPushButton[role="primary"]:disabled {{ background: {c.border}; color: {c.muted}; }}
QPushButton[role="key"] {{ font-size: 16pt; min-height: 40px; min-width: 44px;
                          padding: 2px; }}
QPushButton[role="key"][primary="true"] {{ background: {c.accent}; color: {c.accent_fg};
                                          font-size: 13pt; font-weight: bold;
                                          border: 1px solid {c.accent}; border-radius: 6px; }}
QPushButton[role="big"] {{ font-size: 14pt; font-weight: bold; min-height: 52px; }}
QFrame#cardPanel, QFrame#actionFrame {{ background: {c.panel}; border: 1px solid {c.border};
                                        border-radius: 8px; }}
QLabel[muted="true"] {{ color: {c.muted}; }}
QLabel#bigValue {{ font-size: 28pt; font-weight: bold; }}
QLabel#toPay {{ font-size: 26pt; font-weight: bold; }}
QLabel#title {{ font-size: 14pt; font-weight: bold; }}
QLabel#hero {{ font-size: 16pt; }}
{tones}
"""


def set_tone(widget: QWidget, tone: str | None) -> None:
    """Set a widget's ``tone`` (ok, error, warn, info) and re-apply the style sheet to it."""
    _restyle(widget, "tone", tone)


def set_badge(widget: QWidget, tone: str | None) -> None:
    """Set a label's ``badge`` tone (a coloured pill) and re-apply the style sheet."""
    _restyle(widget, "badge", tone)


def _restyle(widget: QWidget, name: str, value: str | None) -> None:
    if widget.property(name) == (value or ""):
        return
    widget.setProperty(name, value or "")
    # A new (comment-only) style sheet makes Qt apply the rules again in full, padding and
    # borders included, to the widget and its children; unpolish()/polish() only redo colours.
    widget.setStyleSheet(f"/* {name}: {value or 'none'} */")
