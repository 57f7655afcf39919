"""Bodies (committees and the like) and who sits on them."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from moothall.meetings.models import Body, Membership
from tests.staff import html
from tests.staff.meetings_scene import Scene

pytestmark = pytest.mark.django_db

BODIES = "/mootshire/staff/meetings/bodies/"


def test_the_bodies_page_lists_this_councils_bodies_with_their_current_members(clerk, scene: Scene):
    Membership.objects.filter(councillor=scene.cal).update(end_date=dt.date(2023, 1, 1))

    response = clerk.get(BODIES)

    assert html.h1(response) == "Bodies"
    assert html.table_rows(response) == [["Planning Committee", "Committee", "2"]]


def test_a_clerk_adds_a_body(clerk, scene: Scene):
    response = clerk.post(
        BODIES + "new/",
        {"name": "Planning Sub-Committee", "kind": "sub_committee", "parent": scene.body.pk,
         "purpose": "Small applications."},
    )  # fmt: skip

    body = Body.objects.get(name="Planning Sub-Committee")
    assert response.status_code == 302
    assert response["Location"] == f"{BODIES}{body.pk}/"
    assert (body.kind, body.parent, body.slug, body.council.slug) == (
        "sub_committee",
        scene.body,
        "planning-sub-committee",
        "mootshire",
    )


def test_a_body_needs_a_name_and_a_kind(clerk, scene: Scene):
    before = Body.objects.count()

    response = clerk.post(BODIES + "new/", {"name": "  "})

    assert html.error_summary(response) == ["Enter the name of the body.", "Choose a kind of body."]
    assert html.error_links(response) == ["#id_name", "#id_kind_0"]
    assert Body.objects.count() == before


def test_a_clerk_renames_a_body_and_marks_it_as_no_longer_meeting(clerk, scene: Scene):
    page = clerk.get(f"{BODIES}{scene.body.pk}/")
    assert page.context["form"].initial["name"] == "Planning Committee"
    assert scene.body not in page.context["form"].fields["parent"].queryset

    response = clerk.post(
        f"{BODIES}{scene.body.pk}/", {"name": "Planning and Licensing", "kind": "committee"}
    )

    scene.body.refresh_from_db()
    assert response.status_code == 302
    assert (scene.body.name, scene.body.is_active) == ("Planning and Licensing", False)


def test_the_body_page_lists_members_with_their_roles(clerk, scene: Scene):
    response = clerk.get(f"{BODIES}{scene.body.pk}/")

    assert [row[:3] for row in html.table_rows(response)] == [
        [f"Ann Archer ({scene.ann.ward.name})", "Chair", "From 5 May 2022"],
        [f"Ben Baker ({scene.ben.ward.name})", "Member", "From 5 May 2022"],
        [f"Cal Carter ({scene.cal.ward.name})", "Substitute", "From 5 May 2022"],
    ]


def test_a_clerk_adds_a_member_with_a_role_and_dates(clerk, scene: Scene):
    response = clerk.post(
        f"{BODIES}{scene.body.pk}/members/new/",
        {"councillor": scene.dee.pk, "role": "vice_chair", "start_date": "01/06/2024"},
    )

    seat = Membership.objects.get(councillor=scene.dee)
    assert response.status_code == 302
    assert (seat.body, seat.role, seat.start_date, seat.end_date) == (
        scene.body,
        "vice_chair",
        dt.date(2024, 6, 1),
        None,
    )
    assert html.banners(clerk.get(response["Location"])) == [
        "Dee Dunn added to Planning Committee as vice-chair."
    ]


def test_a_membership_cannot_end_before_it_starts(clerk, scene: Scene):
    response = clerk.post(
        f"{BODIES}{scene.body.pk}/members/new/",
        {"councillor": scene.dee.pk, "role": "member", "start_date": "2024-06-01",
         "end_date": "2024-01-01"},
    )  # fmt: skip

    assert html.error_summary(response) == ["The end date must be after the start date."]
    assert not Membership.objects.filter(councillor=scene.dee).exists()


def test_a_clerk_ends_a_membership(clerk, scene: Scene):
    seat = Membership.objects.get(councillor=scene.ben)
    url = f"{BODIES}{scene.body.pk}/members/{seat.pk}/end/"
    assert clerk.get(url).context["form"].initial == {"end_date": timezone.localdate().isoformat()}

    response = clerk.post(url, {"end_date": "2024-12-31"})

    seat.refresh_from_db()
    assert response.status_code == 302
    assert seat.end_date == dt.date(2024, 12, 31)
    page = clerk.get(f"{BODIES}{scene.body.pk}/")
    assert [row[0].split(" (")[0] for row in html.table_rows(page)] == ["Ann Archer", "Cal Carter"]
    assert "Former and future members" in html.main_text(page)


def test_a_membership_of_another_body_is_not_found(clerk, scene: Scene, council):
    other = Body.objects.create(council=council, name="Cabinet", slug="cabinet", kind="cabinet")
    seat = Membership.objects.get(councillor=scene.ben)

    response = clerk.post(f"{BODIES}{other.pk}/members/{seat.pk}/end/", {"end_date": "2024-12-31"})

    assert response.status_code == 404
    seat.refresh_from_db()
    assert seat.end_date is None
