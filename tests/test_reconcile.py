from pos_app.core.reconcile import expected_fields, observe, step_applied


def test_delta_steps() -> None:
    expect = {"field": "amountMoneyBonus", "delta": 12}
    recorded = {"amountMoneyBonus": "400"}
    assert step_applied(expect, recorded, [], {"amountMoneyBonus": "412"}) is True
    assert step_applied(expect, recorded, [], {"amountMoneyBonus": "400"}) is False
    assert step_applied(expect, recorded, [], {"amountMoneyBonus": "399"}) is None
    assert step_applied(expect, recorded, [], {}) is None


def test_second_step_on_the_same_field_counts_the_first() -> None:
    spend = {"field": "amountMoneyBonus", "delta": -50}
    accrue = {"field": "amountMoneyBonus", "delta": 2}
    recorded = {"amountMoneyBonus": 400}
    assert step_applied(accrue, recorded, [spend], {"amountMoneyBonus": "352"}) is True
    assert step_applied(accrue, recorded, [spend], {"amountMoneyBonus": "350"}) is False


def test_value_steps() -> None:
    expect = {"field": "expirationDate", "value": "2030-01-01 23:59:59"}
    recorded = {"expirationDate": None}
    assert step_applied(expect, recorded, [], {"expirationDate": "2030-01-01 23:59:59"})
    assert step_applied(expect, recorded, [], {"expirationDate": None}) is False
    assert step_applied(expect, recorded, [], {"expirationDate": "2029-01-01"}) is None


def test_fields_helpers() -> None:
    steps = [{"expect": {"field": "a", "delta": 1}}, {"expect": {}}, {"expect": {"field": "b"}}]
    assert expected_fields(steps) == {"a", "b"}
    assert observe({"a": 1, "c": 2}, ["a", "b"]) == {"a": 1, "b": None}
