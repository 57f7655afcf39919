"""``import_councils``: the UK council register into councils, checked against the real file."""

from __future__ import annotations

import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from moothall.core.models import AuditEntry
from moothall.councils.models import Council
from tests import factories

pytestmark = pytest.mark.django_db


def run(path) -> str:
    out = io.StringIO()
    call_command("import_councils", str(path), stdout=out)
    return out.getvalue().strip()


def test_it_imports_every_current_authority_of_the_real_register(register_csv):
    assert run(register_csv) == "Councils: 397 created, 0 updated, 0 unchanged."

    assert Council.objects.count() == 397
    assert Counter(Council.objects.values_list("tier", flat=True)) == {
        "district": 164,
        "unitary": 197,
        "county": 21,
        "combined": 15,
    }
    assert Counter(Council.objects.values_list("nation", flat=True)) == {
        "england": 332,
        "scotland": 32,
        "wales": 22,
        "northern-ireland": 11,
    }
    assert Council.objects.filter(tier="district", parent__tier="county").count() == 164
    assert Council.objects.exclude(tier="district").filter(parent__isnull=False).count() == 0
    # Abolished authorities (current-authority False) are left out.
    assert not Council.objects.filter(register_code="NYK").exists()


def test_a_district_is_linked_to_its_county_with_the_registers_details(register_csv):
    run(register_csv)

    adur = Council.objects.select_related("parent").get(gss_code="E07000223")
    assert (adur.name, adur.short_name, adur.slug) == ("Adur District Council", "Adur", "adur")
    assert (adur.tier, adur.nation, adur.register_code) == ("district", "england", "ADU")
    assert adur.population == 64187
    assert adur.parent is not None
    assert (adur.parent.name, adur.parent.tier) == ("West Sussex County Council", "county")


def test_each_authority_type_gets_its_tier_and_nation(register_csv):
    run(register_csv)

    assert {
        c.register_code: (c.slug, c.tier, c.nation)
        for c in Council.objects.filter(
            register_code__in=["SWK", "LND", "GLA", "DEN", "NYE", "KEN", "WMCA", "ABE", "ABC"]
        )
    } == {
        "SWK": ("southwark", "unitary", "england"),  # London borough
        "LND": ("city-of-london", "unitary", "england"),  # City corporation
        "GLA": ("greater-london", "combined", "england"),  # strategic regional authority
        "DEN": ("denbighshire", "unitary", "wales"),  # Welsh principal area
        "NYE": ("north-yorkshire", "unitary", "england"),  # unitary authority
        "KEN": ("kent", "county", "england"),
        "WMCA": ("west-midlands", "combined", "england"),  # combined authority
        "ABE": ("aberdeen-city", "unitary", "scotland"),
        "ABC": ("armagh-city-banbridge-and-craigavon", "unitary", "northern-ireland"),
    }


def test_running_it_again_changes_nothing_and_duplicates_nothing(register_csv):
    run(register_csv)

    assert run(register_csv) == "Councils: 0 created, 0 updated, 397 unchanged."
    assert Council.objects.count() == 397
    assert list(
        AuditEntry.objects.filter(action="councils.imported")
        .order_by("pk")
        .values_list("details", flat=True)
    ) == [
        {"source": str(register_csv), "created": 397, "updated": 0, "unchanged": 0},
        {"source": str(register_csv), "created": 0, "updated": 0, "unchanged": 397},
    ]


