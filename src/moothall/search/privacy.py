"""Personal data in search (see ``moothall.accounts.privacy``)."""

from moothall.accounts.privacy import Erase, register
from moothall.search.models import SavedSearch

register(
    SavedSearch,
    owner="user",
    export=(
        "query",
        "council__slug",
        "body_id",
        "kinds",
        "date_from",
        "date_to",
        "created_at",
        "last_sent_at",
    ),
    erase=Erase.DELETE,
)
