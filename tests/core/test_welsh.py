"""Welsh (cy) is shipped: both catalogues are complete, compiled, and used by the pages.

Two catalogues: ``locale/`` holds Moothall's own strings; ``locale_vendor/`` holds Welsh for
the django-allauth strings our account pages show (allauth ships no Welsh).
"""

from __future__ import annotations

import ast
import gettext
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from moothall.public.forms import PostcodeForm

PACKAGE_DIR = Path(__file__).resolve().parents[2] / "src" / "moothall"
OURS = PACKAGE_DIR / "locale" / "cy" / "LC_MESSAGES" / "django.po"
VENDOR = PACKAGE_DIR / "locale_vendor" / "cy" / "LC_MESSAGES" / "django.po"
CATALOGUES = [pytest.param(OURS, id="moothall"), pytest.param(VENDOR, id="allauth")]
WELSH_PLURALS = "nplurals=4; plural=(n==1) ? 0 : (n==2) ? 1 : (n != 8 && n != 11) ? 2 : 3;"


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    context: str | None = None
    msgid: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)


_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$')


def parse_po(path: Path) -> list[Entry]:
    """The entries of a .po file, header first; obsolete (#~) entries are left out."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None

    def entry_at(number: int) -> Entry:
        """The entry a comment, msgctxt or msgid line belongs to: a new one after a msgid."""
        nonlocal current
        if current is None or current.msgid is not None:
            if current is not None:
                entries.append(current)
            current = Entry(line=number)
        return current

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            target = None
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#"):
            entry = entry_at(number)
            if line.startswith("#,"):
                entry.flags.update(flag.strip() for flag in line[2:].split(","))
            continue
        match = _KEYWORD.match(line)
        if match:
            keyword, index, literal = match.groups()
            value = ast.literal_eval(literal)
            if keyword in ("msgctxt", "msgid"):
                entry_at(number)
            assert current is not None
            if keyword == "msgctxt":
                current.context, target = value, ("msgctxt", 0)
            elif keyword == "msgid":
                current.msgid, target = value, ("msgid", 0)
            elif keyword == "msgid_plural":
                current.msgid_plural, target = value, ("msgid_plural", 0)
            else:
                slot = int(index) if index is not None else 0
                current.msgstr[slot], target = value, ("msgstr", slot)
            continue
        if line.startswith('"') and current is not None and target is not None:
            value = ast.literal_eval(line)
            kind, slot = target
            if kind == "msgctxt":
                current.context = (current.context or "") + value
            elif kind == "msgid":
                current.msgid = (current.msgid or "") + value
            elif kind == "msgid_plural":
                current.msgid_plural = (current.msgid_plural or "") + value
            else:
                current.msgstr[slot] += value
            continue
        raise AssertionError(f"{path.name}:{number}: cannot read {raw!r}")
    if current is not None and current.msgid is not None:
        entries.append(current)
    return entries


def compiled(po_path: Path, out: Path) -> dict[object, str]:
    """The catalogue msgfmt makes from ``po_path`` (checking formats as it goes)."""
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.fail(
            "msgfmt (GNU gettext) is not installed, so the committed .mo files cannot be "
            "checked against the .po files. Install it: apt-get install gettext"
        )
    result = subprocess.run(  # noqa: S603 - the msgfmt on PATH and our own files
        [msgfmt, "--check-format", "--check", "-o", str(out), str(po_path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return loaded(out)


def loaded(mo_path: Path) -> dict[object, str]:
    with mo_path.open("rb") as handle:
        return dict(gettext.GNUTranslations(handle)._catalog)  # type: ignore[attr-defined]


@pytest.mark.parametrize("po_path", CATALOGUES)
def test_every_message_in_the_welsh_catalogue_is_translated_and_none_is_fuzzy(po_path):
    header, *messages = parse_po(po_path)

    assert header.msgid == ""
    assert "fuzzy" not in header.flags
    assert "Language: cy\n" in header.msgstr[0]
    assert f"Plural-Forms: {WELSH_PLURALS}\n" in header.msgstr[0]
    assert "Content-Type: text/plain; charset=UTF-8\n" in header.msgstr[0]
    assert len(messages) > 200
    untranslated = [
        f"line {entry.line}: {entry.msgid!r}"
        for entry in messages
        if "fuzzy" in entry.flags
        or sorted(entry.msgstr) != ([0, 1, 2, 3] if entry.msgid_plural else [0])
        or not all(text.strip() for text in entry.msgstr.values())
    ]
    assert untranslated == []


def test_the_allauth_catalogue_leaves_out_what_our_own_catalogue_already_translates():
    ours = {(entry.context, entry.msgid) for entry in parse_po(OURS)[1:]}
    vendor = {(entry.context, entry.msgid) for entry in parse_po(VENDOR)[1:]}

    assert ours & vendor == set()
    assert [OURS.parents[2], VENDOR.parents[2]] == settings.LOCALE_PATHS


@pytest.mark.parametrize("po_path", CATALOGUES)
def test_the_committed_mo_file_matches_its_po_file(po_path, tmp_path):
    fresh = compiled(po_path, tmp_path / "django.mo")
    committed = loaded(po_path.with_suffix(".mo"))

    assert sorted(committed, key=repr) == sorted(fresh, key=repr)
    assert committed == fresh


def test_the_site_chrome_and_the_postcode_form_speak_welsh():
    with translation.override("cy"):
        assert translation.gettext("Skip to main content") == "Neidio i'r prif gynnwys"
        assert translation.gettext("Sign in") == "Mewngofnodi"
        assert translation.gettext("Sign out") == "Allgofnodi"
        assert str(PostcodeForm().fields["postcode"].label) == "Rhowch eich cod post"
        assert str(PostcodeForm().fields["postcode"].help_text) == "Er enghraifft, SW1A 1AA"


def test_allauths_own_strings_come_out_in_welsh():
    with translation.override("cy"):
        assert translation.gettext("Incorrect code.") == "Cod anghywir."
        assert translation.gettext("Remember Me") == "Cofio fi"
        assert translation.gettext("You have signed out.") == "Rydych chi wedi allgofnodi."
        assert (
            translation.gettext("Successfully signed in as %(name)s.") % {"name": "Rita"}
            == "Rydych chi wedi mewngofnodi fel Rita."
        )
        assert translation.pgettext("field label", "Login") == "Manylion mewngofnodi"


@pytest.mark.parametrize(
    ("count", "expected"),
    [
        (1, "1 cynghorydd, fesul ward."),
        (2, "2 o gynghorwyr, fesul ward."),
        (3, "3 o gynghorwyr, fesul ward."),
        (8, "8 o gynghorwyr, fesul ward."),
        (11, "11 o gynghorwyr, fesul ward."),
        (0, "0 o gynghorwyr, fesul ward."),
    ],
)
def test_welsh_counts_use_the_plural_form_for_their_number(count, expected):
    with translation.override("cy"):
        text = translation.ngettext(
            "%(counter)s councillor, by ward.", "%(counter)s councillors, by ward.", count
        ) % {"counter": count}

    assert text == expected


@pytest.mark.django_db
def test_a_resident_who_chose_welsh_gets_the_home_page_in_welsh(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"

    response = client.get("/")

    assert response.status_code == 200
    assert response.headers["Content-Language"] == "cy"
    assert '<html lang="cy" class="govuk-template">' in response.text
    assert "<title>Dod o hyd i'ch cynghorau a'ch cynghorwyr – Moothall</title>" in response.text
    assert (
        "<h1 class=\"govuk-heading-xl\">Dod o hyd i'ch cynghorau a'ch cynghorwyr</h1>"
        in response.text
    )
    assert (
        '<label class="govuk-label govuk-label--m" for="postcode">Rhowch eich cod post</label>'
        in response.text
    )
    assert 'data-module="govuk-skip-link">Neidio i\'r prif gynnwys</a>' in response.text
    assert "Find your councils and councillors" not in response.text


@pytest.mark.django_db
def test_a_resident_without_a_language_choice_gets_the_home_page_in_english(client):
    response = client.get("/")

    assert response.status_code == 200
    assert '<html lang="en-GB" class="govuk-template">' in response.text
    assert '<h1 class="govuk-heading-xl">Find your councils and councillors</h1>' in response.text


@pytest.mark.django_db
def test_a_welsh_resident_who_mistypes_their_password_is_told_so_in_welsh(client, resident):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"

    response = client.post(
        "/accounts/login/", {"login": resident.email, "password": "not-the-password-1"}
    )

    assert response.status_code == 200
    assert '<h2 class="govuk-error-summary__title">Mae problem wedi codi</h2>' in response.text
    assert (
        '<li><a href="#id_login">Nid yw&#x27;r cyfeiriad e-bost a/neu&#x27;r cyfrinair '
        "a roesoch yn gywir.</a></li>" in response.text
    )


def test_every_translatable_string_in_the_source_has_welsh(tmp_path):
    """Extract the messages afresh from a copy of the package: none may lack Welsh.

    Catches a string added to a template or module after the catalogue was last
    updated (run makemessages, translate, compilemessages to fix it).
    """
    if shutil.which("xgettext") is None:
        pytest.fail("this test needs GNU gettext's xgettext (apt-get install gettext)")
    copy = tmp_path / "moothall"
    shutil.copytree(PACKAGE_DIR, copy, ignore=shutil.ignore_patterns("__pycache__", "static"))
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(PYTHONPATH=str(tmp_path), MOOTHALL_VAR_DIR=str(tmp_path / "var"))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "moothall",
            "makemessages",
            "-l",
            "cy",
            "--no-obsolete",
            "--ignore=static",
        ],
        cwd=tmp_path,
        env=env,
        check=True,
        capture_output=True,
        timeout=300,
    )

    fresh = parse_po(copy / "locale" / "cy" / "LC_MESSAGES" / "django.po")
    untranslated = [
        entry.msgid
        for entry in fresh[1:]
        if "fuzzy" in entry.flags or not all(entry.msgstr.values())
    ]
    assert untranslated == []
    assert len(fresh) - 1 == len(parse_po(OURS)) - 1
