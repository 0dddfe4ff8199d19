"""The typed figures of a plan: one name per figure, loud on a misspelling, a mapping of what
is set (how they are journalled and compared)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from pos_app.core.figures import Figures


def test_figures_read_like_a_mapping_of_what_is_set() -> None:
    figures = Figures(to_pay=Decimal("90.00"), discount=Decimal("10.00"))
    assert figures == {"to_pay": Decimal("90.00"), "discount": Decimal("10.00")}
    assert dict(figures) == {"to_pay": Decimal("90.00"), "discount": Decimal("10.00")}
    assert figures.get("balance") is None and "balance" not in figures
    assert figures.replace(balance=5)["balance"] == 5
    assert figures.to_json() == {"to_pay": "90.00", "discount": "10.00"}
    assert not Figures()


def test_a_misspelled_figure_fails_loudly_on_both_sides() -> None:
    with pytest.raises(TypeError):
        Figures(balance_after=Decimal(1))  # type: ignore[call-arg]
    with pytest.raises(TypeError):
        Figures().replace(balance_after=1)
    with pytest.raises(KeyError, match="not a figure"):
        Figures(balance=Decimal(1)).get("balance_after")
    with pytest.raises(KeyError, match="not a figure"):
        Figures()["to_pey"]


def test_figures_from_an_older_journal_keep_what_they_can() -> None:
    old = {"bonus_spent": "50.00", "balance_after": "300", "steps_done": 1, "gone": "x"}
    assert Figures.from_mapping(old) == {"spent": "50.00", "balance": "300", "steps_done": 1}
    assert Figures.from_mapping(None) == {}
