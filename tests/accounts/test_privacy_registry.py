"""Every model that holds a person's data says how it is exported and erased.

The test fails when a model links to the user model, or has a field named like an email,
name, postcode or internet address, and is declared neither with
``moothall.accounts.privacy.register`` nor with ``not_personal``."""

from __future__ import annotations

import re

from django.apps import apps
from django.contrib.auth import get_user_model
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from moothall.accounts import privacy
from moothall.accounts.privacy import PERSONAL_FIELD_PATTERN, Erase


def _user_links(model: type[models.Model]) -> set[str]:
    user_model = get_user_model()
    return {
        f.name
        for f in model._meta.concrete_fields
        if f.is_relation and f.related_model is user_model
    }


def _personal_fields(model: type[models.Model]) -> set[str]:
    return {
        f.name
        for f in model._meta.concrete_fields
        if not f.is_relation and re.search(PERSONAL_FIELD_PATTERN, f.name)
    }


def _resolves(model: type[models.Model], path: str) -> bool:
    current = model
    parts = path.split("__")
    for index, part in enumerate(parts):
        if part == "pk":
            return index == len(parts) - 1
        try:
            field = current._meta.get_field(part)
        except FieldDoesNotExist:
            return False
        if index < len(parts) - 1:
            if not field.is_relation or field.related_model is None:
                return False
            current = field.related_model
    return True


def undeclared() -> list[str]:
    """What the registry misses, in words (empty when every model is accounted for)."""
    by_label = {r.label: r for r in privacy.registrations()}
    exempt = privacy.exemptions()
    problems: list[str] = []
    for model in apps.get_models():
        label = model._meta.label_lower
        links = _user_links(model)
        personal = _personal_fields(model)
        registration = by_label.get(label)
        if registration is None:
            if links:
                problems.append(
                    f"{label}: links to the user ({sorted(links)}) but is not registered"
                )
            elif personal and label not in exempt:
                problems.append(f"{label}: holds {sorted(personal)} but is not declared")
            continue
        owners = {path.split("__")[0] for path in registration.owner}
        declared = owners | set(registration.actors)
        missing = links - declared
        if missing:
            problems.append(f"{label}: links {sorted(missing)} are neither owner nor actors")
        accounted = (
            declared
            | {path.split("__")[0] for path in registration.export}
            | set(registration.clear)
            | set(registration.personal)
        )
        unaccounted = personal - accounted
        if unaccounted:
            problems.append(f"{label}: personal fields {sorted(unaccounted)} not accounted for")
    return problems


def test_every_model_holding_personal_data_is_declared() -> None:
    assert undeclared() == []


def test_registrations_name_real_fields() -> None:
    for registration in privacy.registrations():
        model = registration.model
        names = (
            *registration.owner,
            *registration.export,
            *registration.clear,
            *registration.actors,
            *registration.personal,
        )
        for name in names:
            assert _resolves(model, name), f"{registration.label}: no field {name!r}"
        if registration.erase is Erase.UNLINK and registration.eraser is None:
            for path in registration.owner:
                assert "__" not in path, f"{registration.label}: cannot unlink through {path}"
                assert model._meta.get_field(path).null, f"{registration.label}.{path} not null"
        if registration.erase in (Erase.DELETE, Erase.UNLINK, Erase.ANONYMISE):
            assert registration.owner or registration.eraser, registration.label


def test_the_net_catches_an_undeclared_model(monkeypatch) -> None:
    """The coverage test can fail: drop one registration and it names the model."""
    from moothall.petitions.models import Signature

    kept = dict(privacy._registry)
    monkeypatch.setattr(
        privacy, "_registry", {k: v for k, v in kept.items() if k != "petitions.signature"}
    )
    assert any(p.startswith("petitions.signature:") for p in undeclared())
    assert Signature._meta.label_lower == "petitions.signature"


def test_the_net_catches_an_undeclared_email_field(monkeypatch) -> None:
    """A model with no link to the user but an email field must be declared too."""
    privacy.ensure_loaded()
    kept = dict(privacy._not_personal)
    del kept["councils.councillor"]
    monkeypatch.setattr(privacy, "_not_personal", kept)
    found = undeclared()
    assert (
        "councils.councillor: holds ['work_address', 'work_email', 'work_phone'] but is not declared"
        in found
    )
