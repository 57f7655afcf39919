"""Personal data in meetings (see ``moothall.accounts.privacy``)."""

from moothall.accounts.privacy import FORMER_PARTICIPANT, Erase, not_personal, register
from moothall.meetings.models import Body, Document, PublicSubmission, TimelineEntry

register(
    PublicSubmission,
    owner="submitter",
    export=(
        "meeting_id",
        "agenda_item_id",
        "display_name",
        "kind",
        "text",
        "status",
        "reason",
        "created_at",
    ),
    # A question or deputation is part of the meeting's record: it stays, anonymised.
    erase=Erase.ANONYMISE,
    clear={"display_name": FORMER_PARTICIPANT},
    actors=("decided_by",),
)
register(TimelineEntry, owner=None, erase=Erase.KEEP, actors=("actor",))
not_personal(Body, reason="Names of committees and boards.")
not_personal(Document, reason="File names of published meeting documents.")
