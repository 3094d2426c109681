"""Tracking codes: random, typable, and a typo is caught by the check character."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from delivery import tracking_codes as tc


def test_generated_codes_are_valid_and_distinct():
    codes = {tc.generate() for _ in range(2000)}

    assert len(codes) == 2000
    assert all(tc.normalize(code) == code for code in codes)


def test_display_form_and_sloppy_typing_normalize_back():
    code = tc.generate()

    typed = tc.display(code).lower().replace("0", "o").replace("1", "l")

    assert tc.normalize(f"  {typed} ") == code


@given(position=st.integers(0, tc.CODE_LENGTH - 1), data=st.data())
def test_every_single_character_typo_is_caught(position, data):
    code = tc.generate()
    wrong = data.draw(st.sampled_from([c for c in tc.ALPHABET if c != code[position]]))

    typo = code[:position] + wrong + code[position + 1 :]

    with pytest.raises(tc.InvalidTrackingCode):
        tc.normalize(typo)


def test_swapping_two_neighbours_is_mostly_caught():
    caught = total = 0
    for _ in range(300):
        code = tc.generate()
        for i in range(tc.CODE_LENGTH - 1):
            if code[i] == code[i + 1]:
                continue
            swapped = code[:i] + code[i + 1] + code[i] + code[i + 2 :]
            total += 1
            try:
                tc.normalize(swapped)
            except tc.InvalidTrackingCode:
                caught += 1

    assert caught / total > 0.9


@pytest.mark.parametrize(
    "text", ["", "ABC", "ABCDEFGHJKMN", "ABCD-EFGH-JKU", "!!!!!!!!!!!"]
)
def test_malformed_text_is_refused(text):
    with pytest.raises(tc.InvalidTrackingCode):
        tc.normalize(text)
