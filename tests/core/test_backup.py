"""`backup PATH` and `restore PATH`: a round trip gives back every table and media file.

The round trip loads the demo (every app's demo data, without the ten-year meetings
archive), adds uploaded files, and compares every table of the database (read with SQL,
so tables that are not models, like the migrations table and SQLite's search index, are
compared too) and every file under MEDIA_ROOT before the backup and after the restore,
with changes and deletions made in between. The refusals (damaged archive, another
engine, a newer Moothall, a foreign member) are checked to leave everything as it was.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import tarfile
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.db import connection

from moothall.core import backup
from moothall.councils.models import Council, Postcode
from moothall.petitions.models import Petition
from tests import factories

# A backup reads the database from outside the test's transaction (pg_dump is another
# session) and a restore refuses to run inside one: every test here commits.
pytestmark = pytest.mark.django_db(transaction=True)


def table_snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table in the database, in a stable order."""
    snapshot = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names(cursor)):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            rows = [
                tuple(bytes(v) if isinstance(v, memoryview) else v for v in row)
                for row in cursor.fetchall()
            ]
            snapshot[table] = sorted(rows, key=repr)
    return snapshot


def media_snapshot() -> dict[str, str]:
    root = Path(settings.MEDIA_ROOT)
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def media_root(tmp_path, settings):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    root = Path(settings.MEDIA_ROOT)
    (root / "ideas" / "2026").mkdir(parents=True)
    (root / "ideas" / "2026" / "bench.jpg").write_bytes(b"\xff\xd8 a picture " * 100)
    (root / "documents" / "ab").mkdir(parents=True)
    (root / "documents" / "ab" / "agenda.pdf").write_bytes(b"%PDF-1.4 agenda")
    return root


def run(command: str, *args: str, **options: Any) -> str:
    out = StringIO()
    call_command(command, *args, stdout=out, **options)
    return out.getvalue()


def test_a_backup_restores_every_table_and_media_file(tmp_path, media_root):
    run("demo", verbosity=0)
    factories.UserFactory(email="kept@example.org")
    before = table_snapshot()
    media_before = media_snapshot()
    # The comparison means something: the demo filled tables across the apps.
    filled = {table for table, rows in before.items() if rows}
    for table in (
        "councils_council",
        "petitions_signature",
        "ideas_idea",
        "budgeting_ballot",
        "deliberation_vote",
        "core_auditentry",
        "django_migrations",
    ):
        assert table in filled, table
    assert len(filled) > 40

    archive = tmp_path / "moothall.tar.gz"
    output = run("backup", str(archive))
    assert f"Backup written to {archive}" in output

    # Change, add and delete data and media after the backup.
    Council.objects.filter(slug="brackenford").update(name="Renamed after the backup")
    Petition.objects.update(title="Changed after the backup")
    Postcode.objects.filter(postcode__startswith="MH1").delete()
    factories.UserFactory(email="added.later@example.org")
    factories.CouncilFactory(slug="added-later")
    (media_root / "ideas" / "2026" / "bench.jpg").unlink()
    (media_root / "documents" / "ab" / "agenda.pdf").write_bytes(b"overwritten")
    (media_root / "new.txt").write_text("added after the backup")
    assert table_snapshot() != before
    assert media_snapshot() != media_before

    output = run("restore", str(archive), interactive=False)

    assert f"Restored {archive}" in output
    after = table_snapshot()
    assert sorted(after) == sorted(before)
    for table in before:
        assert after[table] == before[table], f"{table} differs after the restore"
    assert media_snapshot() == media_before
    # The database goes on as before: new rows get new ids (sequences came back too).
    assert factories.CouncilFactory(slug="after-restore", gss_code="E07999999").pk > max(
        row[0] for row in before["councils_council"]
    )


def test_the_manifest_lists_the_engine_migrations_and_checksums(tmp_path, media_root):
    archive = tmp_path / "b.tar.gz"

    manifest = backup.create_backup(archive)

    assert manifest.engine == connection.vendor
    assert "0001_initial" in manifest.migrations["core"]
    assert manifest.media_files == ["media/documents/ab/agenda.pdf", "media/ideas/2026/bench.jpg"]
    with tarfile.open(archive) as tar:
        stored = json.loads(tar.extractfile("manifest.json").read())
        for name, described in stored["files"].items():
            data = tar.extractfile(name).read()
            assert hashlib.sha256(data).hexdigest() == described["sha256"]
            assert len(data) == described["size"]
    assert stored["engine"] == connection.vendor
    assert stored["format_version"] == backup.FORMAT_VERSION


