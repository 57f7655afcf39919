"""Factories without surprises: each makes one valid object and only what it must."""

from __future__ import annotations

import datetime as dt

import factory
from allauth.account.models import EmailAddress
from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
from django.utils.text import slugify

from moothall.accounts.models import Role, User
from moothall.councils.models import (
    Council,
    Councillor,
    KeyPost,
    Party,
    Person,
    Postcode,
    TermOfOffice,
    Ward,
)


class CouncilFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Council
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Testshire {n} Council")
    short_name = factory.LazyAttribute(lambda o: o.name.replace(" Council", ""))
    slug = factory.LazyAttribute(lambda o: slugify(o.short_name))
    tier = Council.Tier.DISTRICT
    nation = Council.Nation.ENGLAND
    gss_code = factory.Sequence(lambda n: f"E07{900000 + n:06d}")


class WardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ward

    council = factory.SubFactory(CouncilFactory)
    name = factory.Sequence(lambda n: f"Ward {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    gss_code = factory.Sequence(lambda n: f"E05{900000 + n:06d}")


class PartyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Party
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Party {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    name = factory.Sequence(lambda n: f"Person {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))


class CouncillorFactory(factory.django.DjangoModelFactory):
    """A councillor with one open term of office that began on 5 May 2022."""

    class Meta:
        model = Councillor
        skip_postgeneration_save = True

    person = factory.SubFactory(PersonFactory)
    council = factory.SubFactory(CouncilFactory)
    ward = factory.SubFactory(WardFactory, council=factory.SelfAttribute("..council"))
    party = factory.SubFactory(PartyFactory)
    title = factory.LazyAttribute(lambda o: f"Councillor {o.person.name}")
    work_email = factory.LazyAttribute(lambda o: f"{o.person.slug}@council.example")
    term = factory.RelatedFactory(
        "tests.factories.TermOfOfficeFactory", factory_related_name="councillor"
    )


class TermOfOfficeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TermOfOffice

    councillor = factory.SubFactory(CouncillorFactory, term=None)
    start_date = dt.date(2022, 5, 5)
    end_date = None


class KeyPostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = KeyPost

    councillor = factory.SubFactory(CouncillorFactory)
    title = "Leader of the Council"


class PostcodeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Postcode
        django_get_or_create = ("postcode",)

    postcode = "MH1 1AA"


class UserFactory(factory.django.DjangoModelFactory):
    """A signed-up person whose email address is verified."""

    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    name = ""

    @factory.post_generation
    def verified_email(self, create: bool, extracted: bool | None, **kwargs: object) -> None:
        if create and extracted is not False:
            EmailAddress.objects.get_or_create(
                user=self, email=self.email, defaults={"verified": True, "primary": True}
            )


class RoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Role

    user = factory.SubFactory(UserFactory)
    council = factory.SubFactory(CouncilFactory)
    kind = Role.Kind.OFFICER


def give_mfa(user: User) -> TOTP:
    """Turn on TOTP for ``user`` (as if they had scanned the QR code)."""
    return TOTP.activate(user, generate_totp_secret())


class ResidentVerificationFactory(factory.django.DjangoModelFactory):
    """A standing verification, checked in person, with no officer recorded unless given."""

    class Meta:
        model = "accounts.ResidentVerification"

    user = factory.SubFactory(UserFactory)
    council = factory.SubFactory(CouncilFactory)
    method = "in_person"
    reason = "Saw a council tax bill for the address."


# --- Meetings ------------------------------------------------------------------
# Plain rows for setting the scene; tests of behaviour call the verbs in
# moothall.meetings.domain instead.


class BodyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "meetings.Body"

    council = factory.SubFactory(CouncilFactory)
    name = factory.Sequence(lambda n: f"Committee {n}")
    slug = factory.LazyAttribute(lambda o: slugify(o.name))
    kind = "committee"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "meetings.Membership"

    body = factory.SubFactory(BodyFactory)
    councillor = factory.SubFactory(
        CouncillorFactory, council=factory.SelfAttribute("..body.council")
    )
    role = "member"


class MeetingFactory(factory.django.DjangoModelFactory):
    """A scheduled meeting at 18:30 on 14 March 2030 (a Thursday), agenda not yet published."""

    class Meta:
        model = "meetings.Meeting"

    body = factory.SubFactory(BodyFactory)
    council = factory.SelfAttribute("body.council")
    start = factory.LazyFunction(lambda: dt.datetime(2030, 3, 14, 18, 30, tzinfo=dt.UTC))
    venue = "Council Chamber, Moot Hall"
    status = "scheduled"


class AgendaItemFactory(factory.django.DjangoModelFactory):
    """An item; give ``number`` and ``sort_key`` yourself or call domain.renumber(meeting)."""

    class Meta:
        model = "meetings.AgendaItem"

    meeting = factory.SubFactory(MeetingFactory)
    title = factory.Sequence(lambda n: f"Report {n}")
    kind = "report"
    number = factory.Sequence(lambda n: str(n + 1))
    sort_key = factory.Sequence(lambda n: f"{n:04d}.")
    position = factory.Sequence(lambda n: n)


class DecisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "meetings.Decision"

    council = factory.SubFactory(CouncilFactory)
    title = factory.Sequence(lambda n: f"Decision {n}")
    text = "Resolved: that the recommendations be approved."
    decision_maker = "Cabinet"
    decided_on = dt.date(2030, 3, 14)
