"""``import_postcodes``: ONS postcode-directory style CSVs into the postcode directory."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from moothall.core.models import AuditEntry
from moothall.councils.importers.postcodes import import_postcodes
from moothall.councils.lookup import representation_for
from moothall.councils.models import Postcode
from tests import factories

pytestmark = pytest.mark.django_db

CODES = ("postcode", "ward_gss", "division_gss", "district_gss", "county_gss", "parish_gss")


def run(path, *options: str) -> str:
    out = io.StringIO()
    call_command("import_postcodes", str(path), "--no-progress", *options, stdout=out)
    return out.getvalue().strip()


def stored() -> list[tuple[str, ...]]:
    return list(Postcode.objects.order_by("postcode").values_list(*CODES))


def test_it_reads_an_onspd_file_and_blanks_the_ons_placeholders(fixtures):
    assert run(fixtures / "postcodes_onspd.csv") == (
        "Postcodes: 3 rows read, 3 created, 0 updated, 0 unchanged, 0 skipped."
    )

    assert stored() == [
        ("BN43 5FB", "E05007562", "E58001525", "E07000223", "E10000032", "E43000099"),
        ("SE1 2QH", "E05011104", "", "E09000028", "", "E43000218"),
        ("SW2 1RD", "E05014109", "", "E09000022", "", "E43000214"),
    ]


def test_it_reads_an_nspl_file(fixtures):
    assert run(fixtures / "postcodes_nspl.csv") == (
        "Postcodes: 2 rows read, 2 created, 0 updated, 0 unchanged, 0 skipped."
    )

    assert stored() == [
        ("LL15 2AB", "W05001005", "", "W06000004", "", "W04000169"),
        ("PO19 1RQ", "E05007600", "E58001508", "E07000225", "E10000032", "E43000101"),
    ]


def test_it_reads_the_canonical_header_in_any_case(fixtures):
    assert run(fixtures / "postcodes_canonical.csv") == (
        "Postcodes: 2 rows read, 2 created, 0 updated, 0 unchanged, 0 skipped."
    )

    assert stored() == [
        ("MH1 1AA", "E05900001", "E58900001", "E07900001", "E10900001", "E04900001"),
        ("MH1 1AB", "E05900002", "E58900002", "E07900001", "E10900001", ""),
    ]


def test_importing_the_same_file_twice_gives_the_same_rows(fixtures):
    run(fixtures / "postcodes_onspd.csv")
    first = stored()
    ids = list(Postcode.objects.order_by("pk").values_list("pk", flat=True))

    assert run(fixtures / "postcodes_onspd.csv") == (
        "Postcodes: 3 rows read, 0 created, 0 updated, 3 unchanged, 0 skipped."
    )
    assert stored() == first
    assert list(Postcode.objects.order_by("pk").values_list("pk", flat=True)) == ids
    assert list(
        AuditEntry.objects.filter(action="postcodes.imported")
        .order_by("pk")
        .values_list("details", flat=True)
    ) == [
        {
            "source": str(fixtures / "postcodes_onspd.csv"),
            "rows": 3,
            "created": 3,
            "updated": 0,
            "unchanged": 0,
            "skipped": 0,
            "terminated": 0,
        },
        {
            "source": str(fixtures / "postcodes_onspd.csv"),
            "rows": 3,
            "created": 0,
            "updated": 0,
            "unchanged": 3,
            "skipped": 0,
            "terminated": 0,
        },
    ]


def test_a_postcode_that_moved_ward_is_updated(fixtures):
    factories.PostcodeFactory(postcode="SE1 2QH", ward_gss="E05000001", district_gss="E09000028")

    assert run(fixtures / "postcodes_onspd.csv") == (
        "Postcodes: 3 rows read, 2 created, 1 updated, 0 unchanged, 0 skipped."
    )
    assert Postcode.objects.get(postcode="SE1 2QH").ward_gss == "E05011104"
    assert Postcode.objects.count() == 3


@pytest.mark.parametrize("batch_size", ["1", "2", "5000"])
def test_any_batch_size_gives_the_same_result(fixtures, batch_size):
    assert run(fixtures / "postcodes_onspd.csv", "--batch-size", batch_size) == (
        "Postcodes: 3 rows read, 3 created, 0 updated, 0 unchanged, 0 skipped."
    )
    assert [row[0] for row in stored()] == ["BN43 5FB", "SE1 2QH", "SW2 1RD"]


def test_malformed_rows_are_skipped_and_reported_by_line(fixtures):
    assert run(fixtures / "postcodes_malformed.csv") == (
        "Postcodes: 5 rows read, 2 created, 0 updated, 0 unchanged, 3 skipped. "
        "Skipped lines: 3, 4, 5."
    )

    assert [row[0] for row in stored()] == ["MH1 1AA", "MH1 1AE"]


def test_only_the_first_ten_skipped_lines_are_listed(tmp_path):
    path = tmp_path / "many_bad.csv"
    path.write_text("postcode,ward,district,county,parish\n" + "nonsense,,,,\n" * 12)

    assert run(path) == (
        "Postcodes: 12 rows read, 0 created, 0 updated, 0 unchanged, 12 skipped. "
        "Skipped lines: 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 …."
    )


def test_a_bad_header_is_refused_in_one_line_and_writes_nothing(fixtures):
    with pytest.raises(CommandError) as error:
        run(fixtures / "postcodes_bad_header.csv")

    assert str(error.value) == (
        "The header has no ward/osward, district/oslaua/laua column (expected postcode, ward, "
        "district, county, parish, division, or the ONSPD/NSPL names)."
    )
    assert Postcode.objects.count() == 0
    assert AuditEntry.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"pcds,osward\nSE1 2QH,E05011104\n", None),
    ],
    ids=["empty", "too-few-columns"],
)
def test_a_file_without_a_usable_header_is_refused(tmp_path, content, message):
    path = tmp_path / "postcodes.csv"
    path.write_bytes(content)

    with pytest.raises(CommandError) as error:
        run(path)

    assert str(error.value) == (
        message
        or "The header has no district/oslaua/laua, county/oscty/cty column (expected postcode, "
        "ward, district, county, parish, division, or the ONSPD/NSPL names)."
    )
    assert Postcode.objects.count() == 0


def test_a_batch_size_below_one_is_refused(fixtures):
    with pytest.raises(CommandError) as error:
        run(fixtures / "postcodes_onspd.csv", "--batch-size", "0")

    assert str(error.value) == "The batch size must be at least 1."


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError) as error:
        run(tmp_path / "nope.csv")

    assert str(error.value) == f"Cannot read {tmp_path / 'nope.csv'}: No such file or directory."


def test_it_draws_a_progress_bar_on_stderr(fixtures):
    out, err = io.StringIO(), io.StringIO()

    call_command("import_postcodes", str(fixtures / "postcodes_onspd.csv"), stdout=out, stderr=err)

    size = (fixtures / "postcodes_onspd.csv").stat().st_size
    assert err.getvalue().startswith("\rPostcodes:   0%|")
    assert f"| {size}/{size} " in err.getvalue()
    assert out.getvalue() == (
        "Postcodes: 3 rows read, 3 created, 0 updated, 0 unchanged, 0 skipped.\n"
    )


def test_a_byte_order_mark_windows_line_ends_and_no_parish_column_are_fine(tmp_path):
    path = tmp_path / "excel.csv"
    path.write_bytes(
        "\ufeffPostcode,Ward,District,County\r\nSE1 2QH,E05011104,E09000028,\r\n".encode()
    )

    summary = import_postcodes(path)

    assert (summary.rows, summary.created, summary.skipped) == (1, 1, 0)
    assert stored() == [("SE1 2QH", "E05011104", "", "E09000028", "", "")]


def test_an_imported_postcode_answers_who_represents_me(fixtures):
    southwark = factories.CouncilFactory(short_name="Southwark", gss_code="E09000028")
    ward = factories.WardFactory(council=southwark, gss_code="E05011104")
    run(fixtures / "postcodes_onspd.csv")

    answer = representation_for("se12qh")

    assert [(r.council, r.ward) for r in answer.representations] == [(southwark, ward)]


ONSPD_HEADER = "pcd,pcd2,pcds,dointr,doterm,oscty,ced,oslaua,osward,parish,usertype,ctry"


def test_a_terminated_postcode_is_kept_in_todays_areas_and_counted(tmp_path):
    # Last quarter BN43 5FB was live in ward E05007562; ONS has since terminated it
    # and, as it does for every terminated postcode, placed it in today's ward.
    factories.PostcodeFactory(
        postcode="BN43 5FB",
        ward_gss="E05007562",
        division_gss="E58001525",
        district_gss="E07000223",
        county_gss="E10000032",
        parish_gss="",
    )
    path = tmp_path / "onspd.csv"
    path.write_text(
        f"{ONSPD_HEADER}\n"
        "BN435FB,BN43 5FB,BN43 5FB,198001,202405,E10000032,E58001525,E07000223,E05015123,"
        "E43000099,0,E92000001\n"
        "SE1 2QH,SE1  2QH,SE1 2QH,198001,,E99999999,E99999999,E09000028,E05011104,"
        "E43000218,0,E92000001\n"
    )

    assert run(path) == (
        "Postcodes: 2 rows read, 1 created, 1 updated, 0 unchanged, 0 skipped. "
        "1 of them terminated postcodes, kept."
    )
    assert stored() == [
        ("BN43 5FB", "E05015123", "E58001525", "E07000223", "E10000032", "E43000099"),
        ("SE1 2QH", "E05011104", "", "E09000028", "", "E43000218"),
    ]
    entry = AuditEntry.objects.get(action="postcodes.imported")
    assert (entry.details["terminated"], entry.details["updated"]) == (1, 1)


def test_it_reads_the_year_coded_column_names_taking_the_latest_year(tmp_path):
    path = tmp_path / "onspd_2025.csv"
    path.write_text(
        "pcd7,pcd8,dointr,doterm,lad24cd,cty25cd,ced25cd,lad25cd,wd25cd,parncp25cd,ctry25cd\n"
        "BN435FB,BN43 5FB,198001,,E07000999,E10000032,E58001525,E07000223,E05007562,"
        "E04012345,E92000001\n"
    )

    assert run(path) == "Postcodes: 1 rows read, 1 created, 0 updated, 0 unchanged, 0 skipped."
    assert stored() == [
        ("BN43 5FB", "E05007562", "E58001525", "E07000223", "E10000032", "E04012345")
    ]