def test_an_edited_row_updates_its_council_and_keeps_the_councils_own_brand(register_csv, tmp_path):
    run(register_csv)
    adur = Council.objects.get(register_code="ADU")
    adur.colour = "#0b0c0c"
    adur.logo = "councils/logos/adur.png"
    adur.slug = "adur-dc"
    adur.save()
    edited = tmp_path / "edited.csv"
    edited.write_text(
        register_csv.read_text(encoding="utf-8").replace(
            "ADU,Adur District Council,Adur,", "ADU,Adur and Shoreham Council,Adur & Shoreham,"
        ),
        encoding="utf-8",
    )

    assert run(edited) == "Councils: 0 created, 1 updated, 396 unchanged."

    adur.refresh_from_db()
    assert (adur.name, adur.short_name) == ("Adur and Shoreham Council", "Adur & Shoreham")
    assert (adur.colour, adur.logo.name, adur.slug) == (
        "#0b0c0c",
        "councils/logos/adur.png",
        "adur-dc",
    )
    assert Council.objects.count() == 397


def test_a_council_already_there_is_matched_by_gss_code_then_by_register_code(register_csv):
    by_gss = factories.CouncilFactory(
        name="Southwark", short_name="Southwark", slug="sthwk", gss_code="E09000028", tier="parish"
    )
    by_code = factories.CouncilFactory(
        name="Lambeth", short_name="Lambeth", slug="lam", gss_code=None, register_code="LBH"
    )

    assert run(register_csv) == "Councils: 395 created, 2 updated, 0 unchanged."

    by_gss.refresh_from_db()
    by_code.refresh_from_db()
    assert (by_gss.name, by_gss.tier, by_gss.slug) == (
        "London Borough of Southwark",
        "unitary",
        "sthwk",
    )
    assert (by_code.name, by_code.gss_code, by_code.slug) == (
        "London Borough of Lambeth",
        "E09000022",
        "lam",
    )
    assert Council.objects.count() == 397


def test_a_slug_that_is_reserved_or_already_taken_gets_the_register_code(fixtures):
    factories.CouncilFactory(name="Ashford", slug="ashford", gss_code="E07999999")

    assert run(fixtures / "councils_small.csv") == "Councils: 3 created, 0 updated, 0 unchanged."

    assert dict(
        Council.objects.filter(register_code__in=["KEN", "ASF", "HLP"]).values_list(
            "register_code", "slug"
        )
    ) == {"KEN": "kent", "ASF": "ashford-asf", "HLP": "help-hlp"}
    assert Council.objects.get(register_code="ASF").parent == Council.objects.get(
        register_code="KEN"
    )
    assert Council.objects.get(register_code="HLP").population is None
    assert not Council.objects.filter(register_code="OLD").exists()


def test_a_file_with_the_wrong_header_is_refused_in_one_line_and_writes_nothing(fixtures):
    with pytest.raises(CommandError) as error:
        run(fixtures / "councils_wrong_header.csv")

    assert str(error.value) == (
        "The file is missing these columns: local-authority-code, nice-name, "
        "local-authority-type, county-la, pop-2020."
    )
    assert Council.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_a_bad_row_anywhere_refuses_the_whole_file(register_csv, tmp_path):
    broken = tmp_path / "broken.csv"
    broken.write_text(
        register_csv.read_text(encoding="utf-8").replace(
            "England,South East,NMD,Non-metropolitan district,WSX",
            "England,South East,XYZ,Non-metropolitan district,WSX",
        ),
        encoding="utf-8",
    )

    with pytest.raises(CommandError) as error:
        run(broken)

    assert str(error.value) == "Line 5: unknown local-authority-type “XYZ”."
    assert Council.objects.count() == 0


def test_a_district_whose_county_is_unknown_is_refused(fixtures, tmp_path):
    orphan = tmp_path / "orphan.csv"
    orphan.write_text(
        (fixtures / "councils_small.csv").read_text().replace("NMD,KEN,True", "NMD,ZZZ,True"),
        encoding="utf-8",
    )

    with pytest.raises(CommandError) as error:
        run(orphan)

    assert str(error.value) == "Line 3: county-la ZZZ is not a current authority."
    assert Council.objects.count() == 0


def test_a_missing_file_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError) as error:
        run(tmp_path / "nope.csv")

    assert str(error.value) == f"Cannot read {tmp_path / 'nope.csv'}: No such file or directory."
