"""Every staff verb writes an audit entry: a scan of the verb modules' source that fails
when a new one does not.

A *staff verb* is a public module-level function of a verb module that takes the person
acting as ``actor`` (or ``by``, ``officer``, ``moderator``, ``clerk``, ``staff``), or checks
a staff permission (``Action.X`` for an action only staff roles hold). It must call
``record``/``record_export`` (``moothall.core.audit``) itself, through a helper of its own
module, or through another module's verb that does. The few exceptions are listed below,
each with its reason; a stale exception fails too, so the list stays true.
"""

from __future__ import annotations

import ast
from pathlib import Path

from moothall.accounts.models import Role
from moothall.accounts.rules import ALLOWED

SRC = Path(__file__).resolve().parents[2] / "src" / "moothall"
VERB_MODULES = (
    "domain.py",
    "contributions.py",
    "record.py",
    "residents.py",
    "privacy.py",
    "interchange.py",
)
ACTOR_PARAMETERS = {"actor", "by", "officer", "moderator", "clerk", "staff"}
RECORDERS = {"record", "record_export"}

#: Functions that look like staff verbs but write nothing a person did, with the reason.
NOT_STAFF_ACTIONS: dict[str, str] = {
    "live/contributions.py:may_contribute": "a question (may this person comment?); no write",
    "notifications/domain.py:notify": (
        "the fan-out of an event to followers, called by verbs that record their own entry; "
        "``actor`` only keeps the person acting from being told of their own action"
    ),
}


def _verb_modules() -> list[Path]:
    found = [p for p in SRC.rglob("*.py") if p.name in VERB_MODULES]
    found += [p for p in (SRC / "moderation").glob("*.py") if p.name not in ("models.py",)]
    return sorted({p for p in found if "migrations" not in p.parts})


def _called(node: ast.AST) -> set[str]:
    names = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            if isinstance(sub.func, ast.Name):
                names.add(sub.func.id)
            elif isinstance(sub.func, ast.Attribute):
                names.add(sub.func.attr)
    return names


def _staff_actions() -> set[str]:
    staff = {Role.Kind.OFFICER, Role.Kind.MODERATOR, Role.Kind.COUNCIL_ADMIN}
    return {action.name for action, roles in ALLOWED.items() if roles and set(roles) <= staff}


def _checks_staff_action(node: ast.FunctionDef, staff_actions: set[str]) -> bool:
    return any(
        isinstance(sub, ast.Attribute)
        and isinstance(sub.value, ast.Name)
        and sub.value.id == "Action"
        and sub.attr in staff_actions
        for sub in ast.walk(node)
    )


def _scan() -> tuple[dict[str, bool], set[str]]:
    """(every function by "module:name" → whether it records, the staff verbs' keys)."""
    staff_actions = _staff_actions()
    modules: dict[str, dict[str, ast.FunctionDef]] = {}
    for path in _verb_modules():
        tree = ast.parse(path.read_text(), filename=str(path))
        key = path.relative_to(SRC).as_posix()
        modules[key] = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef)}
    calls = {
        f"{mod}:{name}": _called(fn) for mod, funcs in modules.items() for name, fn in funcs.items()
    }
    by_name: dict[str, list[str]] = {}
    for key in calls:
        by_name.setdefault(key.split(":")[1], []).append(key)
    records = {key: bool(names & RECORDERS) for key, names in calls.items()}
    changed = True
    while changed:  # what a function calls records → it records (same module first)
        changed = False
        for key, names in calls.items():
            if records[key]:
                continue
            module = key.split(":")[0]
            for name in names:
                same = f"{module}:{name}"
                targets = [same] if same in calls else by_name.get(name, [])
                if any(records[t] for t in targets if not t.split(":")[1].startswith("__")):
                    records[key] = changed = True
                    break
    staff_verbs = set()
    for mod, funcs in modules.items():
        for name, fn in funcs.items():
            if name.startswith("_"):
                continue
            parameters = {a.arg for a in (*fn.args.posonlyargs, *fn.args.args, *fn.args.kwonlyargs)}
            if parameters & ACTOR_PARAMETERS or _checks_staff_action(fn, staff_actions):
                staff_verbs.add(f"{mod}:{name}")
    return records, staff_verbs


def test_the_scan_finds_the_verb_modules_and_known_staff_verbs():
    records, staff_verbs = _scan()
    assert len(staff_verbs) > 100
    for known in (
        "accounts/domain.py:verify_resident",
        "petitions/domain.py:update_petition_scheme",
        "petitions/domain.py:invalidate_signatures",
        "meetings/domain.py:publish_agenda",
        "ideas/domain.py:remove_comment",
    ):
        assert known in staff_verbs
        assert records[known]


def test_every_staff_verb_writes_an_audit_entry():
    records, staff_verbs = _scan()
    missing = sorted(
        key for key in staff_verbs if not records[key] and key not in NOT_STAFF_ACTIONS
    )
    assert missing == [], (
        "These staff verbs write no audit entry (call moothall.core.audit.record, or list "
        f"them in NOT_STAFF_ACTIONS with the reason): {missing}"
    )


def test_every_exception_is_still_a_staff_verb_that_records_nothing():
    records, staff_verbs = _scan()
    stale = sorted(k for k in NOT_STAFF_ACTIONS if k not in staff_verbs or records.get(k))
    assert stale == [], f"Remove these from NOT_STAFF_ACTIONS: {stale}"


def test_an_unaudited_verb_would_be_caught(tmp_path, monkeypatch):
    """The scan itself: a module with one verb that records and one that does not."""
    app = tmp_path / "fake"
    app.mkdir()
    (app / "domain.py").write_text(
        "from moothall.core.audit import record\n"
        "def _audit(actor):\n    record('x', actor=actor)\n"
        "def good(actor, thing):\n    thing.save()\n    _audit(actor)\n"
        "def bad(actor, thing):\n    thing.save()\n"
        "def by_permission(user, council):\n    _require(user, Action.MANAGE_ROLES, council)\n"
    )
    monkeypatch.setattr(__import__(__name__, fromlist=["SRC"]), "SRC", tmp_path)
    records, staff_verbs = _scan()
    assert staff_verbs == {
        "fake/domain.py:good",
        "fake/domain.py:bad",
        "fake/domain.py:by_permission",
    }
    assert {k for k in staff_verbs if not records[k]} == {
        "fake/domain.py:bad",
        "fake/domain.py:by_permission",
    }
