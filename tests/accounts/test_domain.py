"""The verbs that change roles and verification: permission, validation, audit, atomicity."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, IntegrityError, connection, transaction

from moothall.accounts import domain
from moothall.accounts.models import ResidentVerification, Role
from moothall.accounts.residents import Eligibility, eligibility_for
from moothall.accounts.rules import Action, can
from moothall.core.models import AuditEntry
from tests import factories


@pytest.fixture
def area(council):
    factories.PostcodeFactory(postcode="MH1 1AA", county_gss=council.gss_code)


@pytest.fixture
def newcomer(db):
    return factories.UserFactory(email="nell.newcomer@example.org", name="Nell Newcomer")


def _nothing_written(roles: int, verifications: int) -> None:
    assert Role.objects.count() == roles
    assert ResidentVerification.objects.count() == verifications
    assert AuditEntry.objects.count() == 0


# --- grant_role --------------------------------------------------------------


def test_a_council_admin_grants_an_officer_role(council, council_admin, newcomer):
    role, created = domain.grant_role(
        council_admin, newcomer, council, "officer", reason="Joined democratic services"
    )

    assert created is True
    assert (role.user, role.council, role.kind, role.granted_by) == (
        newcomer,
        council,
        "officer",
        council_admin,
    )
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.council, entry.target_type, entry.target_id) == (
        "role.granted",
        council_admin,
        council,
        "accounts.role",
        str(role.pk),
    )
    assert entry.details == {
        "user_id": newcomer.pk,
        "kind": "officer",
        "councillor_id": None,
        "reason": "Joined democratic services",
    }


def test_granting_a_role_takes_effect_on_the_same_user_object(council, council_admin, newcomer):
    factories.give_mfa(newcomer)
    assert can(newcomer, Action.VIEW_STAFF_AREA, council) is False

    domain.grant_role(council_admin, newcomer, council, "moderator")

    assert can(newcomer, Action.VIEW_STAFF_AREA, council) is True


def test_granting_the_same_role_twice_changes_nothing(council, council_admin, newcomer):
    first, _ = domain.grant_role(council_admin, newcomer, council, "officer")

    again, created = domain.grant_role(council_admin, newcomer, council, "officer")

    assert (again, created) == (first, False)
    assert Role.objects.filter(user=newcomer).count() == 1
    assert AuditEntry.objects.filter(action="role.granted").count() == 1


def test_a_councillor_role_links_a_councillor_of_the_same_council(council, council_admin, newcomer):
    seat = factories.CouncillorFactory(council=council, person__name="Nell Newcomer")

    role, _ = domain.grant_role(council_admin, newcomer, council, "councillor", councillor=seat)

    assert role.councillor == seat
    assert AuditEntry.objects.get().details["councillor_id"] == seat.pk


def test_a_councillor_role_without_a_councillor_record_is_refused(council, council_admin, newcomer):
    with pytest.raises(ValidationError) as caught:
        domain.grant_role(council_admin, newcomer, council, "councillor")

    assert caught.value.messages == ["Choose the councillor record this person's role belongs to."]
    _nothing_written(roles=1, verifications=0)


def test_a_councillor_record_of_another_council_is_refused(
    council, other_council, council_admin, newcomer
):
    elsewhere = factories.CouncillorFactory(council=other_council)

    with pytest.raises(ValidationError) as caught:
        domain.grant_role(council_admin, newcomer, council, "councillor", councillor=elsewhere)

    assert caught.value.messages == ["That councillor record belongs to another council."]
    _nothing_written(roles=1, verifications=0)


def test_an_officer_role_cannot_link_a_councillor_record(council, council_admin, newcomer):
    seat = factories.CouncillorFactory(council=council)

    with pytest.raises(ValidationError) as caught:
        domain.grant_role(council_admin, newcomer, council, "officer", councillor=seat)

    assert caught.value.messages == ["Only a councillor role links to a councillor record."]


def test_an_unknown_kind_of_role_is_refused(council, council_admin, newcomer):
    with pytest.raises(ValidationError) as caught:
        domain.grant_role(council_admin, newcomer, council, "mayor")

    assert caught.value.messages == ["Choose a kind of role."]
    _nothing_written(roles=1, verifications=0)


def test_a_deactivated_account_cannot_be_given_a_role(council, council_admin, newcomer):
    newcomer.is_active = False
    newcomer.save()

    with pytest.raises(ValidationError) as caught:
        domain.grant_role(council_admin, newcomer, council, "officer")

    assert caught.value.messages == [
        "This account has been deactivated, so it cannot be given a role."
    ]


def test_re_granting_a_councillor_role_with_another_record_is_refused(
    council, council_admin, councillor_user
):
    other_seat = factories.CouncillorFactory(council=council)

    with pytest.raises(ValidationError) as caught:
        domain.grant_role(
            council_admin, councillor_user, council, "councillor", councillor=other_seat
        )

    assert caught.value.messages == [
        "This person is already a councillor here, linked to another councillor record. "
        "Revoke that role first."
    ]
    assert AuditEntry.objects.count() == 0


@pytest.mark.parametrize("granter", ["officer", "moderator", "resident", "outsider"])
def test_only_a_council_admin_may_grant_roles(request, council, newcomer, granter):
    actor = request.getfixturevalue(granter)
    roles_before = Role.objects.count()

    with pytest.raises(PermissionDenied):
        domain.grant_role(actor, newcomer, council, "officer")

    assert Role.objects.count() == roles_before
    assert AuditEntry.objects.count() == 0


def test_a_council_admin_cannot_grant_themselves_a_role(council, council_admin):
    with pytest.raises(PermissionDenied):
        domain.grant_role(council_admin, council_admin, council, "officer")

    assert list(council_admin.roles.values_list("kind", flat=True)) == ["council_admin"]


def test_a_platform_admin_may_grant_roles_anywhere(other_council, platform_admin, newcomer):
    role, created = domain.grant_role(platform_admin, newcomer, other_council, "council_admin")

    assert (role.council, role.kind, created) == (other_council, "council_admin", True)


# --- revoke_role -------------------------------------------------------------


def test_a_council_admin_revokes_a_role(council, council_admin, officer):
    role = officer.roles.get()

    domain.revoke_role(council_admin, role, "Left the council")

    assert officer.roles.count() == 0
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.council, entry.target_id) == (
        "role.revoked",
        council_admin,
        council,
        str(role.pk),
    )
    assert entry.details == {
        "user_id": officer.pk,
        "kind": "officer",
        "councillor_id": None,
        "reason": "Left the council",
    }


def test_revoking_a_role_needs_a_reason(council, council_admin, officer):
    with pytest.raises(ValidationError) as caught:
        domain.revoke_role(council_admin, officer.roles.get(), "   ")

    assert caught.value.messages == ["Enter a reason."]
    assert officer.roles.count() == 1
    assert AuditEntry.objects.count() == 0


def test_revoking_a_role_that_is_already_gone_is_refused(council, council_admin, officer):
    role = officer.roles.get()
    domain.revoke_role(council_admin, role, "Left the council")

    with pytest.raises(ValidationError) as caught:
        domain.revoke_role(council_admin, role, "Left the council")

    assert caught.value.messages == ["This role has already been revoked."]
    assert AuditEntry.objects.filter(action="role.revoked").count() == 1


def test_a_council_admin_cannot_revoke_their_own_role(council, council_admin):
    with pytest.raises(PermissionDenied):
        domain.revoke_role(council_admin, council_admin.roles.get(), "Stepping down")

    assert council_admin.roles.count() == 1


def test_an_admin_of_another_council_cannot_revoke_a_role_here(council, other_council, officer):
    elsewhere_admin = factories.UserFactory(email="eve.admin@example.org")
    factories.RoleFactory(user=elsewhere_admin, council=other_council, kind="council_admin")
    factories.give_mfa(elsewhere_admin)

    with pytest.raises(PermissionDenied):
        domain.revoke_role(elsewhere_admin, officer.roles.get(), "Not ours")

    assert officer.roles.count() == 1


# --- verify_resident ---------------------------------------------------------


def test_an_officer_verifies_a_resident(council, officer, resident, area):
    verification = domain.verify_resident(
        officer, resident, council, "in_person", "  Saw a council tax bill.  "
    )

    assert (verification.user, verification.council, verification.method) == (
        resident,
        council,
        "in_person",
    )
    assert (verification.reason, verification.verified_by) == ("Saw a council tax bill.", officer)
    entry = AuditEntry.objects.get()
    assert (entry.action, entry.actor, entry.council, entry.target_id) == (
        "resident.verified",
        officer,
        council,
        str(verification.pk),
    )
    assert entry.details == {
        "user_id": resident.pk,
        "method": "in_person",
        "reason": "Saw a council tax bill.",
    }
    assert eligibility_for(resident, council) == Eligibility.VERIFIED_RESIDENT


@pytest.mark.parametrize("reason", ["", "   ", "\n\t"])
def test_verifying_needs_a_reason(council, officer, resident, reason):
    with pytest.raises(ValidationError) as caught:
        domain.verify_resident(officer, resident, council, "in_person", reason)

    assert caught.value.messages == ["Enter a reason."]
    _nothing_written(roles=1, verifications=0)


def test_a_reason_longer_than_the_limit_is_refused(council, officer, resident):
    with pytest.raises(ValidationError) as caught:
        domain.verify_resident(officer, resident, council, "phone", "x" * 2001)

    assert caught.value.messages == ["The reason must be 2000 characters or fewer."]
    _nothing_written(roles=1, verifications=0)


def test_an_unknown_method_is_refused(council, officer, resident):
    with pytest.raises(ValidationError) as caught:
        domain.verify_resident(officer, resident, council, "carrier_pigeon", "Trust me")

    assert caught.value.messages == ["Choose how you checked."]
    _nothing_written(roles=1, verifications=0)


def test_a_staff_member_cannot_verify_themselves(council, officer):
    with pytest.raises(PermissionDenied):
        domain.verify_resident(officer, officer, council, "in_person", "I live here")

    _nothing_written(roles=1, verifications=0)


@pytest.mark.parametrize("verifier", ["moderator", "councillor_user", "resident", "outsider"])
def test_only_officers_and_admins_may_verify(request, council, newcomer, verifier):
    actor = request.getfixturevalue(verifier)

    with pytest.raises(PermissionDenied):
        domain.verify_resident(actor, newcomer, council, "in_person", "Seen in person")

    assert ResidentVerification.objects.count() == 0
    assert AuditEntry.objects.count() == 0


def test_someone_already_verified_is_not_verified_twice(council, officer, council_admin, resident):
    domain.verify_resident(officer, resident, council, "in_person", "Council tax bill")

    with pytest.raises(ValidationError) as caught:
        domain.verify_resident(council_admin, resident, council, "phone", "Called them")

    assert caught.value.messages == ["This person is already a verified resident here."]
    assert ResidentVerification.objects.count() == 1
    assert AuditEntry.objects.count() == 1


def test_a_deactivated_account_cannot_be_verified(council, officer, resident):
    resident.is_active = False
    resident.save()

    with pytest.raises(ValidationError) as caught:
        domain.verify_resident(officer, resident, council, "in_person", "Seen")

    assert caught.value.messages == ["This account has been deactivated, so it cannot be verified."]


def test_the_database_refuses_two_standing_verifications_at_one_council(council, resident):
    factories.ResidentVerificationFactory(user=resident, council=council)

    with pytest.raises(IntegrityError), transaction.atomic():
        factories.ResidentVerificationFactory(user=resident, council=council)


def test_the_database_refuses_a_verification_without_a_reason(council, resident):
    with pytest.raises(IntegrityError), transaction.atomic():
        factories.ResidentVerificationFactory(user=resident, council=council, reason="")


# --- revoke_verification -----------------------------------------------------


def test_an_officer_revokes_a_verification(council, officer, council_admin, resident, area):
    verification = domain.verify_resident(council_admin, resident, council, "letter", "Code")

    domain.revoke_verification(officer, verification, "Moved to Elsewhere")

    verification.refresh_from_db()
    assert verification.revoked_at is not None
    assert (verification.revoked_by, verification.revocation_reason) == (
        officer,
        "Moved to Elsewhere",
    )
    entry = AuditEntry.objects.get(action="resident.verification_revoked")
    assert (entry.actor, entry.council, entry.target_id) == (officer, council, str(verification.pk))
    assert entry.details == {
        "user_id": resident.pk,
        "method": "letter",
        "reason": "Moved to Elsewhere",
    }
    assert eligibility_for(resident, council) == Eligibility.POSTCODE_IN_AREA


def test_a_resident_can_be_verified_again_after_a_revocation(council, officer, resident):
    first = domain.verify_resident(officer, resident, council, "phone", "Phoned")
    domain.revoke_verification(officer, first, "Wrong address")

    second = domain.verify_resident(officer, resident, council, "in_person", "Seen in person")

    assert list(ResidentVerification.objects.filter(user=resident)) == [second, first]


def test_revoking_needs_a_reason(council, officer, resident):
    verification = factories.ResidentVerificationFactory(user=resident, council=council)

    with pytest.raises(ValidationError) as caught:
        domain.revoke_verification(officer, verification, " ")

    assert caught.value.messages == ["Enter a reason."]
    verification.refresh_from_db()
    assert (verification.revoked_at, verification.revocation_reason) == (None, "")
    assert AuditEntry.objects.count() == 0


def test_revoking_twice_is_refused(council, officer, resident):
    verification = factories.ResidentVerificationFactory(user=resident, council=council)
    domain.revoke_verification(officer, verification, "Moved away")

    with pytest.raises(ValidationError) as caught:
        domain.revoke_verification(officer, verification, "Moved away again")

    assert caught.value.messages == ["This verification has already been revoked."]
    verification.refresh_from_db()
    assert verification.revocation_reason == "Moved away"


def test_an_officer_of_another_council_cannot_revoke_a_verification_here(
    council, outsider, resident
):
    verification = factories.ResidentVerificationFactory(user=resident, council=council)

    with pytest.raises(PermissionDenied):
        domain.revoke_verification(outsider, verification, "Not ours")

    verification.refresh_from_db()
    assert verification.revoked_at is None


# --- No half-written records ---------------------------------------------------


def _fail_the_audit_insert(execute, sql, params, many, context):
    """Make the database refuse the audit row, as a full disk or a lost connection would."""
    if sql.lstrip().upper().startswith("INSERT") and "core_auditentry" in sql:
        raise DatabaseError("could not write the audit row")
    return execute(sql, params, many, context)


def test_a_role_is_not_granted_when_its_audit_row_cannot_be_written(
    council, council_admin, newcomer
):
    with connection.execute_wrapper(_fail_the_audit_insert), pytest.raises(DatabaseError):
        domain.grant_role(council_admin, newcomer, council, "officer")

    assert newcomer.roles.count() == 0


def test_a_role_is_not_revoked_when_its_audit_row_cannot_be_written(
    council, council_admin, officer
):
    with connection.execute_wrapper(_fail_the_audit_insert), pytest.raises(DatabaseError):
        domain.revoke_role(council_admin, officer.roles.get(), "Left")

    assert list(officer.roles.values_list("kind", flat=True)) == ["officer"]


def test_a_resident_is_not_verified_when_the_audit_row_cannot_be_written(
    council, officer, resident
):
    with connection.execute_wrapper(_fail_the_audit_insert), pytest.raises(DatabaseError):
        domain.verify_resident(officer, resident, council, "in_person", "Seen")

    assert ResidentVerification.objects.count() == 0


def test_a_verification_stands_when_the_audit_row_for_its_revocation_cannot_be_written(
    council, officer, resident
):
    verification = factories.ResidentVerificationFactory(user=resident, council=council)

    with connection.execute_wrapper(_fail_the_audit_insert), pytest.raises(DatabaseError):
        domain.revoke_verification(officer, verification, "Moved away")

    verification.refresh_from_db()
    assert (verification.revoked_at, verification.revoked_by, verification.revocation_reason) == (
        None,
        None,
        "",
    )
