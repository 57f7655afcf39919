"""Who signed a petition, as :class:`~moothall.population.bands.Profile` rows (ward only).

A petition asks signers for their postcode, not their age or sex, so only the ward is
known. Only confirmed signatures count (not pending, withdrawn or invalidated ones), as in
the petition's own count. The ward is kept only for people who sign as living in the area:
someone who works or studies in a ward is not one of its residents, so they are counted
with the wards not known. Paper counts handed in without addresses are not signatures and
are left out.
"""

from __future__ import annotations

from moothall.petitions.models import Basis, Petition, Signature
from moothall.population.bands import Profile


def profiles(petition: Petition) -> list[Profile]:
    """One profile per confirmed signature of ``petition`` (one query)."""
    rows = Signature.objects.filter(
        petition=petition, status=Signature.Status.CONFIRMED
    ).values_list("ward_id", "basis")
    return [
        Profile(ward_id=ward_id if basis == Basis.LIVES else None, age_band=None, sex=None)
        for ward_id, basis in rows
    ]
