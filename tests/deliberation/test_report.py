"""A conversation's report: assembled from the stored analysis and the database, drawn as
SVG that parses (with tables beside it), weighted beside raw, and downloadable as CSV and
JSON; only statements shown to participants ever appear."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import defusedxml.ElementTree as ET
import pytest
from django.test import Client
from django.utils import timezone

from moothall.deliberation import map_svg
from moothall.deliberation.models import Analysis, Conversation, Participant, Vote
from moothall.deliberation.report import (
    Tally,
    assemble,
    csv_header,
    csv_rows,
    participation_over_time,
    report_for,
)
from tests.deliberation import d2_scene
from tests.population.scene import build_area

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"
STATEMENTS = [
    ("Benches by the pond", "accepted"),
    ("Longer opening hours", "accepted"),
    ("Something rude", "rejected"),
    ("Waiting to be checked", "pending"),
]
# Participants 0–3 are group 0 (they agree with 0), 4–6 group 1 (they disagree), 7 none.
VOTES = {
    **{(p, 0): 1 for p in range(4)},
    **{(p, 0): -1 for p in range(4, 7)},
    (7, 0): 0,
    **{(p, 1): 1 for p in range(7)},
    **{(p, 2): 1 for p in range(3)},
    (0, 3): 1,
}


def _analysis_data() -> dict:
    participants = {
        str(p): {"x": float(p), "y": float(p % 2), "group": 0 if p < 4 else 1, "n_votes": 2}
        for p in range(7)
    }
    participants["7"] = {"x": 3.5, "y": 0.5, "group": None, "n_votes": 1}
    return {
        "mode": "improved",
        "n_participants": 8,
        "n_statements": 2,
        "n_votes": 15,
        "participants": participants,
        "groups": [
            {
                "index": 0,
                "size": 4,
                "repness": [
                    {
                        "statement": 2,
                        "direction": "agree",
                        "repness": 9.0,
                        "repness_test": 3.0,
                        "p_success": 0.9,
                        "p_test": 3.0,
                        "n_success": 3,
                        "n_trials": 3,
                    },
                    {
                        "statement": 0,
                        "direction": "agree",
                        "repness": 2.5,
                        "repness_test": 2.0,
                        "p_success": 0.83,
                        "p_test": 2.2,
                        "n_success": 4,
                        "n_trials": 4,
                    },
                ],
            },
            {
                "index": 1,
                "size": 3,
                "repness": [
                    {
                        "statement": 0,
                        "direction": "disagree",
                        "repness": 2.0,
                        "repness_test": 1.9,
                        "p_success": 0.8,
                        "p_test": 2.0,
                        "n_success": 3,
                        "n_trials": 3,
                    },
                ],
            },
        ],
        "consensus": {
            "agree": [
                {"statement": 1, "p_success": 0.9, "p_test": 3.1},
                {"statement": 2, "p_success": 0.8, "p_test": 2.0},
            ],
            "disagree": [],
        },
        "group_informed_consensus": {"0": 0.2, "1": 0.8, "2": 0.95},
        "statements": {
            "0": {
                "agree": 4,
                "disagree": 3,
                "pass": 1,
                "groups": {
                    "0": {"agree": 4, "disagree": 0, "pass": 0},
                    "1": {"agree": 0, "disagree": 3, "pass": 0},
                },
            },
            "1": {
                "agree": 7,
                "disagree": 0,
                "pass": 0,
                "groups": {
                    "0": {"agree": 4, "disagree": 0, "pass": 0},
                    "1": {"agree": 3, "disagree": 0, "pass": 0},
                },
            },
            "2": {"agree": 3, "disagree": 0, "pass": 0, "groups": {}},
        },
        "priority": {"0": 1.0, "1": 0.5},
    }


@pytest.fixture
def conversation(council) -> Conversation:
    found = d2_scene.conversation_with_votes(council, statements=STATEMENTS, votes=VOTES)
    Analysis.objects.create(
        conversation=found,
        mode=found.mode,
        computed_at=timezone.now() + dt.timedelta(seconds=1),
        votes_counted=15,
        participants_counted=8,
        statements_counted=2,
        data=_analysis_data(),
    )
    return found


def _url(conversation: Conversation, what: str = "") -> str:
    return f"/{conversation.council.slug}/deliberations/{conversation.slug}/report/{what}"


# --- Assembly ---------------------------------------------------------------------------


def test_the_report_puts_groups_their_statements_and_consensus_together(conversation):
    report = assemble(conversation, conversation.analyses.get())

    assert [(g.label, g.size) for g in report.groups] == [("A", 4), ("B", 3)]
    assert report.groups[0].centroid == (1.5, 0.5)
    assert report.ungrouped == 1
    assert len(report.points) == 8
    # The removed statement 2 is left out of group A's statements, consensus and ranking.
    (rep_a,) = report.groups[0].representative
    assert (rep_a.number, rep_a.text, rep_a.direction) == (0, "Benches by the pond", "agree")
    assert (rep_a.group, rep_a.others) == (Tally(4, 0, 0), Tally(0, 3, 1))
    assert (rep_a.group_percent, rep_a.others_percent) == (100, 0)
    (rep_b,) = report.groups[1].representative
    assert (rep_b.direction, rep_b.group_percent, rep_b.others_percent) == ("disagree", 100, 0)
    assert [c.number for c in report.consensus_agree] == [1]
    assert report.consensus_agree[0].percent == 100
    # Every shown statement, by group-informed consensus; votes as they are now.
    assert [(r.number, r.gic) for r in report.statements] == [(1, 0.8), (0, 0.2)]
    assert report.statements[1].tally == Tally(4, 3, 1)
    assert report.statements[1].groups == {0: Tally(4, 0, 0), 1: Tally(0, 3, 0)}
    assert report.statements[1].representative_labels == [("A", "agree"), ("B", "disagree")]
    assert report.statements[0].consensus == "agree"
    assert report.participants == 8
    assert report.votes == 15


def test_the_report_says_how_fresh_the_analysis_is(conversation):
    analysis = conversation.analyses.get()
    assert assemble(conversation, analysis).freshness.new_votes == 0
    vote = Vote.objects.filter(conversation=conversation).first()
    Vote.objects.filter(pk=vote.pk).update(
        value=0, updated_at=analysis.computed_at + dt.timedelta(minutes=1)
    )
    Conversation.objects.filter(pk=conversation.pk).update(
        analysis_requested_at=analysis.computed_at + dt.timedelta(minutes=1)
    )
    conversation.refresh_from_db()
    freshness = assemble(conversation, analysis).freshness
    assert (freshness.new_votes, freshness.pending) == (1, True)


def test_a_report_without_an_analysis_still_counts_the_votes(council):
    conversation = d2_scene.conversation_with_votes(council, statements=STATEMENTS, votes=VOTES)
    report = assemble(conversation, None)
    assert report.freshness is None
    assert report.groups == []
    assert report.points == []
    assert [r.number for r in report.statements] == [0, 1]
    assert report.statements[0].tally == Tally(4, 3, 1)


def test_the_report_is_cached_until_a_new_analysis_is_asked_for(
    conversation, django_assert_num_queries
):
    first = report_for(conversation)
    with django_assert_num_queries(1):  # the analysis row only
        assert report_for(conversation) is not None
    Conversation.objects.filter(pk=conversation.pk).update(analysis_requested_at=timezone.now())
    conversation.refresh_from_db()
    assert report_for(conversation) is not first


def test_the_agree_share_is_weighted_to_the_population_beside_the_raw_one(council):
    area = build_area(council)  # Abbey holds a quarter of the residents, Brook three quarters
    conversation = d2_scene.conversation_with_votes(
        council,
        statements=[("Benches", "accepted"), ("Bins", "accepted")],
        votes={**{(p, 0): 1 if p < 12 else -1 for p in range(24)}, **{(p, 1): 1 for p in range(5)}},
    )
    for participant in conversation.participants.all():
        participant.ward = area.abbey if participant.number < 12 else area.brook
        participant.save()
    report = assemble(conversation, None)
    rows = {r.number: r for r in report.statements}
    assert rows[0].tally.agree_share == 0.5
    # Abbey's twelve weigh 0.5 each, Brook's 1.5: 6 / (6 + 18).
    assert rows[0].weighted_agree == pytest.approx(0.25)
    assert rows[1].weighted_agree is None  # five weighted voters: not shown
    assert report.weighted
    assert report.weighting_method == "raking"
    assert report.weighted_people == 24


def test_nobody_is_weighted_when_nobody_said_who_they_are(conversation):
    report = assemble(conversation, None)
    assert not report.weighted
    assert report.weighting_method == "none"


def test_participation_is_counted_per_day_then_per_week(council):
    conversation = d2_scene.conversation_with_votes(
        council, statements=[("A", "accepted")], votes={(0, 0): 1, (1, 0): 1, (2, 0): -1}
    )
    start = timezone.make_aware(dt.datetime(2024, 3, 1, 12))
    days = {0: 0, 1: 0, 2: 2}
    for vote in Vote.objects.filter(conversation=conversation).select_related("participant"):
        vote.created_at = start + dt.timedelta(days=days[vote.participant.number])
        vote.save()
    unit, periods = participation_over_time(conversation)
    assert unit == "day"
    assert [
        (p.start.isoformat(), p.votes, p.new_participants, p.participants_so_far) for p in periods
    ] == [
        ("2024-03-01", 2, 2, 2),
        ("2024-03-02", 0, 0, 2),
        ("2024-03-03", 1, 1, 3),
    ]
    Vote.objects.filter(conversation=conversation, participant__number=2).update(
        created_at=start + dt.timedelta(days=200)
    )
    unit, periods = participation_over_time(conversation)
    assert unit == "week"
    assert periods[0].start.isoformat() == "2024-02-26"  # the Monday
    assert sum(p.votes for p in periods) == 3
    assert periods[-1].participants_so_far == 3


# --- Pictures ----------------------------------------------------------------------------


def test_the_map_parses_and_tells_groups_apart_by_shape_not_colour_alone(conversation):
    report = assemble(conversation, conversation.analyses.get())
    svg = map_svg.participant_map(
        report.points, report.map_groups, title="Map", description="Two groups"
    )
    root = ET.fromstring(svg)
    assert root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Map"
    assert root.find(f"{SVG}desc").text == "Two groups"
    marks = {el.get("id"): el.tag for el in root.find(f"{SVG}defs")}
    assert marks["opinion-map-m0"] != marks["opinion-map-m1"]  # circle and rect
    labels = [el.text for el in root.iter(f"{SVG}text")]
    assert labels == ["Group A", "Group B"]
    assert len(root.findall(f".//{SVG}use")) == 8


def test_a_crowded_map_draws_one_mark_per_little_area(monkeypatch):
    points = [map_svg.MapPoint(i % 50 / 10, i // 50 / 10, i % 2) for i in range(3000)]
    svg = map_svg.participant_map(points, [], title="Map", description="Many")
    marks = ET.fromstring(svg).findall(f".//{SVG}use")
    assert 0 < len(marks) < 3000
    assert all("scale(" in mark.get("transform") for mark in marks)


def test_the_charts_parse_and_hold_a_bar_per_busy_period():
    periods = [
        map_svg.Period(dt.date(2024, 3, 1) + dt.timedelta(days=i), v, 1, i + 1)
        for i, v in enumerate([5, 0, 7])
    ]
    votes = ET.fromstring(
        map_svg.votes_chart(periods, "day", title="Votes", description="d", axis_label="Votes")
    )
    assert votes.get("role") == "img"
    assert votes.find(f"{SVG}title").text == "Votes"
    bars = list(votes.iter(f"{SVG}rect"))
    assert len(bars) == 2
    people = ET.fromstring(
        map_svg.participants_chart(
            periods, "day", title="People", description="d", axis_label="People"
        )
    )
    assert people.find(f"{SVG}path") is not None


def test_titles_in_pictures_are_escaped():
    svg = map_svg.participant_map([], [], title="<script>x</script> & co", description="d")
    assert ET.fromstring(svg).find(f"{SVG}title").text == "<script>x</script> & co"


# --- The page and its downloads ----------------------------------------------------------


def test_anyone_sees_the_report_with_its_tables(client: Client, conversation):
    response = client.get(_url(conversation))
    assert response.status_code == 200
    page = response.content.decode()
    assert 'role="img"' in page
    assert '<title id="opinion-map-title">' in page
    assert 'id="map-table"' in page
    assert 'id="over-time-table"' in page
    assert "Benches by the pond" in page
    assert "Longer opening hours" in page
    assert "Something rude" not in page
    assert "Waiting to be checked" not in page
    assert 'id="representation"' in page
    assert "The opinion map was worked out on" in page
    groups = response.context["report"].groups
    assert [g.size for g in groups] == [4, 3]


def test_the_page_keeps_to_a_query_budget(
    client: Client, conversation, django_assert_max_num_queries
):
    with django_assert_max_num_queries(25):
        assert client.get(_url(conversation)).status_code == 200


def test_a_draft_report_is_for_staff_only(client: Client, council, officer):
    conversation = d2_scene.conversation_with_votes(
        council, status="draft", statements=STATEMENTS, votes=VOTES
    )
    assert client.get(_url(conversation)).status_code == 404
    assert client.get(_url(conversation, "report.csv")).status_code == 404
    client.force_login(officer)
    response = client.get(_url(conversation))
    assert response.status_code == 200
    assert "only council staff can see this report" in response.content.decode()


def test_an_unknown_conversation_is_not_found(client: Client, council):
    assert client.get("/mootshire/deliberations/nothing/report/").status_code == 404


def test_the_csv_has_a_row_per_shown_statement_and_columns_per_group(client: Client, conversation):
    response = client.get(_url(conversation, "report.csv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == [
        "statement",
        "text",
        "is_seed",
        "is_meta",
        "agree",
        "disagree",
        "pass",
        "votes",
        "agree_share",
        "weighted_agree_share",
        "group_A_agree",
        "group_A_disagree",
        "group_A_pass",
        "group_B_agree",
        "group_B_disagree",
        "group_B_pass",
        "group_informed_consensus",
        "consensus",
        "representative_of",
    ]
    assert rows[1][:2] == ["1", "Longer opening hours"]
    assert rows[2] == [
        "0",
        "Benches by the pond",
        "no",
        "no",
        "4",
        "3",
        "1",
        "8",
        "0.5000",
        "",
        "4",
        "0",
        "0",
        "0",
        "3",
        "0",
        "0.2",
        "",
        "A:agree B:disagree",
    ]
    assert len(rows) == 3


def test_the_participants_csv_gives_the_map_by_number(client: Client, conversation):
    response = client.get(_url(conversation, "participants.csv"))
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["participant", "x", "y", "group", "votes"]
    assert rows[1] == ["0", "0.0000", "0.0000", "A", "2"]
    assert rows[8] == ["7", "3.5000", "0.5000", "", "1"]


def test_the_json_is_the_analysis_with_texts_and_nothing_unshown(client: Client, conversation):
    response = client.get(_url(conversation, "report.json"))
    assert response.status_code == 200
    data = json.loads(response.content)
    assert data["analysis"]["votes_counted"] == 15
    assert [s["statement"] for s in data["statements"]] == [0, 1]
    assert data["groups"][0]["label"] == "A"
    assert [r["statement"] for r in data["groups"][0]["repness"]] == [0]
    assert data["groups"][0]["repness"][0]["text"] == "Benches by the pond"
    assert data["consensus"]["agree"] == [
        {"statement": 1, "p_success": 0.9, "p_test": 3.1, "text": "Longer opening hours"}
    ]
    assert data["group_informed_consensus"] == {"0": 0.2, "1": 0.8}
    assert "priority" not in data
    assert "Something rude" not in response.content.decode()
    assert data["participation"]["unit"] == "day"


def test_an_imported_conversation_credits_polis_and_links_only_to_the_web(client: Client, council):
    conversation = d2_scene.conversation_with_votes(
        council, statements=STATEMENTS, votes=VOTES, imported_meta={"url": "javascript:alert(1)"}
    )
    page = client.get(_url(conversation)).content.decode()
    assert "Creative Commons Attribution 4.0" in page
    assert "javascript:" not in page
    Conversation.objects.filter(pk=conversation.pk).update(
        imported_meta={"url": "https://pol.is/x"}
    )
    page = client.get(_url(conversation)).content.decode()
    assert 'href="https://pol.is/x"' in page


def test_csv_rows_match_the_header_for_every_statement(conversation):
    report = assemble(conversation, conversation.analyses.get())
    header = csv_header(report)
    assert all(len(row) == len(header) for row in csv_rows(report))


def test_participants_who_never_voted_are_not_counted(council):
    conversation = d2_scene.conversation_with_votes(
        council, statements=[("A", "accepted")], votes={(0, 0): 1}, people=3
    )
    assert Participant.objects.filter(conversation=conversation).count() == 3
    assert assemble(conversation, None).participants == 1


def test_who_took_part_is_shown_with_small_groups_suppressed(client: Client, council):
    area = build_area(council)
    conversation = d2_scene.conversation_with_votes(
        council, statements=[("Benches", "accepted")], votes={(p, 0): 1 for p in range(15)}
    )
    for participant in conversation.participants.all():
        participant.ward = area.abbey if participant.number < 12 else area.brook
        participant.save()
    page = client.get(_url(conversation)).content.decode()
    section = page[page.index('id="representation"') :]
    assert "Abbey" in section
    assert "Brook" in section
    assert "fewer than 10" in section  # Brook's three are not shown
    assert report_for(conversation).representation.participants == 15


def test_a_conversation_nobody_has_voted_in_has_a_plain_report(client: Client, council):
    conversation = d2_scene.conversation_with_votes(council, statements=[("Benches", "accepted")])
    response = client.get(_url(conversation))
    page = response.content.decode()
    assert response.status_code == 200
    assert "The opinion map has not been worked out yet" in page
    assert "Nobody has voted yet." in page
    assert 'role="img"' not in page
