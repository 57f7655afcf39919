"""Loading ward population figures: a good file is loaded whole, a bad one not at all."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from moothall.core.models import AuditEntry
from moothall.population.domain import import_population, parse_age_band, parse_sex
from moothall.population.models import WardPopulation
from tests import factories
from tests.population.scene import GOOD_CSV, build_area

pytestmark = pytest.mark.django_db


@pytest.fixture
def area(council):
    return build_area(council, figures=False)


def cells(council) -> dict[tuple[str, str, str], int]:
    return {
        (ward, band, sex): count
        for ward, band, sex, count in WardPopulation.objects.filter(council=council).values_list(
            "ward__name", "age_band", "sex", "count"
        )
    }


def refusal(area, text: str) -> list[str]:
    with pytest.raises(ValidationError) as caught:
        import_population(area.council, text, by=None)
    return caught.value.messages


def test_a_good_file_is_loaded_whole_and_audited(area, officer):
    summary = import_population(
        area.council, GOOD_CSV, by=officer, source_name="Census 2021", year=2021
    )

    assert (summary.rows, summary.wards, summary.residents) == (8, 2, 7790)
    assert summary.wards_without_figures == []
    assert cells(area.council)[("Abbey", "16_24", "male")] == 990
    assert cells(area.council)[("Brook", "75_plus", "female")] == 700
    assert set(WardPopulation.objects.values_list("source", "year")) == {("Census 2021", 2021)}
    entry = AuditEntry.objects.get(action="population.imported")
    assert entry.actor == officer
    assert entry.council == area.council
    assert entry.details["rows"] == 8
    assert entry.details["residents"] == 7790


def test_wards_are_matched_by_name_alone_and_bands_by_their_labels(area):
    text = (
        "Ward Name,Age,Sex,Population\n"
        "abbey,16-24,Female,10\n"
        "ABBEY,16 to 24,M,11\n"
        "Brook,75+,F,12\n"
        "brook,Aged 75 years and over,male,13\n"
        "Brook,Under 16,female,14\n"
        "Brook,0-15,male,15\n"
        "Brook,25–34,female,16\n"
    )

    import_population(area.council, text, by=None)

    assert cells(area.council) == {
        ("Abbey", "16_24", "female"): 10,
        ("Abbey", "16_24", "male"): 11,
        ("Brook", "75_plus", "female"): 12,
        ("Brook", "75_plus", "male"): 13,
        ("Brook", "under_16", "female"): 14,
        ("Brook", "under_16", "male"): 15,
        ("Brook", "25_34", "female"): 16,
    }


def test_ward_names_are_matched_loosely(area):
    ward = factories.WardFactory(
        council=area.council, name="St Anne's and Castle", slug="st-annes-and-castle"
    )
    text = "ward_name,age_band,sex,count\nst annes & castle,16_24,female,1\nST. ANNE’S-AND-CASTLE,16_24,male,2\n"

    import_population(area.council, text, by=None)

    assert WardPopulation.objects.filter(ward=ward).count() == 2


def test_wards_are_matched_by_code_alone(area):
    import_population(
        area.council, "ward_code,age_band,sex,count\ne05000002,45_54,male,7\n", by=None
    )

    assert cells(area.council) == {("Brook", "45_54", "male"): 7}


def test_a_spreadsheet_file_in_windows_encoding_with_a_bom_is_read(area):
    ward = factories.WardFactory(council=area.council, name="St Ann’s", slug="st-anns")
    data = "\ufeffward_name,age_band,sex,count\r\nSt Ann’s,16_24,female,5\r\n".encode("utf-8")
    import_population(area.council, data, by=None)
    assert WardPopulation.objects.get().ward == ward

    cp1252 = "ward_name,age_band,sex,count\r\nSt Ann’s,16_24,female,6\r\n".encode("cp1252")
    import_population(area.council, cp1252, by=None)
    assert WardPopulation.objects.get().count == 6


def test_replacing_removes_the_old_figures_and_keeping_updates_in_place(area):
    import_population(area.council, GOOD_CSV, by=None)

    import_population(
        area.council, "ward_name,age_band,sex,count\nAbbey,16_24,female,1\n", by=None, replace=False
    )
    assert len(cells(area.council)) == 8
    assert cells(area.council)[("Abbey", "16_24", "female")] == 1

    summary = import_population(
        area.council, "ward_name,age_band,sex,count\nAbbey,16_24,female,2\n", by=None
    )
    assert cells(area.council) == {("Abbey", "16_24", "female"): 2}
    assert summary.wards_without_figures == ["Brook"]


BAD_FILES = {
    "an unknown ward name": (
        "ward_name,age_band,sex,count\nAbbey,16_24,female,1\nNowhere,16_24,male,2\n",
        ["Line 3: no ward is called “Nowhere”."],
    ),
    "an unknown ward code": (
        "ward_code,age_band,sex,count\nE05999999,16_24,male,2\n",
        ["Line 2: no ward has the code “E05999999”."],
    ),
    "a code and a name that disagree": (
        "ward_code,ward_name,age_band,sex,count\nE05000001,Brook,16_24,male,2\n",
        ["Line 2: the code “E05000001” is Abbey, but the name says Brook."],
    ),
    "no ward at all": (
        "ward_code,ward_name,age_band,sex,count\n,,16_24,male,2\n",
        ["Line 2: the ward is missing (give its code or its name)."],
    ),
    "an unknown age band": (
        "ward_name,age_band,sex,count\nAbbey,16-30,female,1\n",
        ["Line 2: “16-30” is not an age band (use one like 16_24 or “16 to 24”)."],
    ),
    "an unknown sex": (
        "ward_name,age_band,sex,count\nAbbey,16_24,other,1\n",
        ["Line 2: “other” is not a sex (use female or male)."],
    ),
    "a negative count": (
        "ward_name,age_band,sex,count\nAbbey,16_24,female,-4\n",
        ["Line 2: the count must be a whole number of 0 or more, not “-4”."],
    ),
    "a count with a fraction": (
        "ward_name,age_band,sex,count\nAbbey,16_24,female,12.5\n",
        ["Line 2: the count must be a whole number of 0 or more, not “12.5”."],
    ),
    "a count that is not a number": (
        "ward_name,age_band,sex,count\nAbbey,16_24,female,many\n",
        ["Line 2: the count must be a whole number of 0 or more, not “many”."],
    ),
    "a huge count": (
        "ward_name,age_band,sex,count\nAbbey,16_24,female,99999999999\n",
        ["Line 2: a count of 99999999999 is more than any ward holds."],
    ),
    "a missing count": (
        "ward_name,age_band,sex,count\nAbbey,16_24,female\n",
        ["Line 2: the count is missing."],
    ),
    "a cell given twice": (
        "ward_name,age_band,sex,count\nAbbey,16_24,female,1\nabbey,16-24,F,2\n",
        ["Line 3: the figure for Abbey, 16 to 24, Female was already given on line 2."],
    ),
    "no ward column": (
        "place,age_band,sex,count\nAbbey,16_24,female,1\n",
        ["The file needs a column headed “ward_code” or “ward_name” (or both)."],
    ),
    "no count column": (
        "ward_name,age_band,sex\nAbbey,16_24,female\n",
        ["The file needs a column headed “count”."],
    ),
    "only a heading": ("ward_name,age_band,sex,count\n", ["The file has no figures in it."]),
    "nothing": ("", ["The file is empty."]),
    "not text": (
        b"\x81\x8d\x8f\x90\x9d",
        ["The file is not text in UTF-8. Save it from your spreadsheet as “CSV UTF-8”."],
    ),
}


@pytest.mark.parametrize("kind", BAD_FILES)
def test_a_bad_file_is_refused_with_its_lines_and_nothing_is_written(area, kind):
    import_population(area.council, GOOD_CSV, by=None)
    before = cells(area.council)
    text, expected = BAD_FILES[kind]

    assert refusal(area, text) == expected
    assert cells(area.council) == before
    assert AuditEntry.objects.filter(action="population.imported").count() == 1


def test_every_problem_is_listed_not_only_the_first(area):
    text = (
        "ward_name,age_band,sex,count\n"
        "Abbey,16_24,female,1\n"
        "Nowhere,16_24,female,1\n"
        "Abbey,old,female,x\n"
    )
    assert refusal(area, text) == [
        "Line 3: no ward is called “Nowhere”.",
        "Line 4: “old” is not an age band (use one like 16_24 or “16 to 24”).",
        "Line 4: the count must be a whole number of 0 or more, not “x”.",
    ]


def test_a_long_list_of_problems_is_cut_short(area):
    text = "ward_name,age_band,sex,count\n" + "Nowhere,16_24,female,1\n" * 60
    messages = refusal(area, text)
    assert len(messages) == 51
    assert messages[-1] == "…and 10 more problems."


def test_a_ward_of_another_council_is_unknown(area, other_council):
    factories.WardFactory(council=other_council, name="Elsewhere", gss_code="E05000009")
    assert refusal(area, "ward_code,age_band,sex,count\nE05000009,16_24,male,2\n") == [
        "Line 2: no ward has the code “E05000009”."
    ]


def test_someone_who_does_not_run_consultations_may_not_load_figures(
    area, moderator, resident, outsider
):
    for person in (moderator, resident, outsider):
        with pytest.raises(PermissionDenied):
            import_population(area.council, GOOD_CSV, by=person)
    assert not WardPopulation.objects.exists()


def test_a_bad_year_or_source_is_refused(area):
    with pytest.raises(ValidationError):
        import_population(area.council, GOOD_CSV, by=None, year=99)
    with pytest.raises(ValidationError):
        import_population(area.council, GOOD_CSV, by=None, source_name="two\nlines")
    assert not WardPopulation.objects.exists()


@pytest.mark.parametrize(
    ("text", "band"),
    [
        ("16_24", "16_24"),
        ("16 to 24", "16_24"),
        ("16-24", "16_24"),
        (" 16 - 24 ", "16_24"),
        ("Aged 16 to 24 years", "16_24"),
        ("under_16", "under_16"),
        ("Aged 15 years and under", "under_16"),
        ("75 or over", "75_plus"),
        ("75+", "75_plus"),
        ("16-25", None),
        ("", None),
    ],
)
def test_age_bands_are_read_in_their_usual_spellings(text, band):
    assert parse_age_band(text) == band


def test_sexes_are_read_in_their_usual_spellings():
    assert [parse_sex(s) for s in ("F", "female", "Males", "m", "x")] == [
        "female",
        "female",
        "male",
        "male",
        None,
    ]
