"""`python -m moothall import_population CSV --council SLUG`."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from moothall.population.models import WardPopulation
from tests.population.scene import GOOD_CSV, build_area

pytestmark = pytest.mark.django_db


def run(*args: str) -> str:
    out = StringIO()
    call_command("import_population", *args, stdout=out)
    return out.getvalue()


def test_the_command_loads_a_file_and_says_what_it_loaded(council, tmp_path):
    build_area(council, figures=False)
    path = tmp_path / "wards.csv"
    path.write_text(GOOD_CSV, encoding="utf-8")

    output = run(str(path), "--council", "mootshire", "--source", "Census 2021", "--year", "2021")

    assert output == (
        "Loaded 8 figures for 2 wards of Mootshire: 7,790 residents (earlier figures replaced).\n"
    )
    assert WardPopulation.objects.filter(council=council, source="Census 2021").count() == 8


def test_the_command_names_wards_left_without_figures(council, tmp_path):
    build_area(council, figures=False)
    path = tmp_path / "abbey.csv"
    path.write_text("ward_name,age_band,sex,count\nAbbey,16_24,female,5\n", encoding="utf-8")

    output = run(str(path), "--council", "mootshire", "--keep")

    assert output.splitlines() == [
        "Loaded 1 figure for 1 ward of Mootshire: 5 residents (other figures kept).",
        "1 ward without figures: Brook",
    ]


def test_a_bad_file_stops_the_command_with_every_problem_and_writes_nothing(council, tmp_path):
    build_area(council, figures=False)
    path = tmp_path / "bad.csv"
    path.write_text("ward_name,age_band,sex,count\nAbbey,16_24,female,1\nNowhere,x,y,-1\n")

    with pytest.raises(CommandError) as caught:
        run(str(path), "--council", "mootshire")

    assert str(caught.value).splitlines() == [
        f"{path} was not loaded; nothing was written:",
        "Line 3: no ward is called “Nowhere”.",
        "Line 3: “x” is not an age band (use one like 16_24 or “16 to 24”).",
        "Line 3: “y” is not a sex (use female or male).",
        "Line 3: the count must be a whole number of 0 or more, not “-1”.",
    ]
    assert not WardPopulation.objects.exists()


def test_an_unknown_council_or_missing_file_is_an_error(council, tmp_path):
    with pytest.raises(CommandError, match="There is no council 'nowhere'"):
        run(str(tmp_path / "x.csv"), "--council", "nowhere")
    with pytest.raises(CommandError, match="Cannot read"):
        run(str(tmp_path / "missing.csv"), "--council", "mootshire")
