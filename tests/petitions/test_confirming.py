"""Following the emailed link: the verb finds the signature under the link's council and
confirms it, and the page asks the database nothing twice (thousands follow their links at
once when a petition spreads)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from moothall.petitions import domain
from moothall.petitions.models import Petition, PetitionScheme, Signature
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene(council):
    council.gss_code = "E10000099"
    council.save()
    factories.WardFactory(council=council, name="North", gss_code="E05000001")
    factories.PostcodeFactory(postcode="MH1 1AA", ward_gss="E05000001", county_gss="E10000099")
    return council


def _open_petition(council, resident) -> Petition:
    PetitionScheme.objects.update_or_create(
        council=council, defaults={"sponsors_required": 0, "pre_moderation": False}
    )
    petition = domain.start_petition(resident, council, title="Keep the pool", action="Keep it.")
    return domain.submit_petition(resident, petition)


def _sign(petition: Petition, email: str, **extra) -> Signature:
    return domain.sign_petition(
        petition,
        name="Ann",
        email=email,
        postcode="MH1 1AA",
        basis="lives",
        declaration=True,
        **extra,
    )


def _token(signature: Signature) -> str:
    return Signature.objects.get(pk=signature.pk).token


def test_the_link_confirms_only_under_its_own_council(scene, resident, other_council):
    petition = _open_petition(scene, resident)
    token = _token(_sign(petition, "ann@example.org"))

    with pytest.raises(ValidationError) as refused:
        domain.confirm_signature(token, council_slug=other_council.slug)

    assert refused.value.code == "unknown_token"
    assert Signature.objects.get(token=token).status == "pending"
    confirmed = domain.confirm_signature(token, council_slug=scene.slug)
    assert confirmed.status == "confirmed"
    assert confirmed.petition.council == scene
    assert domain.live_count(petition) == 1


def test_the_last_sponsor_gets_the_petition_as_it_now_is(scene, resident):
    PetitionScheme.objects.update_or_create(
        council=scene, defaults={"sponsors_required": 1, "pre_moderation": True}
    )
    petition = domain.start_petition(resident, scene, title="Keep the pool", action="Keep it.")
    petition = domain.submit_petition(resident, petition)
    assert petition.status == "gathering_sponsors"
    sponsor = _sign(petition, "ann@example.org", sponsor_token=petition.sponsor_token)

    confirmed = domain.confirm_signature(_token(sponsor))

    # Enough sponsors moved it on: the page shows what is true now, not what was.
    assert confirmed.petition.status == "awaiting_moderation"
    assert confirmed.petition.is_public is False


def _confirm_page_queries(client, council, token) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"/{council.slug}/petitions/confirm/{token}/")
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries]


def _signature_reads(queries: list[str]) -> list[str]:
    return [
        sql
        for sql in queries
        if sql.lstrip().upper().startswith("SELECT") and 'FROM "petitions_signature"' in sql
    ]


def _petition_reads(queries: list[str]) -> list[str]:
    return [sql for sql in queries if 'FROM "petitions_petition"' in sql.split("WHERE")[0]]


def test_the_confirmation_page_reads_the_signature_once_however_many_signed(
    client, scene, resident
):
    petition = _open_petition(scene, resident)
    signatures = [_sign(petition, f"person{n}@example.org") for n in range(12)]
    for signature in signatures[:5]:
        domain.confirm_signature(_token(signature))
    client.get(f"/{scene.slug}/petitions/confirm/{_token(signatures[5])}/")  # warm caches

    fewer = _confirm_page_queries(client, scene, _token(signatures[6]))
    for signature in signatures[7:11]:
        domain.confirm_signature(_token(signature))
    more = _confirm_page_queries(client, scene, _token(signatures[11]))

    # (The count's shard rows are made as they are first needed, at random: the number of
    # queries may differ by that; the reads may not.)
    for queries in (fewer, more):
        assert len(_signature_reads(queries)) == 1, queries
        assert _petition_reads(queries) == [], queries
    assert domain.live_count(petition) == 12
