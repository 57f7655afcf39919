"""Backups: the database and the uploaded files in one archive, and restoring them.

``python -m moothall backup PATH`` writes one tar archive (gzip-compressed) holding

- ``manifest.json``: the archive format, Moothall's version, the database engine, the
  migrations applied, when it was made, and the SHA-256 and size of every other member;
- the database: ``database.sqlite3`` (SQLite's online backup API, a consistent copy
  while the app keeps running) or ``database.pgdump`` (``pg_dump -Fc`` of the
  configured PostgreSQL database, one snapshot);
- ``media/…``: every file under ``MEDIA_ROOT`` (uploads: pictures, documents, recordings),
  unless uploads are kept in S3-compatible object storage (``MEDIA_S3_BUCKET``): then the
  manifest says the media are not included, and a restore leaves the bucket alone.

The archive is written beside PATH under a temporary name and renamed into place, so a
failed backup never leaves a half-written file at PATH.

``python -m moothall restore PATH`` checks everything before it changes anything: the
archive opens, every member's checksum matches the manifest, the engine is the configured
one, and the backup holds no migration this code does not know (a backup from a newer
Moothall). Then it replaces the database (SQLite: the backup API copies the backup into
the live database in one step, so other connections see the old or the new database,
never a mix; PostgreSQL: ``pg_restore --clean --if-exists --single-transaction``) and then
the media directory (unpacked beside it and swapped in by renaming). Nothing in a
restore runs the app's own code on the rows, so the append-only audit log's triggers
neither block it nor are lost: SQLite copies them with the file; ``pg_restore`` drops and
recreates them with their tables. A backup from an older Moothall restores as it was;
run ``migrate`` afterwards.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path, PurePosixPath
from typing import Any

from django.conf import settings
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

FORMAT = "moothall-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
MEDIA = "media"
CHUNK = 1024 * 1024
# How long a copy between SQLite databases waits for a lock before giving up (seconds).
SQLITE_WAIT = 120.0


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why, for the operator."""


@dataclass
class Manifest:
    engine: str
    created_at: str
    migrations: dict[str, list[str]]
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    version: str = ""
    # False when uploads live in object storage (MEDIA_S3_BUCKET): back that up on its own.
    media_included: bool = True
    format: str = FORMAT
    format_version: int = FORMAT_VERSION

    @property
    def media_files(self) -> list[str]:
        return sorted(name for name in self.files if name.startswith(MEDIA + "/"))

    def as_json(self) -> bytes:
        return json.dumps(self.__dict__, indent=2, sort_keys=True).encode()


def engine_of(alias: str = "default") -> str:
    """``sqlite`` or ``postgresql``; any other engine cannot be backed up here."""
    vendor = connections[alias].vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"Backups support SQLite and PostgreSQL, not {vendor}.")
    return vendor


def moothall_version() -> str:
    try:
        return metadata.version("moothall")
    except metadata.PackageNotFoundError:  # pragma: no cover - run from a plain checkout
        return "unknown"


def applied_migrations(alias: str = "default") -> dict[str, list[str]]:
    applied: dict[str, list[str]] = {}
    for app, name in sorted(MigrationRecorder(connections[alias]).applied_migrations()):
        applied.setdefault(app, []).append(name)
    return applied


# --- Backup ---------------------------------------------------------------------------


def create_backup(path: str | os.PathLike[str], *, alias: str = "default") -> Manifest:
    """Write a backup of the database ``alias`` and of ``MEDIA_ROOT`` to ``path``."""
    target = Path(path).resolve()
    if target.is_dir():
        raise BackupError(f"{target} is a directory: give the path of the archive to write.")
    if not target.parent.is_dir():
        raise BackupError(f"There is no directory {target.parent} to write the backup in.")
    engine = engine_of(alias)
    manifest = Manifest(
        engine=engine,
        created_at=timezone.now().isoformat(),
        migrations=applied_migrations(alias),
        version=moothall_version(),
    )
    with tempfile.TemporaryDirectory(prefix="moothall-backup-") as work:
        dump = Path(work) / (SQLITE_MEMBER if engine == "sqlite" else PG_MEMBER)
        if engine == "sqlite":
            _sqlite_backup(alias, dump)
        else:
            _pg_dump(alias, dump)
        media_root = Path(settings.MEDIA_ROOT)
        manifest.media_included = media_on_disk()
        media = sorted(_media_files(media_root)) if manifest.media_included else []

        fd, partial = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
        os.close(fd)
        try:
            with tarfile.open(partial, "w:gz") as archive:
                # Hashed as it is written: the dump is read once.
                described = _add_file(archive, dump, dump.name)
                assert described is not None  # our own file, in our own folder
                manifest.files[dump.name] = described
                for file in media:
                    name = f"{MEDIA}/{file.relative_to(media_root).as_posix()}"
                    described = _add_file(archive, file, name)
                    if described is not None:
                        manifest.files[name] = described
                # Last: the checksums of what was actually written (uploads may come and
                # go while the backup runs).
                _add_bytes(archive, MANIFEST, manifest.as_json())
            with open(partial, "rb") as written:
                os.fsync(written.fileno())
            os.replace(partial, target)
        except BaseException:
            Path(partial).unlink(missing_ok=True)
            raise
    return manifest


