import pytest
from hypothesis import given
from hypothesis import strategies as st

from moothall.councils.postcodes import InvalidPostcode, is_valid_postcode, normalise_postcode


@pytest.mark.parametrize(
    ("typed", "canonical"),
    [
        ("sw1a1aa", "SW1A 1AA"),
        ("  SW1A   1AA ", "SW1A 1AA"),
        ("se1 2qh", "SE1 2QH"),
        ("M11AE", "M1 1AE"),
        ("B338TH", "B33 8TH"),
        ("W1A 0AX", "W1A 0AX"),
        ("DN55 1PT", "DN55 1PT"),
        ("gir 0aa", "GIR 0AA"),
        ("ec1a1bb", "EC1A 1BB"),
        ("gy1 1aa", "GY1 1AA"),
        ("je2 3ab", "JE2 3AB"),
        ("im1 1aa", "IM1 1AA"),
        ("bf1 3aa", "BF1 3AA"),
        ("sw1a\u00a01aa", "SW1A 1AA"),
    ],
)
def test_it_normalises_real_postcodes(typed, canonical):
    assert normalise_postcode(typed) == canonical


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "hello",
        "SW1A",
        "12345",
        "QX1 1AA",
        "SW1A 1CA",
        "SW1A1AAA",
        "BFPO 1234",
        "ASCN 1ZZ",
        "FIQQ 1ZZ",
        "ZZ1 1AA",
        "ＳＷ1Ａ 1ＡＡ",
    ],
)
def test_it_refuses_text_that_is_not_a_postcode(typed):
    with pytest.raises(InvalidPostcode):
        normalise_postcode(typed)
    assert not is_valid_postcode(typed)


@given(st.text(max_size=20))
def test_normalising_never_fails_other_than_invalid_postcode(text):
    try:
        canonical = normalise_postcode(text)
    except InvalidPostcode:
        return
    assert normalise_postcode(canonical) == canonical
    assert len(canonical) <= 8
