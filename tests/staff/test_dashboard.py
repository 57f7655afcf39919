from __future__ import annotations

from tests.staff import html


def test_an_officer_sees_what_they_can_do_at_mootshire(client, council, officer):
    client.force_login(officer)

    response = client.get("/mootshire/staff/")

    assert response.status_code == 200
    assert html.h1(response) == "Back-office"
    assert html.title(response) == "Back-office – Mootshire – Moothall"
    assert response.context["council"] == council
    assert "Your roles here: Officer." in html.main_text(response)
    assert html.links(response) == [
        ("Meetings", "/mootshire/staff/meetings/"),
        ("Live comments and media", "/mootshire/staff/meetings/live/moderation/"),
        ("Moderation", "/mootshire/staff/moderation/"),
        ("Ideas and needs", "/mootshire/staff/ideas/"),
        ("Petitions", "/mootshire/staff/petitions/"),
        ("Participatory budgeting", "/mootshire/staff/budgets/"),
        ("Surveys", "/mootshire/staff/surveys/"),
        ("Deliberations", "/mootshire/staff/deliberations/"),
        ("Ward population", "/mootshire/staff/population/"),
        ("Residents", "/mootshire/staff/residents/"),
    ]


def test_a_council_admin_sees_residents_roles_and_the_audit_log(client, council, council_admin):
    client.force_login(council_admin)

    response = client.get("/mootshire/staff/")

    assert "Your roles here: Council administrator." in html.main_text(response)
    assert html.links(response) == [
        ("Meetings", "/mootshire/staff/meetings/"),
        ("Live comments and media", "/mootshire/staff/meetings/live/moderation/"),
        ("Moderation", "/mootshire/staff/moderation/"),
        ("Ideas and needs", "/mootshire/staff/ideas/"),
        ("Petitions", "/mootshire/staff/petitions/"),
        ("Participatory budgeting", "/mootshire/staff/budgets/"),
        ("Surveys", "/mootshire/staff/surveys/"),
        ("Deliberations", "/mootshire/staff/deliberations/"),
        ("Ward population", "/mootshire/staff/population/"),
        ("Residents", "/mootshire/staff/residents/"),
        ("Roles", "/mootshire/staff/roles/"),
        ("Audit log", "/mootshire/staff/audit/"),
        ("Privacy notice and retention", "/mootshire/staff/privacy/"),
    ]


def test_a_moderator_looks_after_ideas_and_petitions(client, council, moderator):
    client.force_login(moderator)

    response = client.get("/mootshire/staff/")

    assert response.status_code == 200
    assert html.links(response) == [
        ("Live comments and media", "/mootshire/staff/meetings/live/moderation/"),
        ("Moderation", "/mootshire/staff/moderation/"),
        ("Ideas and needs", "/mootshire/staff/ideas/"),
        ("Petitions", "/mootshire/staff/petitions/"),
        ("Deliberations", "/mootshire/staff/deliberations/"),
    ]
    assert "Moderate the statements people add to deliberations." in html.main_text(response)
    assert "Moderate petitions and check their signatures for abuse." in html.main_text(response)


def test_a_platform_admin_without_a_role_sees_everything(client, council, platform_admin):
    client.force_login(platform_admin)

    response = client.get("/mootshire/staff/")

    text = html.main_text(response)
    assert "you are here as a platform administrator" in text
    assert [label for label, _ in html.links(response)] == [
        "Meetings",
        "Live comments and media",
        "Moderation",
        "Ideas and needs",
        "Petitions",
        "Participatory budgeting",
        "Surveys",
        "Deliberations",
        "Ward population",
        "Residents",
        "Roles",
        "Audit log",
        "Privacy notice and retention",
    ]


def test_the_dashboard_only_answers_get(client, council, officer):
    client.force_login(officer)

    assert client.post("/mootshire/staff/").status_code == 405


def test_moderators_see_how_much_is_reported_and_waiting(client, council, moderator, resident):
    from moothall.ideas import domain as ideas
    from moothall.moderation import domain as moderation
    from tests import factories

    client.force_login(moderator)
    assert "govuk-tag" not in client.get("/mootshire/staff/").content.decode()

    ideas.update_idea_settings(None, council, premoderate_comments=True)
    idea = ideas.propose_idea(moderator, council, title="A bench", body="By the pond")
    ideas.comment(resident, idea, body="Yes please")
    ideas.comment(resident, idea, body="And a bin")
    for email in ("a@example.org", "b@example.org"):  # two reports of one idea: one item
        moderation.flag(factories.UserFactory(email=email), "idea", idea, reason="spam")

    assert "1 reported, 2 waiting" in html.main_text(client.get("/mootshire/staff/"))