def media_on_disk() -> bool:
    """Whether uploads are files under MEDIA_ROOT (not in S3-compatible object storage,
    which this backup does not copy: use the store's own versioning or replication)."""
    backend = settings.STORAGES["default"]["BACKEND"]
    return backend == "django.core.files.storage.FileSystemStorage"


def _sqlite_backup(alias: str, dump: Path) -> None:
    """SQLite's online backup: a consistent copy even while others write (WAL or not)."""
    connection = connections[alias]
    if connection.in_atomic_block:
        # Its own open transaction would hold the lock the copy waits for.
        raise BackupError("A backup cannot run inside a transaction.")
    connection.ensure_connection()
    destination = sqlite3.connect(dump)
    try:
        with connection.wrap_database_errors:
            connection.connection.backup(destination, progress=_give_up_after(SQLITE_WAIT))
    finally:
        destination.close()


def _give_up_after(seconds: float) -> Callable[[int, int, int], None]:
    """A progress callback for SQLite's backup, which retries a locked database for ever:
    stop with a clear message once ``seconds`` have passed."""
    deadline = time.monotonic() + seconds

    def progress(status: int, remaining: int, total: int) -> None:
        if time.monotonic() > deadline:
            raise BackupError(
                f"The SQLite database stayed locked for {seconds:.0f} s; nothing was copied."
            )

    return progress


