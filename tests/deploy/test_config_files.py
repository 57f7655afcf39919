"""The deployment files in deploy/ (docs/deployment.md describes them) are checked here
as far as this machine can check them: systemd's own verifier reads the units, every
command they run is a real Moothall command, the example environment passes
`check --deploy`, the compose file hangs together, and nginx accepts its configuration.
The nginx configuration is also run for real in test_nginx_proxy.py."""

from __future__ import annotations

import ast
import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands

from tests.services import require_program

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"
UNITS = DEPLOY / "systemd"
VENV = Path(sys.executable).parent.parent


def _units() -> dict[str, str]:
    return {path.name: path.read_text() for path in sorted(UNITS.iterdir())}


def _values(text: str, key: str) -> list[str]:
    """Every value of ``key`` in a unit file, continuation lines joined."""
    joined = re.sub(r"\\\n\s*", " ", text)
    return [m.group(1).strip() for m in re.finditer(rf"^{key}=(.*)$", joined, re.MULTILINE)]


def _moothall_commands(command_line: str) -> list[str]:
    """The management commands a command line runs through `python -m moothall`."""
    words = shlex.split(command_line)
    found = []
    for i, word in enumerate(words[:-2]):
        if word == "-m" and words[i + 1] == "moothall":
            found.append(words[i + 2])
    return found


def test_the_units_name_only_real_moothall_commands():
    commands = get_commands()
    run: list[str] = []
    for name, text in _units().items():
        for line in _values(text, "ExecStart"):
            if "sh -c" in line:  # the backup's shell line: look inside its quoted command
                line = shlex.split(line)[-1].replace("exec ", "")
            run += _moothall_commands(line)
            if "uvicorn" in line:
                assert "moothall.asgi:application" in line, name
            if "granian" in line:
                assert "--interface wsgi moothall.wsgi:application" in line, name
    assert sorted(set(run)) == ["backup", "collectstatic", "db_worker", "migrate", "run_schedule"]
    assert all(command in commands for command in run), [c for c in run if c not in commands]


def test_every_long_running_unit_restarts_and_reads_the_environment_file():
    for name, text in _units().items():
        if not name.endswith(".service"):
            continue
        assert _values(text, "EnvironmentFile") == ["/etc/moothall/moothall.env"], name
        assert _values(text, "User") == ["moothall"], name
        assert _values(text, "NoNewPrivileges") == ["yes"], name
        if _values(text, "Type") == ["exec"]:
            assert _values(text, "Restart") == ["always"], name


def test_the_target_starts_units_that_exist():
    wanted = " ".join(_values(_units()["moothall.target"], "Wants")).split()
    files = set(_units())
    for unit in wanted:
        template = re.sub(r"@[^.]+\.", "@.", unit)
        assert unit in files or template in files, unit
    assert any(u.startswith("moothall-web@") for u in wanted)
    assert any(u.startswith("moothall-live@") for u in wanted)
    assert any(u.startswith("moothall-worker@") for u in wanted)


def test_pages_are_served_by_wsgi_and_the_live_streams_by_asgi():
    """Django's own code runs in the web processes' threads (granian, WSGI); only the
    live-meeting streams, which stay open, are on an event loop (uvicorn, ASGI)."""
    units = _units()
    web = " ".join(_values(units["moothall-web@.service"], "ExecStart"))
    live = " ".join(_values(units["moothall-live@.service"], "ExecStart"))
    assert "granian --interface wsgi moothall.wsgi:application" in web
    assert "--blocking-threads 8" in web
    assert "uvicorn moothall.asgi:application" in live
    services = _compose()["services"]
    assert services["web"]["command"][:4] == [
        "granian", "--interface", "wsgi", "moothall.wsgi:application"
    ]  # fmt: skip
    assert services["live"]["command"][:2] == ["uvicorn", "moothall.asgi:application"]
    for site in ("nginx/moothall.conf", "compose/nginx.conf"):
        text = (DEPLOY / site).read_text()
        stream = re.search(r"location ~ \^/\[\^/\]\+/meetings/.*?\}", text, re.DOTALL)
        assert stream is not None, site
        assert "proxy_pass http://moothall_live;" in stream.group(0), site
        assert "proxy_buffering off;" in stream.group(0), site
        rest = re.search(r"location / \{.*?\}", text, re.DOTALL)
        assert rest is not None, site
        assert "proxy_pass http://moothall_web;" in rest.group(0), site


def _option(words: list[str], name: str) -> float:
    return float(words[words.index(name) + 1])


def _nginx_keepalive_timeouts(text: str) -> dict[str, float]:
    """Each upstream's keepalive_timeout in seconds (nginx's default is 60 s)."""
    found = {}
    for upstream, body in re.findall(r"upstream (\w+) \{(.*?)\}", text, re.DOTALL):
        timeout = re.search(r"^\s*keepalive_timeout (\d+)s;", body, re.MULTILINE)
        found[upstream] = float(timeout.group(1)) if timeout else 60.0
    return found