def rewrite(archive: Path, target: Path, change) -> None:
    """Copy ``archive`` to ``target``, passing each (name, bytes) through ``change``."""
    with tarfile.open(archive) as source, tarfile.open(target, "w:gz") as out:
        for member in source:
            data = source.extractfile(member).read()
            result = change(member.name, data)
            if result is None:
                continue
            for name, content in result:
                info = tarfile.TarInfo(name)
                info.size = len(content)
                out.addfile(info, io.BytesIO(content))


def edit_manifest(**changes: Any):
    def change(name: str, data: bytes):
        if name != "manifest.json":
            return [(name, data)]
        manifest = json.loads(data)
        for key, value in changes.items():
            manifest[key] = value(manifest[key]) if callable(value) else value
        return [(name, json.dumps(manifest).encode())]

    return change


def cut_short(archive: Path, target: Path) -> None:
    target.write_bytes(archive.read_bytes()[:-64])


def cut_in_half(archive: Path, target: Path) -> None:
    target.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])


def one_byte_flipped(archive: Path, target: Path) -> None:
    # Flip a byte of the database inside an otherwise well-formed archive.
    def change(name: str, data: bytes):
        if name.startswith("database."):
            middle = len(data) // 2
            data = data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]
        return [(name, data)]

    rewrite(archive, target, change)


def other_engine(archive: Path, target: Path) -> None:
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    rewrite(archive, target, edit_manifest(engine=other))


def newer_moothall(archive: Path, target: Path) -> None:
    rewrite(
        archive,
        target,
        edit_manifest(migrations=lambda m: {**m, "core": [*m["core"], "9999_from_the_future"]}),
    )


def foreign_member(archive: Path, target: Path) -> None:
    def change(name: str, data: bytes):
        if name == "manifest.json":
            return [(name, data), ("../escape.txt", b"not listed")]
        return [(name, data)]

    rewrite(archive, target, change)


def not_gzip(archive: Path, target: Path) -> None:
    target.write_bytes(gzip.compress(b"just some text, not a tar archive"))


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (cut_short, "damaged"),
        (cut_in_half, "damaged"),
        (one_byte_flipped, "does not match its checksum"),
        (other_engine, "Restore it into a"),
        (newer_moothall, "newer Moothall"),
        (foreign_member, "which its manifest does not list"),
        (not_gzip, "not a Moothall backup"),
    ],
)
def test_restore_refuses_a_bad_archive_and_changes_nothing(tmp_path, media_root, damage, message):
    factories.CouncilFactory(slug="before")
    archive = tmp_path / "good.tar.gz"
    backup.create_backup(archive)
    bad = tmp_path / "bad.tar.gz"
    damage(archive, bad)
    factories.CouncilFactory(slug="after")
    (media_root / "after.txt").write_text("made after the backup")
    tables, media = table_snapshot(), media_snapshot()

    with pytest.raises(CommandError, match=message) as refused:
        run("restore", str(bad), interactive=False)

    assert "Nothing was changed" in str(refused.value)
    assert table_snapshot() == tables
    assert media_snapshot() == media
    assert not (tmp_path / "escape.txt").exists()


def test_restore_of_a_missing_file_says_so(tmp_path):
    with pytest.raises(CommandError, match="There is no backup file"):
        run("restore", str(tmp_path / "nothing.tar.gz"), interactive=False)


def test_restore_asks_first_and_a_no_changes_nothing(tmp_path, media_root, monkeypatch):
    archive = tmp_path / "b.tar.gz"
    backup.create_backup(archive)
    factories.CouncilFactory(slug="after")
    tables = table_snapshot()
    monkeypatch.setattr("builtins.input", lambda prompt: "no")

    with pytest.raises(CommandError, match="cancelled"):
        run("restore", str(archive))

    assert table_snapshot() == tables


def test_backup_refuses_a_directory_and_leaves_no_partial_file(tmp_path, media_root):
    with pytest.raises(CommandError, match="is a directory"):
        run("backup", str(tmp_path))
    with pytest.raises(CommandError, match="no directory"):
        run("backup", str(tmp_path / "missing" / "b.tar.gz"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["media"]


def test_uploads_in_object_storage_are_left_out_and_left_alone(tmp_path, media_root, settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage"},
    }
    archive = tmp_path / "b.tar.gz"

    output = run("backup", str(archive))

    assert "no media (uploads are in object storage" in output
    with tarfile.open(archive) as tar:
        assert [n for n in tar.getnames() if n.startswith("media")] == []
    (media_root / "local.txt").write_text("not touched by the restore")
    media = media_snapshot()
    run("restore", str(archive), interactive=False)
    assert media_snapshot() == media