def _pg_environment(alias: str) -> tuple[list[str], dict[str, str]]:
    """The connection options of pg_dump/pg_restore for ``alias`` (password in the
    environment, never on the command line)."""
    options = connections[alias].settings_dict
    args = []
    if options.get("HOST"):
        args += ["--host", str(options["HOST"])]
    if options.get("PORT"):
        args += ["--port", str(options["PORT"])]
    if options.get("USER"):
        args += ["--username", str(options["USER"])]
    args += ["--dbname", str(options["NAME"])]
    env = dict(os.environ)
    if options.get("PASSWORD"):
        env["PGPASSWORD"] = str(options["PASSWORD"])
    sslmode = (options.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return args, env


def _run(command: list[str], env: dict[str, str], what: str) -> None:
    try:
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603
    except FileNotFoundError:
        raise BackupError(
            f"{command[0]} is not installed (it comes with the PostgreSQL client tools)."
        ) from None
    if done.returncode != 0:
        raise BackupError(f"{what} failed: {done.stderr.strip() or done.returncode}")


def _pg_dump(alias: str, dump: Path) -> None:
    args, env = _pg_environment(alias)
    _run(
        ["pg_dump", "--format=custom", "--no-password", *args, "--file", str(dump)], env, "pg_dump"
    )


def _media_files(root: Path) -> Iterator[Path]:
    if not root.is_dir():
        return
    for directory, _dirs, files in os.walk(root):
        for name in files:
            file = Path(directory) / name
            if file.is_file() and not file.is_symlink():
                yield file


def _describe(file: Path) -> dict[str, Any]:
    digest = hashlib.sha256()
    size = 0
    with open(file, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return {"sha256": digest.hexdigest(), "size": size}


class _HashingReader:
    """Reads a file for tarfile, hashing what it hands over."""

    def __init__(self, fh: Any) -> None:
        self.fh = fh
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        data: bytes = self.fh.read(size)
        self.digest.update(data)
        return data


def _add_file(archive: tarfile.TarFile, file: Path, name: str) -> dict[str, Any] | None:
    """Add one media file as it is now, returning its size and checksum (None when it
    was deleted since the folder was listed)."""
    try:
        fh = open(file, "rb")  # noqa: SIM115 - closed below
    except FileNotFoundError:
        return None
    with fh:
        info = archive.gettarinfo(arcname=name, fileobj=fh)
        reader = _HashingReader(fh)
        archive.addfile(info, reader)
    return {"sha256": reader.digest.hexdigest(), "size": info.size}


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(timezone.now().timestamp())
    info.mode = 0o600
    archive.addfile(info, io.BytesIO(data))


# --- Restore --------------------------------------------------------------------------


def read_manifest(path: str | os.PathLike[str]) -> Manifest:
    """The manifest of the archive at ``path``, without checking the rest."""
    with _open(Path(path)) as archive:
        return _manifest(archive)


def restore_backup(
    path: str | os.PathLike[str], *, alias: str = "default", manifest: Manifest | None = None
) -> Manifest:
    """Replace the database ``alias`` and ``MEDIA_ROOT`` with the backup at ``path``
    (``manifest``: its manifest, when the caller has read it already).

    Everything is checked before anything is changed (see the module's docstring); a
    refusal raises :class:`BackupError` and leaves the database and media as they were."""
    source = Path(path)
    engine = engine_of(alias)
    media_root = Path(settings.MEDIA_ROOT).resolve()
    media_root.parent.mkdir(parents=True, exist_ok=True)
    if manifest is None:  # the manifest is the archive's last member: read it once
        manifest = read_manifest(source)
    if manifest.engine != engine:
        raise BackupError(
            f"This backup is of a {manifest.engine} database; the configured database "
            f"is {engine}. Restore it into a {manifest.engine} installation."
        )
    _refuse_unknown_migrations(manifest)
    with tempfile.TemporaryDirectory(prefix=".moothall-restore-", dir=media_root.parent) as work:
        unpacked = Path(work)
        manifest = _unpack_and_check(source, unpacked)
        if engine == "sqlite":
            _sqlite_restore(alias, unpacked / SQLITE_MEMBER)
        else:
            _pg_restore(alias, unpacked / PG_MEMBER)
        if manifest.media_included and media_on_disk():
            _swap_media(unpacked / MEDIA, media_root, unpacked / "old-media")
    return manifest


@contextmanager
def _open(path: Path) -> Iterator[tarfile.TarFile]:
    if not path.is_file():
        raise BackupError(f"There is no backup file at {path}.")
    try:
        archive = tarfile.open(path, "r:*")  # noqa: SIM115 - closed below
    except (tarfile.TarError, OSError, EOFError) as error:
        raise BackupError(f"{path} is not a Moothall backup, or it is damaged ({error}).") from None
    try:
        yield archive
    finally:
        archive.close()


def _manifest(archive: tarfile.TarFile) -> Manifest:
    try:
        member = archive.extractfile(MANIFEST)
        data = member.read() if member else None
    except (KeyError, tarfile.TarError, OSError, EOFError):
        data = None
    return _parse_manifest(data)


def _parse_manifest(raw: bytes | None) -> Manifest:
    try:
        data = json.loads(raw) if raw is not None else None
    except ValueError:
        data = None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise BackupError(
            "This archive has no readable Moothall backup manifest: it is not a backup, or "
            "it is damaged."
        )
    if data.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"This backup's format (version {data.get('format_version')}) is not one this "
            f"Moothall reads (version {FORMAT_VERSION})."
        )
    try:
        return Manifest(**data)
    except TypeError:
        raise BackupError("This backup's manifest is damaged.") from None


def _unpack_and_check(source: Path, into: Path) -> Manifest:
    """Unpack every member into ``into`` in one pass over the archive (its manifest comes
    last), then check them against the manifest: names, sizes and checksums. Nothing is
    extracted that is not a plain file with a safe name; ``into`` is a scratch folder."""
    seen: set[str] = set()
    try:
        with _open(source) as archive:
            for member in archive:
                name = member.name
                if name in seen or not member.isfile() or not _safe(name):
                    raise BackupError(
                        f"The backup holds {name!r}, which its manifest does not list."
                    )
                archive.extract(member, into, filter="data")
                seen.add(name)
    except BackupError:
        raise
    except (tarfile.TarError, OSError, EOFError, ValueError) as error:
        raise BackupError(f"The backup is damaged: {error}") from None
    written = into / MANIFEST
    manifest = _parse_manifest(written.read_bytes() if MANIFEST in seen else None)
    expected = set(manifest.files)
    unlisted = seen - expected - {MANIFEST}
    if unlisted:
        raise BackupError(f"The backup holds {min(unlisted)!r}, which its manifest does not list.")
    missing = expected - seen
    if missing:
        raise BackupError(
            f"The backup is damaged: {len(missing)} file(s) missing, e.g. {min(missing)}."
        )
    for name, described in manifest.files.items():
        if _describe(into / name) != {
            "sha256": described.get("sha256"),
            "size": described.get("size"),
        }:
            raise BackupError(f"The backup is damaged: {name} does not match its checksum.")
    database = SQLITE_MEMBER if manifest.engine == "sqlite" else PG_MEMBER
    if database not in manifest.files:
        raise BackupError("The backup is damaged: it holds no database.")
    return manifest


def _safe(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return bool(parts) and not name.startswith("/") and ".." not in parts


def _refuse_unknown_migrations(manifest: Manifest) -> None:
    known = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    # Django's own apps record migrations too; all are on disk in the loader.
    unknown = sorted(
        f"{app}.{name}"
        for app, names in manifest.migrations.items()
        for name in names
        if (app, name) not in known
    )
    if unknown:
        raise BackupError(
            "This backup was made by a newer Moothall (it has migrations this one does not "
            f"know: {', '.join(unknown[:5])}{' …' if len(unknown) > 5 else ''}). Upgrade "
            "Moothall first, then restore."
        )


def _sqlite_restore(alias: str, dump: Path) -> None:
    """Copy the backup into the live database with the backup API: one write
    transaction on the destination, so nobody sees half of it."""
    source = sqlite3.connect(f"file:{dump}?mode=ro", uri=True)
    try:
        check = source.execute("PRAGMA integrity_check").fetchone()
        if not check or check[0] != "ok":
            raise BackupError("The backup's SQLite database fails its integrity check.")
        connection = connections[alias]
        if connection.in_atomic_block:
            raise BackupError("A restore cannot run inside a transaction.")
        connection.close()
        connection.ensure_connection()
        with connection.wrap_database_errors:
            source.backup(connection.connection, progress=_give_up_after(SQLITE_WAIT))
        connection.close()  # the next query opens the restored database afresh
    finally:
        source.close()


def _pg_restore(alias: str, dump: Path) -> None:
    connection = connections[alias]
    if connection.in_atomic_block:
        raise BackupError("A restore cannot run inside a transaction.")
    connection.close()  # our own session must not hold locks on what is dropped
    args, env = _pg_environment(alias)
    _run(["pg_restore", "--list", str(dump)], env, "Reading the PostgreSQL dump")
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
            "--no-password",
            *args,
            str(dump),
        ],
        env,
        "pg_restore",
    )