def test_nginx_drops_an_idle_upstream_connection_before_the_app_does():
    """nginx reuses idle connections to the app. Were the app to close one first, nginx could
    send a request down it as it closes and answer 502; a POST (a signature, say) is never
    tried again. So each upstream's keepalive_timeout is shorter than its server's own:
    granian's header-read timeout (it closes an idle connection then) and uvicorn's
    keep-alive timeout."""
    units = _units()
    web = shlex.split(" ".join(_values(units["moothall-web@.service"], "ExecStart")))
    live = shlex.split(" ".join(_values(units["moothall-live@.service"], "ExecStart")))
    compose = _compose()["services"]
    servers = {
        "nginx/moothall.conf": {
            "moothall_web": _option(web, "--http1-header-read-timeout") / 1000,
            "moothall_live": _option(live, "--timeout-keep-alive"),
        },
        "compose/nginx.conf": {
            "moothall_web": _option(compose["web"]["command"], "--http1-header-read-timeout")
            / 1000,
            "moothall_live": _option(compose["live"]["command"], "--timeout-keep-alive"),
        },
    }
    for site, closes_after in servers.items():
        kept = _nginx_keepalive_timeouts((DEPLOY / site).read_text())
        assert set(kept) == set(closes_after), site
        for upstream, seconds in closes_after.items():
            assert kept[upstream] < seconds, (site, upstream, kept[upstream], seconds)


def test_systemd_verifies_the_units(tmp_path):
    """The units as installed, with /srv/moothall pointing at this checkout."""
    systemd_analyze = require_program("systemd-analyze", required_by="MOOTHALL_REQUIRE_SYSTEMD")
    env_file = tmp_path / "moothall.env"
    env_file.write_text("")
    for name, text in _units().items():
        text = text.replace("/srv/moothall/.venv", str(VENV)).replace("/srv/moothall", str(ROOT))
        (tmp_path / name).write_text(text.replace("/etc/moothall/moothall.env", str(env_file)))
    instances = [
        n.replace("@.", "@8001.") if "@" in n else n for n in _units() if n != "moothall.target"
    ]
    result = subprocess.run(  # noqa: S603 (a fixed command on our own files)
        [systemd_analyze, "verify", "--man=no", "moothall.target", *instances],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    problems = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if line.strip() and "Failed to read $container" not in line
    ]
    assert problems == []
    assert result.returncode == 0


# --- The environment file -----------------------------------------------------------------


def _settings_variables() -> set[str]:
    """Every environment variable settings.py reads (through moothall.env's helpers)."""
    tree = ast.parse((ROOT / "src/moothall/settings.py").read_text())
    names = {"SECRET_KEY"}  # read by moothall.env.secret_key
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id.startswith("env_")
            and node.args
            and isinstance(node.args[0], ast.Constant)
        ):
            names.add(node.args[0].value)
    return names


