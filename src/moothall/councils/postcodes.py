"""UK postcodes: normalising and validating what people type.

The shape is Royal Mail's for the UK and the Crown dependencies (GY, JE, IM),
which the ONS postcode directory also covers. Two kinds of "postcode" are
refused on purpose, because no council's area holds them and the directory
has no row for them: BFPO numbers ("BFPO 1234"; the forces' BF1 postcodes do
fit the shape) and the overseas territories' codes ("ASCN 1ZZ", "FIQQ 1ZZ").
"""

from __future__ import annotations

import re

# The shape of a UK postcode: outward code (area, district) and inward code
# (sector, unit). Letters that never appear in a position are excluded, so
# "QX1 1AA" is refused as malformed rather than looked up.
_POSTCODE = re.compile(
    r"^(?P<outward>[A-PR-UWYZ](?:[0-9][0-9A-HJKPSTUW]?|[A-HK-Y][0-9][0-9ABEHMNPRVWXY]?))"
    r"(?P<inward>[0-9][ABD-HJLNP-UW-Z]{2})$"
)
_SPECIAL = {"GIR0AA"}  # Girobank's historic postcode, still valid


class InvalidPostcode(ValueError):
    """The text is not shaped like a UK postcode."""


def normalise_postcode(text: str) -> str:
    """Return the canonical form ("SW1A 1AA") of a UK postcode, or raise InvalidPostcode."""
    compact = "".join(str(text).split()).upper()
    if compact in _SPECIAL:
        return "GIR 0AA"
    match = _POSTCODE.match(compact)
    if not match:
        raise InvalidPostcode(text)
    return f"{match['outward']} {match['inward']}"


def is_valid_postcode(text: str) -> bool:
    try:
        normalise_postcode(text)
    except InvalidPostcode:
        return False
    return True