def _swap_media(unpacked: Path, media_root: Path, old: Path) -> None:
    """Put the backup's media in place of ``media_root`` by renaming (same filesystem)."""
    unpacked.mkdir(exist_ok=True)
    try:
        if media_root.exists():
            os.replace(media_root, old)
        os.replace(unpacked, media_root)
    except OSError:
        # MEDIA_ROOT is a mount point (or cannot be renamed): replace what is inside it.
        if old.exists() and not media_root.exists():
            os.replace(old, media_root)
        media_root.mkdir(parents=True, exist_ok=True)
        for child in media_root.iterdir():
            if child.is_dir() and not child.is_symlink():
                shutil.rmtree(child)
            else:
                child.unlink()
        shutil.copytree(unpacked, media_root, dirs_exist_ok=True)
    shutil.rmtree(old, ignore_errors=True)


def describe(manifest: Manifest) -> str:
    """One line for the operator: what the backup holds."""
    media = len(manifest.media_files)
    created = dt.datetime.fromisoformat(manifest.created_at)
    files = (
        f"{media} media file{'s' if media != 1 else ''}"
        if manifest.media_included
        else "no media (uploads are in object storage, not in this backup)"
    )
    return (
        f"{manifest.engine} database and {files}, "
        f"made {created:%Y-%m-%d %H:%M:%S %Z} by Moothall {manifest.version}"
    )
