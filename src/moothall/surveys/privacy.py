"""Personal data in surveys (see ``moothall.accounts.privacy``)."""

from moothall.accounts.privacy import Erase, register
from moothall.surveys.models import Answer, Response, Survey

register(Survey, owner=None, erase=Erase.KEEP, actors=("created_by",))
register(
    Response,
    owner="user",
    export=(
        "survey_id",
        "survey__title",
        "channel",
        "state",
        "ward__name",
        "age_band",
        "sex",
        "disability",
        "ethnicity",
        "started_at",
        "submitted_at",
    ),
    # The response and its answers stay in the results; who gave it is forgotten.
    erase=Erase.UNLINK,
    actors=("entered_by",),
    personal=("age_band", "sex", "disability", "ethnicity"),
    retention="Not linked to a person once unlinked; responses stay linked to an account "
    "until the person deletes it (no time-based unlinking yet).",
)
register(
    Answer,
    owner="response__user",
    export=("response_id", "question__text", "value"),
    erase=Erase.KEEP,  # stays in the results with its response, which is unlinked
    personal=("value",),  # a postcode question's answer is a postcode
)
