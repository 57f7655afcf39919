import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from moothall import env

REPO = Path(__file__).resolve().parents[2]


def run_moothall(
    *args: str, extra_env: dict[str, str], tmp_path: Path
) -> subprocess.CompletedProcess:
    clean = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG", "SECRET_KEY"}
    }
    clean.update({"MOOTHALL_VAR_DIR": str(tmp_path)}, **extra_env)
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "moothall", *args],
        capture_output=True,
        text=True,
        env=clean,
        cwd=REPO,
        timeout=120,
        check=False,
    )


def test_check_deploy_is_clean_under_production_like_settings(tmp_path):
    result = run_moothall(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        extra_env={
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(60),
            "ALLOWED_HOSTS": "moothall.example.gov.uk",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        },
        tmp_path=tmp_path,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_with_nothing_set_it_runs_on_sqlite_with_a_generated_key_kept_in_var(tmp_path):
    script = (
        "from django.conf import settings as s;"
        "print(s.DATABASES['default']['ENGINE']);"
        "print(s.DATABASES['default']['OPTIONS']['init_command']);"
        "print(s.SECRET_KEY)"
    )
    first = run_moothall("shell", "--no-imports", "-c", script, extra_env={}, tmp_path=tmp_path)
    second = run_moothall("shell", "--no-imports", "-c", script, extra_env={}, tmp_path=tmp_path)

    engine, init_command, key = first.stdout.splitlines()
    assert engine == "django.db.backends.sqlite3"
    assert init_command.startswith("PRAGMA journal_mode=WAL;")
    assert (tmp_path / "secret_key").read_text().strip() == key
    assert second.stdout.splitlines()[-1] == key
    assert len(key) >= 50
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize(
    ("raw", "expected"), [("true", True), ("1", True), ("off", False), ("", False)]
)
def test_env_bool_reads_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("MOOTHALL_FLAG", raw)
    assert env.env_bool("MOOTHALL_FLAG") is expected


def test_env_helpers_fail_loudly_on_nonsense(monkeypatch):
    monkeypatch.setenv("MOOTHALL_FLAG", "perhaps")
    monkeypatch.setenv("MOOTHALL_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="MOOTHALL_FLAG must be a boolean"):
        env.env_bool("MOOTHALL_FLAG")
    with pytest.raises(ImproperlyConfigured, match="MOOTHALL_NUMBER must be a whole number"):
        env.env_int("MOOTHALL_NUMBER", 3)


def test_env_list_splits_on_commas(monkeypatch):
    monkeypatch.setenv("MOOTHALL_HOSTS", " a.example, b.example ,,")
    assert env.env_list("MOOTHALL_HOSTS", []) == ["a.example", "b.example"]


CLIENT_IP_SCRIPT = (
    "from django.test import RequestFactory;"
    "from allauth.account.adapter import get_adapter;"
    "request = RequestFactory().post('/accounts/login/', REMOTE_ADDR='10.0.0.2',"
    " HTTP_X_FORWARDED_FOR='198.51.100.7, 203.0.113.9');"
    "print(get_adapter().get_client_ip(request))"
)


def test_behind_a_proxy_sign_in_rate_limits_count_each_visitor_not_the_proxy(tmp_path):
    # Otherwise every visitor shares the proxy's address, and ten wrong passwords
    # from anyone would lock everyone out of signing in for a minute.
    result = run_moothall(
        "shell",
        "--no-imports",
        "-c",
        CLIENT_IP_SCRIPT,
        extra_env={"BEHIND_PROXY": "true"},
        tmp_path=tmp_path,
    )

    assert result.returncode == 0, result.stderr
    # The proxy appended the address it saw; what came before is the visitor's own claim.
    assert result.stdout.strip() == "203.0.113.9"


def test_without_a_proxy_a_forwarded_for_header_sent_by_a_visitor_is_ignored(tmp_path):
    result = run_moothall(
        "shell", "--no-imports", "-c", CLIENT_IP_SCRIPT, extra_env={}, tmp_path=tmp_path
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "10.0.0.2"