def _example_env() -> dict[str, str]:
    pairs = {}
    for line in (DEPLOY / "moothall.env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            pairs[key.strip()] = value.strip()
    return pairs


def test_the_example_environment_sets_only_variables_moothall_reads():
    example = _example_env()
    unknown = set(example) - _settings_variables()
    assert unknown == set()
    for required in ("SECRET_KEY", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS", "SITE_URL"):
        assert example.get(required), required


def test_every_variable_moothall_reads_is_in_the_deployment_guide():
    guide = (ROOT / "docs/deployment.md").read_text()
    missing = sorted(v for v in _settings_variables() if f"`{v}`" not in guide)
    assert missing == []


def test_the_example_environment_passes_the_deploy_checks(tmp_path):
    """`check --deploy` with the documented production settings: no warning at all."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "MOOTHALL_"))}
    env.update(_example_env())
    env["SECRET_KEY"] = "x7" * 30 + "-not-a-real-key-but-long-and-varied-QvZ3"
    env["MOOTHALL_VAR_DIR"] = str(tmp_path)
    env["STATIC_ROOT"] = str(tmp_path / "static")
    env["MEDIA_ROOT"] = str(tmp_path / "media")
    result = subprocess.run(
        [sys.executable, "-m", "moothall", "check", "--deploy", "--fail-level", "WARNING"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


# --- Compose ------------------------------------------------------------------------------


def _compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose/compose.yaml").read_text())


def test_compose_runs_real_commands_in_order():
    services = _compose()["services"]
    assert {"postgres", "redis", "migrate", "web", "worker", "scheduler", "nginx"} <= set(services)
    commands = get_commands()
    for name, service in services.items():
        command = service.get("command")
        if not command or service.get("image", "").startswith(("postgres", "redis", "nginx")):
            continue
        line = " ".join(command) if isinstance(command, list) else command
        line = line.replace("$$", "$")
        for part in re.split(r"&&", line.replace("sh -c", "")):
            for run in _moothall_commands(part.strip().strip("'\"")):
                assert run in commands, (name, run)
    # Migrations run once, after PostgreSQL is ready and before anything that serves.
    assert services["migrate"]["depends_on"]["postgres"]["condition"] == "service_healthy"
    for name in ("web", "live", "worker", "scheduler"):
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )
        assert services[name]["env_file"] == "moothall.env"
    assert services["web"]["deploy"]["replicas"] >= 2


def test_compose_builds_from_files_that_exist():
    compose = _compose()
    build = compose["services"]["migrate"]["build"]
    context = (DEPLOY / "compose" / build["context"]).resolve()
    assert context == ROOT
    dockerfile = (context / build["dockerfile"]).read_text()
    for source in re.findall(r"^COPY (?!--from)(.+) \S+$", dockerfile, re.MULTILINE):
        for path in source.split():
            assert (context / path).exists(), path
    declared = set(compose["volumes"])
    for service in compose["services"].values():
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if source.startswith("."):
                if "certs" not in source:
                    assert (DEPLOY / "compose" / source).exists(), source
            else:
                assert source in declared, source


# --- nginx --------------------------------------------------------------------------------


def nginx_config(
    tmp_path: Path,
    site: str,
    *,
    upstream: list[str],
    http: int,
    https: int,
    live: list[str] | None = None,
) -> Path:
    """A runnable nginx main configuration around one of our site files, with its
    certificate, ports, upstreams (the web processes', and the live streams' ``live``,
    the web's when not given) and paths moved into ``tmp_path``."""
    subprocess.run(  # noqa: S603 (a fixed command)
        [
            *("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"),
            *("-subj", "/CN=participate.example.gov.uk"),
            *("-keyout", str(tmp_path / "privkey.pem"), "-out", str(tmp_path / "fullchain.pem")),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    text = site.replace("/etc/ssl/moothall/", f"{tmp_path}/")
    text = text.replace("/var/lib/moothall/static/", f"{tmp_path}/static/")
    text = re.sub(r"^\s*listen \[::\].*\n", "", text, flags=re.MULTILINE)
    text = re.sub(r"listen 80;", f"listen 127.0.0.1:{http};", text)
    text = re.sub(r"listen 443 ssl", f"listen 127.0.0.1:{https} ssl", text)
    for name, addresses in (("web", upstream), ("live", live or upstream)):
        servers = "".join(f"    server {address};\n" for address in addresses)
        text, found = re.subn(
            rf"(upstream moothall_{name} \{{\n)(.*?)(\s*keepalive)",
            lambda m, servers=servers: m.group(1) + servers + m.group(3),
            text,
            flags=re.DOTALL,
        )
        assert found == 1, name
    text = text.replace("https://$host$request_uri", f"https://$host:{https}$request_uri")
    (tmp_path / "site.conf").write_text(text)
    temp = tmp_path / "temp"
    temp.mkdir(exist_ok=True)
    main = tmp_path / "nginx.conf"
    main.write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"daemon off;\npid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
        + "events { worker_connections 256; }\n"
        + "http {\n  include /etc/nginx/mime.types;\n"
        + f"  access_log {tmp_path}/access.log;\n"
        + "".join(
            f"  {kind}_temp_path {temp}/{kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        + f"  include {tmp_path}/site.conf;\n}}\n"
    )
    return main


def require_nginx() -> str:
    """Debian's nginx (fails in CI, which installs it; skips elsewhere)."""
    return require_program("nginx", required_by="MOOTHALL_REQUIRE_NGINX", also=("/usr/sbin/nginx",))


@pytest.mark.parametrize("site", ["nginx/moothall.conf", "compose/nginx.conf"])
def test_nginx_accepts_the_configuration(tmp_path, site):
    nginx = require_nginx()
    upstream = ["127.0.0.1:8001", "127.0.0.1:8002"]
    main = nginx_config(
        tmp_path, (DEPLOY / site).read_text(), upstream=upstream, http=18080, https=18443
    )
    result = subprocess.run(  # noqa: S603 (Debian's nginx on our own file)
        [nginx, "-t", "-c", str(main)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert "syntax is ok" in result.stderr


def test_nginx_balances_over_the_web_instances_the_target_starts():
    wanted = " ".join(_values(_units()["moothall.target"], "Wants")).split()
    site = (DEPLOY / "nginx/moothall.conf").read_text()
    for name in ("web", "live"):
        ports = sorted(int(u.split("@")[1].split(".")[0]) for u in wanted if f"{name}@" in u)
        block = re.search(rf"upstream moothall_{name} \{{(.*?)\}}", site, re.DOTALL)
        assert block is not None, name
        listed = sorted(int(p) for p in re.findall(r"server 127\.0\.0\.1:(\d+)", block.group(1)))
        assert listed == ports, name
