"""Demo letters to a Mootshire councillor, so their page shows a response rate.

Seven invented residents of the division of Mootshire's first county councillor (the
seat the demo councillor account answers for) write to them over the past year, through
the verbs, with the clock set back to each moment: most letters answered within a few
working days, two answered late, one not yet. The demo resident (when the demo accounts
exist) also writes to their own councillors and gets an answer, so "My messages" has a
conversation. Idempotent: nothing is added when the letters are there.
"""

from __future__ import annotations

import datetime as dt

from allauth.account.models import EmailAddress
from django.db import transaction
from django.utils import timezone

from moothall.accounts.models import User
from moothall.correspondence import domain
from moothall.correspondence.models import Message
from moothall.councils.models import Council, Councillor, Postcode
from moothall.demo.registry import DemoContext, demo_step
from moothall.meetings.law import working_days_after

WRITERS_DOMAIN = "residents.mootshire.example"
WRITERS = [
    "Aisha Patel",
    "Ben Howells",
    "Carys Morgan",
    "Dev Sharma",
    "Eve Lambert",
    "Femi Adebayo",
    "Gwen Price",
]
# (days ago, subject, text, working days until the councillor replied or None, the reply)
LETTERS = [
    (
        330,
        "Pothole on Mill Lane",
        "There is a deep pothole outside number 12 Mill Lane. "
        "A cyclist came off there last week. Could you ask Highways to look at it?",
        3,
        "Thank you for letting me know. I have reported it to Highways and asked them to "
        "make it safe this week.",
    ),
    (
        300,
        "Bus 14 timetable",
        "The 14 no longer stops at the school in the morning. "
        "Children now walk along the main road. Is this change permanent?",
        6,
        "I have asked the transport team. The stop was dropped by mistake in the new "
        "timetable and will be back from next month.",
    ),
    (
        270,
        "Library opening hours",
        "Will the library keep its Saturday opening? Many of us work during the week.",
        2,
        "Yes: the proposal to close on Saturdays was withdrawn at Cabinet on Thursday.",
    ),
    (
        240,
        "Street lights out",
        "Three street lights on Orchard Way have been out for a month.",
        14,
        "Sorry for the slow answer. The repair was booked and is now done.",
    ),
    (
        210,
        "Flooding at the ford",
        "The ford flooded again on Sunday and a car was stuck. Can a depth gauge be put up?",
        8,
        "I agree a gauge is needed. I have raised it with Highways and will chase it.",
    ),
    (
        180,
        "Planning application near the school",
        "How can I comment on the application for houses behind the primary school?",
        1,
        "You can comment on the planning portal "
        "until the 21st. I am happy to meet residents about it.",
    ),
    (
        150,
        "Dog fouling on the green",
        "Dog fouling on the village green is getting worse. Could we have another bin?",
        5,
        "A second bin has been ordered for the north corner.",
    ),
    (
        120,
        "Speeding on the High Street",
        "Cars speed through the village at night. Would the council consider a speed camera?",
        9,
        "I have asked for a speed survey, the first step towards traffic calming.",
    ),
    (
        90,
        "Recycling collection missed",
        "Our recycling was not collected on Tuesday, for the second week running.",
        2,
        "I have raised it with the waste team, who will collect tomorrow.",
    ),
    (
        60,
        "Youth club funding",
        "Is the youth club's grant being renewed this year?",
        13,
        "The grant was renewed at last week's meeting. Sorry it took me a while to confirm.",
    ),
    (
        45,
        "Overgrown footpath",
        "The footpath from Church Road to the fields is overgrown and "
        "hard to use with a pushchair.",
        4,
        "Countryside Services will cut it back this month.",
    ),
    (
        30,
        "Parking outside the surgery",
        "People park on the zigzags outside the surgery. Can enforcement visit?",
        3,
        "I have asked the parking team to visit at peak times.",
    ),
    (
        20,
        "Christmas lights",
        "Will the council help pay for the village Christmas lights?",
        None,
        "",
    ),
]


def _writer(name: str, postcode: str) -> User:
    email = f"{name.split()[0].lower()}@{WRITERS_DOMAIN}"
    user = User.objects.filter(email=email).first()
    if user is None:
        user = User.objects.create_user(email, None, name=name, postcode=postcode)
    EmailAddress.objects.get_or_create(
        user=user, email=email, defaults={"verified": True, "primary": True}
    )
    return user


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


@demo_step(order=50)
@transaction.atomic
def letters_to_councillors(context: DemoContext) -> str:
    """Letters to Mootshire's first county councillor, and their replies."""
    county = Council.objects.filter(slug="mootshire").first()
    seat = (
        Councillor.objects.filter(council=county, source="demo", source_id="mootshire-1")
        .select_related("ward", "person")
        .first()
        if county
        else None
    )
    if county is None or seat is None or seat.ward is None:
        return "skipped: no Mootshire councillor (the Mootshire step makes them)"
    if Message.objects.filter(councillor=seat, sender__email__endswith=WRITERS_DOMAIN).exists():
        return "already there"
    postcodes = list(
        Postcode.objects.filter(division_gss=seat.ward.gss_code)
        .order_by("postcode")
        .values_list("postcode", flat=True)[: len(WRITERS)]
    )
    if not postcodes:
        return f"skipped: no postcodes in {seat.ward.name}"
    writers = [_writer(name, postcodes[i % len(postcodes)]) for i, name in enumerate(WRITERS)]
    today = timezone.localdate()
    made = 0
    for index, (days_ago, subject, text, after, answer) in enumerate(LETTERS):
        writer = writers[index % len(writers)]
        sent = today - dt.timedelta(days=days_ago)
        (message,) = domain.write_to_councillors(
            writer, county, [seat], subject=subject, body=text, now=_at(sent, 9)
        )
        made += 1
        if after is not None:
            replied = working_days_after(sent, after, county.nation)
            domain.reply_as_councillor(message.token, message, body=answer, now=_at(replied, 16))
            if index == 0:
                domain.reply_as_sender(
                    writer,
                    message,
                    body="Thank you, it has been filled in.",
                    now=_at(replied + dt.timedelta(days=7), 11),
                )
    resident = User.objects.filter(email="resident@mootshire.example").first()
    if resident is not None:
        standing = domain.standing_for(resident, county)
        if standing.ward is not None:
            own = [c for c in domain.current_councillors(standing.ward) if c.work_email]
            if own:
                sent = today - dt.timedelta(days=12)
                (letter, *_rest) = domain.write_to_councillors(
                    resident,
                    county,
                    own,
                    subject="Bins left on the pavement",
                    body="Bins are left on the pavement all week on our street, blocking "
                    "wheelchairs and pushchairs. Can the council remind people?",
                    now=_at(sent, 10),
                )
                domain.reply_as_councillor(
                    letter.token,
                    letter,
                    body="Thank you for raising this. I have asked the waste team to write "
                    "to the street, and will look myself on Friday.",
                    now=_at(working_days_after(sent, 2, county.nation), 15),
                )
                made += 1
    return f"{made} letters to councillors, most answered"
