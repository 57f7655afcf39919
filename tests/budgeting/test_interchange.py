"""Pabulib import and export: the shared real elections go in and come back out the same,
their results match what each city declared, and the commands refuse bad input cleanly."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from moothall.budgeting import domain
from moothall.budgeting.engine import Election, PabulibError, compute, parse_pb, read_pb, write_pb
from moothall.budgeting.interchange import (
    KEPT,
    InterchangeError,
    export_pabulib,
    import_pabulib,
)
from moothall.budgeting.models import (
    Ballot,
    BallotChoice,
    BudgetProcess,
    Phase,
    Project,
    Result,
)
from moothall.core.models import AuditEntry
from tests.budgeting.scene import build_scene

pytestmark = pytest.mark.django_db

FILES = [
    "France_Toulouse_2022.pb",
    "Poland_Warszawa_2023_Bemowo.pb",
    "Poland_Wieliczka_2023_Green_Budget.pb",
]
# The META lines an export must give back as they were (the counts, budget, vote type and
# rule are written from the database, and must come out the same too).
META_KEYS = (
    "description",
    "country",
    "unit",
    "subunit",
    "instance",
    "num_projects",
    "num_votes",
    "budget",
    "vote_type",
    "rule",
    "date_begin",
    "date_end",
    "min_length",
    "max_length",
    "currency",
)

SMALL = """META
key;value
description;Small test
country;Testland
unit;Testville
instance;2024
num_projects;3
num_votes;4
budget;100
vote_type;approval
rule;greedy
PROJECTS
project_id;cost;name;category
a;60;Library;culture
b;50;Park;green
c;40;Bench;green
VOTES
voter_id;vote;age
v1;a,b;30
v2;a;41
v3;b,c;52
v4;a,c;
"""


def _counts() -> tuple[int, ...]:
    return (
        BudgetProcess.objects.count(),
        Project.objects.count(),
        Ballot.objects.count(),
        BallotChoice.objects.count(),
        Result.objects.count(),
    )


@pytest.mark.parametrize("name", FILES)
def test_a_shared_file_goes_in_and_comes_back_out_the_same(council, shared_data, name):
    source = read_pb(shared_data / "pabulib" / name)

    process = import_pabulib(None, council, source)
    text = write_pb(export_pabulib(process))
    exported = parse_pb(text)

    process.refresh_from_db()
    assert process.phase == Phase.RESULTS
    assert process.results_published_at is not None
    assert {k: v for k, v in process.imported_meta.items() if k != KEPT} == source.meta
    for key in META_KEYS:
        assert exported.meta.get(key) == source.meta.get(key), key
    assert [(p.project_id, p.cost) for p in exported.projects] == [
        (p.project_id, p.cost) for p in source.projects
    ]
    for before, after in zip(source.projects, exported.projects, strict=True):
        for column, value in before.fields.items():
            if column == "cost":
                assert Decimal(after.fields[column]) == Decimal(value)
            else:
                assert after.fields[column] == value, (before.project_id, column)
    assert {v.voter_id: v.projects for v in exported.votes} == {
        v.voter_id: v.projects for v in source.votes
    }
    assert {v.voter_id: v.fields for v in exported.votes} == {
        v.voter_id: v.fields for v in source.votes
    }
    assert exported.vote_columns == source.vote_columns
    if "selected" in source.project_columns:  # nothing to add: the very same file
        original = (shared_data / "pabulib" / name).read_text(encoding="utf-8")
        assert text == original.replace("\r\n", "\n")
    else:  # Toulouse: the same, with the selected column added
        assert exported.project_columns == [*source.project_columns, "selected"]


@pytest.mark.parametrize("name", FILES)
def test_an_imported_election_has_the_result_the_city_declared(council, shared_data, name):
    source = read_pb(shared_data / "pabulib" / name)

    process = import_pabulib(None, council, source)

    result = Result.objects.get(budget__process=process)
    by_id = dict(Project.objects.filter(process=process).values_list("id", "external_id"))
    chosen = {by_id[pk] for pk in result.selected}
    declared = source.selected()
    if declared is None:  # Toulouse publishes no selected column: the rule itself decides
        declared = compute(Election.from_pb(source), source.rule or "greedy").selected
    assert chosen == set(declared)
    assert result.rule == source.rule
    assert result.ballots == len(source.votes)
    selected = set(
        Project.objects.filter(process=process, is_selected=True).values_list(
            "external_id", flat=True
        )
    )
    assert selected == set(declared)
    entry = AuditEntry.objects.get(action="budgeting.imported")
    assert entry.details["votes"] == len(source.votes)


def test_the_import_keeps_ballot_settings_voter_ids_and_extra_columns(council, shared_data):
    source = read_pb(shared_data / "pabulib" / "Poland_Warszawa_2023_Bemowo.pb")

    process = import_pabulib(None, council, source, title="Bemowo 2023")

    assert process.title == "Bemowo 2023"
    assert process.slug == "bemowo-2023"
    assert (process.ballot_kind, process.min_projects, process.max_projects) == (
        "approval",
        1,
        15,
    )
    assert process.currency == "PLN"
    assert process.voting_opens_at.date().isoformat() == "2022-06-15"
    budget = process.budgets.get()
    assert budget.amount == 4_854_279
    assert budget.ward is None
    ballot = Ballot.objects.get(budget=budget, reference="19")
    assert ballot.extra == {"age": "67", "sex": "F", "voting_method": "internet"}
    assert ballot.voter_id is None
    assert not ballot.is_paper
    assert Ballot.objects.filter(budget=budget, is_paper=True).count() == 8
    project = Project.objects.get(process=process, external_id="1440")
    assert (project.cost, project.status) == (180_000, "accepted")
    assert project.latitude == Decimal("52.233530")
    again = import_pabulib(None, council, source, title="Bemowo 2023")
    assert again.slug == "bemowo-2023-2"


def test_a_small_file_round_trips_with_a_title_from_meta(council):
    process = import_pabulib(None, council, parse_pb(SMALL))

    assert process.title == "Testville 2024"
    exported = export_pabulib(process)
    assert exported.project_columns[:4] == ["project_id", "cost", "name", "category"]
    assert {p.project_id: p.fields["selected"] for p in exported.projects} == {
        "a": "1",
        "b": "0",
        "c": "1",
    }
    assert {p.project_id: p.fields["votes"] for p in exported.projects} == {
        "a": "3",
        "b": "2",
        "c": "2",
    }
    assert [v.fields["age"] for v in exported.votes] == ["30", "41", "52", ""]


def test_cumulative_and_ordinal_files_keep_points_and_order(council):
    cumulative = SMALL.replace("vote_type;approval", "vote_type;cumulative\nmax_sum_points;5")
    cumulative = cumulative.replace("voter_id;vote;age", "voter_id;vote;points;age")
    for voter, points in (
        ("v1;a,b;", "3,2"),
        ("v2;a;", "5"),
        ("v3;b,c;", "1,4"),
        ("v4;a,c;", "2,3"),
    ):
        cumulative = cumulative.replace(voter, f"{voter}{points};")
    process = import_pabulib(None, council, parse_pb(cumulative))

    assert (process.ballot_kind, process.points) == ("cumulative", 5)
    exported = parse_pb(write_pb(export_pabulib(process)))
    assert {v.voter_id: (v.projects, v.points) for v in exported.votes}["v3"] == (
        ["b", "c"],
        [Decimal(1), Decimal(4)],
    )
    assert exported.meta["vote_type"] == "cumulative"

    ordinal = SMALL.replace("vote_type;approval", "vote_type;ordinal").replace("v3;b,c", "v3;c,b")
    ranked = import_pabulib(None, council, parse_pb(ordinal))
    assert ranked.ballot_kind == "ranking"
    ballot = Ballot.objects.get(budget__process=ranked, reference="v3")
    assert [(c.project.external_id, c.rank) for c in ballot.choices.order_by("rank")] == [
        ("c", 1),
        ("b", 2),
    ]
    assert {v.voter_id: v.projects for v in export_pabulib(ranked).votes}["v3"] == ["c", "b"]

    choose_one = SMALL.replace("vote_type;approval", "vote_type;choose-1")
    choose_one = choose_one.replace("v1;a,b", "v1;a").replace("v3;b,c", "v3;b")
    choose_one = choose_one.replace("v4;a,c", "v4;c")
    single = import_pabulib(None, council, parse_pb(choose_one))
    assert (single.ballot_kind, single.max_projects) == ("approval", 1)
    assert export_pabulib(single).meta["vote_type"] == "choose-1"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("budget;100", "budget;100.5"), "whole amounts"),
        (("a;60;", "a;60.25;"), "whole amounts"),
        (("v1;a,b", "v" + "1" * 70 + ";a,b"), "longer than 64"),
    ],
)
def test_what_the_app_cannot_hold_is_refused_and_nothing_written(council, change, message):
    text = SMALL.replace(*change)
    before = _counts()

    with pytest.raises(InterchangeError, match=message):
        import_pabulib(None, council, parse_pb(text))

    assert _counts() == before


def test_a_native_process_exports_without_personal_data(council):
    scene = build_scene(council)
    domain.cast_ballot(scene.moot_resident, scene.whole, [scene.projects["library"].pk])
    domain.cast_ballot(
        scene.hill_resident, scene.whole, [scene.projects["trees"].pk, scene.projects["library"].pk]
    )
    domain.enter_paper_ballot(None, scene.whole, [scene.projects["trees"].pk], reference="P-001")
    with pytest.raises(InterchangeError, match="not published"):
        export_pabulib(scene.process, scene.whole)
    process = domain.change_phase(None, scene.process, Phase.RESULTS)

    with pytest.raises(InterchangeError, match="several budgets"):
        export_pabulib(process)
    exported = parse_pb(write_pb(export_pabulib(process, scene.whole)))

    assert exported.meta["country"] == "UK"
    assert exported.meta["currency"] == "GBP"
    assert exported.meta["unit"] == council.name
    assert exported.meta["budget"] == "100000"
    assert exported.meta["vote_type"] == "approval"
    assert exported.meta["num_votes"] == "3"
    text = write_pb(export_pabulib(process, scene.whole))
    for secret in ("mo.moot@example.org", "Mo Moot", "hal.hill", "Hal Hill"):
        assert secret not in text
    references = {v.voter_id for v in exported.votes}
    assert "P-001" in references
    methods = sorted(v.fields["voting_method"] for v in exported.votes)
    assert methods == ["internet", "internet", "paper"]
    library = next(p for p in exported.projects if p.fields["name"] == "Longer library opening")
    assert library.fields["votes"] == "2"
    assert library.project_id == str(scene.projects["library"].pk)
    assert {p.project_id for p in exported.projects} == {
        str(scene.projects[k].pk) for k in ("library", "trees", "skatepark")
    }


# --- The commands --------------------------------------------------------------------


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_the_commands_import_and_export_a_file(council, shared_data, tmp_path):
    path = shared_data / "pabulib" / "Poland_Wieliczka_2023_Green_Budget.pb"

    output = _run("import_pabulib", str(path), "--council", council.slug)

    process = BudgetProcess.objects.get()
    assert output.startswith(f"Imported process {process.pk} (Wieliczka, Green Budget 2023)")
    assert process.get_absolute_url() in output
    target = tmp_path / "out.pb"
    output = _run("export_pabulib", str(process.pk), str(target))
    assert "64 projects, 6586 votes" in output
    again = read_pb(target)
    assert set(again.selected() or []) == set(read_pb(path).selected() or [])


def test_the_import_command_refuses_a_malformed_file_and_writes_nothing(council, tmp_path):
    bad = tmp_path / "bad.pb"
    bad.write_text(SMALL.replace("v2;a;41", "v2;z;41"), encoding="utf-8")
    before = _counts()

    with pytest.raises(CommandError) as caught:
        _run("import_pabulib", str(bad), "--council", council.slug)

    assert "unknown project 'z'" in str(caught.value)
    assert "\n" not in str(caught.value)
    assert _counts() == before
    with pytest.raises(PabulibError):
        read_pb(bad)


def test_the_import_command_refuses_an_unknown_council(council, tmp_path):
    good = tmp_path / "good.pb"
    good.write_text(SMALL, encoding="utf-8")
    before = _counts()

    with pytest.raises(CommandError, match="There is no council 'nowhere'"):
        _run("import_pabulib", str(good), "--council", "nowhere")

    assert _counts() == before


def test_the_import_command_refuses_a_missing_file(council, tmp_path):
    with pytest.raises(CommandError, match="cannot read"):
        _run("import_pabulib", str(tmp_path / "missing.pb"), "--council", council.slug)
    assert BudgetProcess.objects.count() == 0


def test_the_export_command_needs_a_budget_when_there_are_several(council, tmp_path):
    scene = build_scene(council)
    domain.cast_ballot(scene.moot_resident, scene.whole, [scene.projects["library"].pk])
    process = domain.change_phase(None, scene.process, Phase.RESULTS)
    target = tmp_path / "out.pb"

    with pytest.raises(CommandError) as caught:
        _run("export_pabulib", str(process.pk), str(target))

    message = str(caught.value)
    assert "several budgets" in message
    assert "--budget" in message
    for budget in (scene.whole, scene.moot_budget, scene.hill_budget):
        assert str(budget.pk) in message
    assert not target.exists()
    output = _run("export_pabulib", str(process.pk), str(target), "--budget", str(scene.whole.pk))
    assert "3 projects, 1 votes" in output
    assert read_pb(target).meta["budget"] == "100000"
    with pytest.raises(CommandError, match="not one of this process"):
        _run("export_pabulib", str(process.pk), str(target), "--budget", "999999")
    with pytest.raises(CommandError, match="There is no budgeting process"):
        _run("export_pabulib", "999999", str(target))
