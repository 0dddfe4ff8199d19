"""The words people read, in their language: one gettext catalogue per language.

Every text a cashier or support person reads goes through :func:`_` (or :func:`ngettext` for
a count, :func:`pgettext` where one English word has two meanings), in the core, the window
and the CLI alike. Texts made at import time are marked with :func:`N_` (:func:`NP_` with a
context) and translated where they are shown. Placeholders are named
(``_("{count} left").format(count=n)``) so that a translation may put them in any order.

The source of a catalogue is ``pos_app/locale/<lang>/LC_MESSAGES/pos_app.po`` (edited by
people, updated from the code by ``python tools/catalogue.py update``). The ``.mo`` gettext
reads is compiled from it on first use and kept beside it (or in the cache folder when the
package folder is read-only), named by the ``.po``'s hash so that an edited ``.po`` is never
shadowed by an old ``.mo``; the installer ships the compiled one.

The language is chosen once at start-up by :func:`setup`: ``[app] language`` in the settings
(``system``, ``en``, ``ru``), else ``$POS_APP_LANGUAGE``, else the system's languages. English
is the source language: it has no catalogue.
"""

from __future__ import annotations

import os
import sys
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import gettext

DOMAIN = "pos_app"
SOURCE_LANGUAGE = "en"
#: The languages the app speaks, each named in itself (as the settings list them).
LANGUAGES: dict[str, str] = {"en": "English", "ru": "Русский"}
#: The settings' value for "follow the system".
SYSTEM = "system"



class _Source:
    """English, the code's own language: gettext's null translations without importing
    gettext (a command that prints JSON never needs it)."""

    def gettext(self, message: str) -> str:
        return message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return singular if n == 1 else plural

    def pgettext(self, context: str, message: str) -> str:
        return message


_lock = threading.Lock()
_translation: _Source | gettext.NullTranslations = _Source()
_language = SOURCE_LANGUAGE
_territory: str | None = None


def locale_dir() -> Path:
    """The folder holding ``<lang>/LC_MESSAGES/pos_app.po`` (in the package or the bundle)."""
    return Path(__file__).resolve().parent.parent / "locale"


def N_(message: str) -> str:
    """Mark ``message`` for the catalogue without translating it (translate where shown)."""
    return message


class Contextual(str):
    """An English text marked with :func:`NP_`: it carries the context its translation is
    told apart by, so that ``_()`` of it finds the right one."""

    context: str

    def __new__(cls, context: str, message: str) -> Contextual:
        text = super().__new__(cls, message)
        text.context = context
        return text


def NP_(context: str, message: str) -> str:
    """Mark ``message`` for the catalogue under ``context`` without translating it: the
    same English with two meanings ("Pending" points, a "Pending" membership)."""
    return Contextual(context, message)


def _(message: str) -> str:
    """``message`` in the chosen language (with its context when marked by :func:`NP_`)."""
    context = getattr(message, "context", None)
    if context is not None:
        return _translation.pgettext(context, str(message))
    return _translation.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The form of ``singular``/``plural`` for ``n`` in the chosen language (Russian has
    three: 1 штамп, 2 штампа, 5 штампов)."""
    return _translation.ngettext(singular, plural, n)


def pgettext(context: str, message: str) -> str:
    """``message`` in the chosen language, told apart from the same English by ``context``."""
    return _translation.pgettext(context, message)


def language() -> str:
    """The language texts are shown in (``"en"``, ``"ru"``)."""
    return _language


def territory() -> str | None:
    """The system's territory (``"RU"``, ``"GB"``) when it has one, for number formats."""
    return _territory


def parse_choice(value: object) -> str:
    """A settings value (``system``, ``en``, ``ru``, or a locale such as ``ru_RU``) as one
    of ``system`` or a key of :data:`LANGUAGES`; raises ``ValueError`` for anything else."""
    if not isinstance(value, str):
        raise ValueError(value)
    text = value.strip().lower().replace("-", "_")
    if text in ("", SYSTEM):
        return SYSTEM
    code = text.split("_")[0].split(".")[0]
    if code not in LANGUAGES:
        raise ValueError(value)
    return code


