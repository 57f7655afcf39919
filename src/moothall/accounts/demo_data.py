"""Demo accounts, so a visitor can try the resident, councillor and staff sides of the demo.

They have a published password and a published authenticator key, so they are
made only for a local demo served over plain http (HTTPS=false, as `make demo`
sets); a site served over HTTPS never gets them.
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP
from django.conf import settings
from django.db import transaction

from moothall.accounts.domain import grant_role
from moothall.accounts.models import Role, User
from moothall.accounts.rules import has_mfa
from moothall.councils.models import Council, Councillor
from moothall.demo.registry import DemoContext, demo_step

PASSWORD = "moothall-demo"  # noqa: S105 - published on purpose, local demo only
# The authenticator key every demo staff account shares (base32); add it to any TOTP app.
TOTP_KEY = "MOOTHALLDEMOKEYS"


def _person(email: str, name: str, *, postcode: str = "", superuser: bool = False) -> User:
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(
            email,
            PASSWORD,
            name=name,
            postcode=postcode,
            is_staff=superuser,
            is_superuser=superuser,
        )
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def _with_mfa(user: User) -> User:
    if has_mfa(user):
        return user
    TOTP.activate(user, TOTP_KEY)
    return User.objects.get(pk=user.pk)  # fresh: the rules cache what they found on the object


@demo_step(order=30)
@transaction.atomic
def demo_accounts(context: DemoContext) -> str:
    """A platform admin, a Mootshire resident, officer, council admin and a councillor."""
    if settings.HTTPS:
        return "skipped: demo accounts are made only for a local http demo (HTTPS=false)"
    county = Council.objects.get(slug="mootshire")
    admin = _with_mfa(_person("admin@moothall.example", "Demo Platform Admin", superuser=True))
    _person("resident@mootshire.example", "Rita Resident", postcode="MH1 0AA")
    officer = _with_mfa(_person("officer@mootshire.example", "Olu Officer"))
    council_admin = _with_mfa(_person("council-admin@mootshire.example", "Ada Admin"))
    leader_seat = Councillor.objects.get(council=county, source="demo", source_id="mootshire-1")
    councillor = _person("councillor@mootshire.example", leader_seat.person.name)

    grant_role(admin, officer, county, Role.Kind.OFFICER, reason="Demo account")
    grant_role(admin, council_admin, county, Role.Kind.COUNCIL_ADMIN, reason="Demo account")
    grant_role(
        admin,
        councillor,
        county,
        Role.Kind.COUNCILLOR,
        councillor=leader_seat,
        reason="Demo account",
    )
    return (
        f"sign in as resident@, officer@, council-admin@ or councillor@mootshire.example, or "
        f"admin@moothall.example, password {PASSWORD!r}; staff authenticator key {TOTP_KEY}"
    )
