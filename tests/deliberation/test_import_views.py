"""Importing and exporting Polis data in the back-office: staff who run consultations only,
a .zip checked before anything is written, problems in the form, and a .zip back out."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from moothall.deliberation.models import Conversation
from tests.deliberation import d2_scene

pytestmark = pytest.mark.django_db

IMPORT = "/mootshire/staff/deliberations/import/"


def _upload(data: bytes, name: str = "park.zip") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/zip")


def test_an_officer_imports_a_zip_and_lands_on_its_report(client: Client, officer):
    client.force_login(officer)
    assert client.get(IMPORT).status_code == 200
    response = client.post(
        IMPORT, {"file": _upload(d2_scene.tiny_zip()), "slug": "our-park", "mode": "polis"}
    )
    assert response.status_code == 302
    assert response["Location"] == "/mootshire/deliberations/our-park/report/"
    conversation = Conversation.objects.get()
    assert (conversation.slug, conversation.status, conversation.created_by) == (
        "our-park",
        "closed",
        officer,
    )


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (b"not a zip at all", "park.zip", "not a .zip file"),
        (d2_scene.zip_bytes({"../comments.csv": "x", "votes.csv": "y"}), "park.zip", "not allowed"),
        (d2_scene.tiny_zip(), "park.csv", "Choose a .zip file"),
    ],
)
def test_a_bad_upload_comes_back_in_the_form_and_writes_nothing(
    client: Client, officer, data, name, message
):
    client.force_login(officer)
    response = client.post(IMPORT, {"file": _upload(data, name), "mode": "polis"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert Conversation.objects.count() == 0


def test_a_problem_inside_the_files_names_the_file_and_line(client: Client, officer):
    files = dict(d2_scene.FILES)
    votes = [list(r) for r in d2_scene.VOTES]
    votes[2] = ["1700000010000", "x", "0", "1", "5"]
    files["votes.csv"] = votes
    data = d2_scene.zip_bytes({name: d2_scene.csv_text(rows) for name, rows in files.items()})
    client.force_login(officer)
    response = client.post(IMPORT, {"file": _upload(data), "mode": "polis"})
    assert "votes.csv line 3" in response.content.decode()
    assert Conversation.objects.count() == 0


def test_a_used_web_address_is_refused_beside_its_field(client: Client, officer):
    d2_scene.conversation_with_votes(officer.roles.first().council, slug="taken")
    client.force_login(officer)
    response = client.post(
        IMPORT, {"file": _upload(d2_scene.tiny_zip()), "slug": "taken", "mode": "polis"}
    )
    page = response.content.decode()
    assert 'id="id_slug-error"' in page
    assert "already uses this web address" in page
    assert Conversation.objects.count() == 1


def test_no_file_is_a_clear_error(client: Client, officer):
    client.force_login(officer)
    response = client.post(IMPORT, {"mode": "polis"})
    assert "Choose a .zip file to upload." in response.content.decode()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("officer", 200),
        ("council_admin", 200),
        ("platform_admin", 200),
        ("moderator", 403),
        ("councillor_user", 403),
        ("resident", 403),
        ("outsider", 403),
    ],
)
def test_who_may_import_and_export(client: Client, request, council, persona, status):
    conversation = d2_scene.conversation_with_votes(
        council, statements=[("A", "accepted")], votes={(0, 0): 1}
    )
    client.force_login(request.getfixturevalue(persona))
    assert client.get(IMPORT).status_code == status
    assert (
        client.get(f"/mootshire/staff/deliberations/{conversation.slug}/export/").status_code
        == status
    )
    response = client.post(IMPORT, {"file": _upload(d2_scene.tiny_zip()), "mode": "polis"})
    assert response.status_code == (302 if status == 200 else 403)


def test_signed_out_people_are_sent_to_sign_in(client: Client, council):
    response = client.get(IMPORT)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_export_is_a_zip_of_the_four_files(client: Client, officer, council):
    conversation = d2_scene.conversation_with_votes(
        council, statements=[("Benches", "accepted")], votes={(0, 0): 1, (1, 0): -1}
    )
    client.force_login(officer)
    response = client.get(f"/mootshire/staff/deliberations/{conversation.slug}/export/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert 'filename="mootshire-park-polis-' in response["Content-Disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        assert sorted(archive.namelist()) == [
            "comments.csv",
            "participants-votes.csv",
            "summary.csv",
            "votes.csv",
        ]
        assert "Benches" in archive.read("comments.csv").decode()


def test_exporting_another_councils_conversation_is_not_found(
    client: Client, officer, other_council
):
    conversation = d2_scene.conversation_with_votes(other_council, slug="theirs")
    client.force_login(officer)
    assert (
        client.get(f"/mootshire/staff/deliberations/{conversation.slug}/export/").status_code == 404
    )
