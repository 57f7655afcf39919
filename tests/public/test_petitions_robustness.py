"""Whatever is typed into the petition forms, the answer is a clear message or a redirect:
never a 500, and a refused form writes nothing.

The scene is built once per test and hypothesis shares it across examples (hence the
suppressed function-scoped-fixture health check); each example counts rows before and after.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from moothall.petitions.models import Petition, Signature
from tests.public.petitions_scene import Scene, build_scene, publish

pytestmark = pytest.mark.django_db

fuzz = settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

AWKWARD = ["", " ", "\x00", "é", "<script>", "a" * 300, "MH1 1AA", "mh11aa", "%", "\n", "0"]
awkward = st.one_of(st.sampled_from(AWKWARD), st.text(max_size=40))
emails = st.one_of(
    st.sampled_from(
        ["jo@example.org", "Jo.Bloggs+x@Gmail.com", "@", "jo@", "a@b", "jo@exa mple.org"]
    ),
    awkward,
    st.emails(),
)


@pytest.fixture
def scene(council, resident, moderator, officer) -> Scene:
    return build_scene(council, resident, moderator, officer)


@fuzz
@given(
    name=awkward,
    email=emails,
    postcode=st.one_of(st.sampled_from(["MH1 1AA", "EL1 1AA", "ZZ1 1ZZ", "SW1A1AA"]), awkward),
    basis=st.one_of(st.sampled_from(["lives", "works", "studies", "", "other"]), awkward),
    declaration=st.sampled_from(["on", "", "off", "1", None]),
    wants_updates=st.sampled_from(["on", "", None]),
)
def test_any_input_to_the_sign_form_is_answered_clearly_and_a_refusal_writes_nothing(
    client, scene: Scene, name, email, postcode, basis, declaration, wants_updates
):
    petition = Petition.objects.filter(title="Fuzzed").first() or publish(scene, "Fuzzed")
    data = {"name": name, "email": email, "postcode": postcode, "basis": basis}
    if declaration is not None:
        data["declaration"] = declaration
    if wants_updates is not None:
        data["wants_updates"] = wants_updates
    before = list(Signature.objects.order_by("pk").values_list("pk", "status", "name"))

    response = client.post(f"/mootshire/petitions/{petition.pk}/sign/", data)

    assert response.status_code in {302, 400}
    if response.status_code == 400:
        assert b"There is a problem" in response.content
        assert list(Signature.objects.order_by("pk").values_list("pk", "status", "name")) == before
    else:
        assert response.url == f"/mootshire/petitions/{petition.pk}/signed/"


@fuzz
@given(
    title=awkward,
    action=awkward,
    background=awkward,
    topic=st.one_of(st.sampled_from(["parks", "roads", ""]), awkward),
    ward=st.one_of(st.sampled_from(["moot-ward", ""]), awkward),
    creator_name=awkward,
)
def test_any_input_to_the_new_petition_form_is_answered_clearly(
    client, scene: Scene, title, action, background, topic, ward, creator_name
):
    client.force_login(scene.resident)
    before = Petition.objects.count()

    response = client.post(
        "/mootshire/petitions/new/",
        {
            "title": title,
            "action": action,
            "background": background,
            "topic": topic,
            "ward": ward,
            "creator_name": creator_name,
        },
    )

    assert response.status_code in {302, 400}
    if response.status_code == 400:
        assert b"There is a problem" in response.content
        assert Petition.objects.count() == before
    else:
        assert Petition.objects.count() == before + 1


@fuzz
@given(
    segment=awkward,
    template=st.sampled_from(
        [
            "/mootshire/petitions/?status={}",
            "/mootshire/petitions/?sort={}&topic={}",
            "/mootshire/petitions/?ward={}&page={}",
            "/mootshire/you-said-we-did/?by={}&topic={}",
            "/mootshire/you-said-we-did/?ward={}&page={}",
            "/mootshire/petitions/1-{}/",
            "/mootshire/petitions/confirm/{}/",
            "/mootshire/petitions/withdraw/{}/",
            "/mootshire/petitions/stop-updates/{}/",
            "/mootshire/petitions/sponsor/{}/",
            "/{}/petitions/",
            "/{}/obligations/",
        ]
    ),
)
def test_any_text_in_a_petitions_address_is_answered_below_500(client, scene, segment, template):
    quoted = quote(segment, safe="")
    response = client.get(template.replace("{}", quoted))

    assert response.status_code in {200, 301, 404}
