"""Personal data in ideas (see ``moothall.accounts.privacy``)."""

from moothall.accounts.privacy import FORMER_PARTICIPANT, Erase, register
from moothall.ideas.models import (
    Comment,
    Idea,
    IdeaAgendaLink,
    IdeaImage,
    IdeaResponse,
    IdeaTimelineEntry,
    Support,
)

register(
    Idea,
    owner="author",
    export=("council__slug", "kind", "title", "body", "status", "created_at", "updated_at"),
    erase=Erase.UNLINK,  # the idea stays, with no author
)
register(
    IdeaImage,
    owner="uploaded_by",
    export=("idea_id", "file", "alt_text", "created_at"),
    erase=Erase.UNLINK,
)
register(
    Support,
    owner="user",
    export=("idea_id", "idea__title", "created_at"),
    # The support stays counted; its row points at the anonymised tombstone.
    erase=Erase.ANONYMISE,
)
register(
    Comment,
    owner="author",
    export=("idea_id", "body", "created_at", "is_removed"),
    erase=Erase.UNLINK,
    actors=("removed_by",),
)
register(
    IdeaResponse,
    owner="author",
    export=("idea_id", "display_name", "body", "created_at"),
    # The council's published response stays; the name it was signed with is replaced.
    erase=Erase.UNLINK,
    clear={"display_name": FORMER_PARTICIPANT},
)
register(IdeaAgendaLink, owner=None, erase=Erase.KEEP, actors=("created_by",))
register(IdeaTimelineEntry, owner=None, erase=Erase.KEEP, actors=("actor",))
