"""Personal data in deliberations (see ``moothall.accounts.privacy``)."""

from moothall.accounts.privacy import Erase, register
from moothall.deliberation.models import Conversation, Participant, Statement, Vote

register(Conversation, owner=None, erase=Erase.KEEP, actors=("created_by",))
register(
    Participant,
    owner="user",
    export=(
        "conversation_id",
        "conversation__title",
        "number",
        "ward__name",
        "age_band",
        "sex",
        "joined_at",
    ),
    # The participant stays (a number), so votes and the analysis stay exact.
    erase=Erase.UNLINK,
    personal=("age_band", "sex", "external_id"),
)
register(
    Statement,
    owner="author__user",
    export=("conversation_id", "number", "text", "state", "created_at"),
    erase=Erase.KEEP,  # its participant is unlinked
    actors=("moderated_by",),
)
register(
    Vote,
    owner="participant__user",
    export=(
        "conversation_id",
        "statement_id",
        "statement__text",
        "value",
        "created_at",
        "updated_at",
    ),
    erase=Erase.KEEP,  # its participant is unlinked
)
