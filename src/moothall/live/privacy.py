"""Personal data in live meetings (see ``moothall.accounts.privacy``)."""

from moothall.accounts.privacy import FORMER_PARTICIPANT, Erase, register
from moothall.live.models import BlogPost, Comment, Media, Recording

register(BlogPost, owner=None, erase=Erase.KEEP, actors=("author",))
register(
    Comment,
    owner="author",
    export=("meeting_id", "item_id", "display_name", "text", "status", "created_at"),
    # The link cannot be emptied (it is required): it points at the anonymised tombstone.
    erase=Erase.ANONYMISE,
    clear={"display_name": FORMER_PARTICIPANT},
    actors=("decided_by",),
)
register(
    Media,
    owner="uploader",
    export=(
        "meeting_id",
        "item_id",
        "display_name",
        "kind",
        "file",
        "caption",
        "status",
        "created_at",
    ),
    erase=Erase.ANONYMISE,
    clear={"display_name": FORMER_PARTICIPANT},
    actors=("decided_by",),
)
register(Recording, owner=None, erase=Erase.KEEP, actors=("created_by",))
