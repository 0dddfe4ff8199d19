import datetime as dt
from decimal import Decimal

import pytest

from pos_app.core.errors import InvalidAmount, InvalidInput
from pos_app.core.operations import Operation, OpName


def test_every_operation_parses() -> None:
    future = (dt.date.today() + dt.timedelta(days=30)).isoformat()
    cases = {
        "purchase": ["100"], "spend": ["12,5"], "purchase-spend": ["100", "20"],
        "accrue": ["10"], "stamp": ["2"], "unstamp": ["1"], "reward": ["1"],
        "coupon-activate": [], "coupon-redeem": [], "set-expiry": [future],
    }
    for name, args in cases.items():
        op = Operation.parse(name, args)
        assert op.name is OpName(name)
        assert Operation.parse(name, op.args()) == op


def test_values_and_flags() -> None:
    op = Operation.parse("purchase-spend", ["1 000,00", "250"])
    assert (op.amount, op.spend) == (Decimal("1000.00"), Decimal("250.00"))
    assert op.takes_value
    assert not Operation.parse("stamp", ["1"]).takes_value
    assert "Purchase of 1,000.00" in op.describe()


@pytest.mark.parametrize(("name", "args"), [
    ("purchase", []), ("purchase", ["1", "2"]), ("stamp", ["0"]), ("reward", ["-1"]),
    ("purchase-spend", ["10", "20"]), ("spend", ["NaN"]), ("set-expiry", ["2001-01-01"]),
    ("set-expiry", ["soon"]), ("fly", []), ("coupon-redeem", ["x"]),
])
def test_bad_operations_are_refused(name: str, args: list[str]) -> None:
    with pytest.raises((InvalidInput, InvalidAmount)):
        Operation.parse(name, args)
