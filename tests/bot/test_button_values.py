"""Numbers read back from button values, which may be forged."""

from __future__ import annotations

import pytest

from bot.button_values import item_id, page_number


def test_a_page_and_an_id_as_the_bot_wrote_them() -> None:
    assert (page_number("3"), item_id("42")) == (3, 42)


@pytest.mark.parametrize("value", ["", "²", "-1", "1.5", "3 ", "1234567890", "9" * 30, "x"])
def test_a_forged_value_is_the_first_page_and_no_item(value: str) -> None:
    assert (page_number(value), item_id(value)) == (1, None)