def system_languages(extra: Iterable[str] = ()) -> list[str]:
    """The system's preferred locales, most preferred first (``["ru_RU", "en_US"]``).

    ``extra`` comes first: the window passes Qt's ``QLocale.system().uiLanguages()``, which
    knows macOS's and Windows's own lists. Then the environment (``LANGUAGE``, ``LC_ALL``,
    ``LC_MESSAGES``, ``LANG``), then Windows's user interface language.
    """
    found: list[str] = [str(x).replace("-", "_") for x in extra if x]
    for name in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(name, "")
        for part in value.split(":"):
            part = part.split(".")[0].split("@")[0]
            if part and part not in ("C", "POSIX"):
                found.append(part)
        if value and name != "LANGUAGE":
            break  # LC_ALL wins over LC_MESSAGES wins over LANG
    if sys.platform == "win32":  # pragma: no cover - Windows only
        try:
            import ctypes

            lcid = ctypes.windll.kernel32.GetUserDefaultUILanguage()  # type: ignore[attr-defined]
            import locale

            name = locale.windows_locale.get(lcid)
            if name:
                found.append(name)
        except (AttributeError, OSError):
            pass
    return found


def resolve(choice: str, system: Sequence[str] = ()) -> tuple[str, str | None]:
    """The language and territory for a settings ``choice`` given the ``system`` locales."""
    territory = None
    for item in system:
        parts = item.replace("-", "_").split("_")
        if len(parts) > 1 and len(parts[-1]) == 2 and parts[-1].isalpha():
            territory = territory or parts[-1].upper()
    if choice != SYSTEM:
        return choice, territory
    for item in system:
        code = item.replace("-", "_").split("_")[0].lower()
        if code in LANGUAGES:
            return code, territory
    return SOURCE_LANGUAGE, territory


def setup(choice: object = SYSTEM, *, system: Iterable[str] = ()) -> str:
    """Choose the language at start-up: ``choice`` from the settings (``system`` or a code),
    overridden by ``$POS_APP_LANGUAGE``; returns the language in use."""
    env = os.environ.get("POS_APP_LANGUAGE", "").strip()
    try:
        wanted = parse_choice(env) if env else parse_choice(choice)
    except ValueError:
        wanted = SYSTEM
    code, where = resolve(wanted, system_languages(system))
    set_language(code, territory=where)
    return code


def set_language(code: str, *, territory: str | None = None) -> None:
    """Show texts in ``code`` from now on (English when its catalogue cannot be read)."""
    global _translation, _language, _territory
    translation: _Source | gettext.NullTranslations = _Source()
    if code != SOURCE_LANGUAGE and code == _language:
        translation = _translation  # chosen again (the window after the command line)
    elif code != SOURCE_LANGUAGE:
        loaded = load_catalogue(code)
        if loaded is None:
            code = SOURCE_LANGUAGE
        else:
            translation = loaded
    with _lock:
        _translation, _language, _territory = translation, code, territory


def load_catalogue(code: str) -> gettext.GNUTranslations | None:
    """The compiled catalogue of ``code``, compiling its ``.po`` when no fresh ``.mo``
    exists; ``None`` when the language has no catalogue."""
    import gettext
    import hashlib

    folder = locale_dir() / code / "LC_MESSAGES"
    po = folder / f"{DOMAIN}.po"
    try:
        source = po.read_bytes()
    except OSError:
        shipped = sorted(folder.glob(f"{DOMAIN}*.mo"))
        return _read_mo(shipped[-1]) if shipped else None
    name = f"{DOMAIN}.{hashlib.sha256(source).hexdigest()[:16]}.mo"
    for place in (folder, _cache_dir(code)):
        if (place / name).is_file():
            return _read_mo(place / name)
    data = compile_po(source)
    for place in (folder, _cache_dir(code)):
        try:
            _write_atomic(place / name, data)
        except OSError:
            continue
        for old in place.glob(f"{DOMAIN}.*.mo"):
            if old.name != name:
                old.unlink(missing_ok=True)
        break
    import io

    return gettext.GNUTranslations(io.BytesIO(data))


def compile_po(source: bytes) -> bytes:
    """A ``.po`` file's bytes compiled to ``.mo`` (fuzzy entries left out, as gettext does)."""
    import io

    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    catalog = read_po(io.BytesIO(source))
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


def _read_mo(path: Path) -> gettext.GNUTranslations | None:
    import gettext

    try:
        with path.open("rb") as fh:
            return gettext.GNUTranslations(fh)
    except (OSError, ValueError):
        return None


def _cache_dir(code: str) -> Path:
    import platformdirs

    return platformdirs.user_cache_path("pos-app", "pos-app") / "locale" / code


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temp.write_bytes(data)
    os.replace(temp, path)
