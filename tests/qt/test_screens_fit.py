"""Every state of the screenshot tour, at 1024x768, in every language the app speaks: no text
cut and none drawn over another (issue 15: Russian is about a third longer than English).

The tour is the one ``pos-app screenshots`` runs; :mod:`pos_app.qt.text_fit` measures each
label, button, tab, field and box against what its own text asks for.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from pos_app.core.i18n import LANGUAGES

pytestmark = [pytest.mark.gui, pytest.mark.slow,
              pytest.mark.qt_log_ignore("propagateSizeHints")]


@pytest.mark.parametrize("language", sorted(LANGUAGES))
def test_every_screen_fits_1024x768(qapp: object, tmp_path: Path, language: str) -> None:
    from pos_app.qt.screenshots import shoot

    shooter = shoot(tmp_path, (1024, 768), language)
    assert len(shooter.saved) >= 15
    cut = [f"{name}: {problem}" for name, problems in shooter.cut.items()
           for problem in problems]
    assert not cut, f"{len(cut)} texts cut or overlapping in {language}:\n" + "\n".join(cut)
