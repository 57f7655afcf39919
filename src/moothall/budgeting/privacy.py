"""Personal data in participatory budgeting (see ``moothall.accounts.privacy``)."""

from moothall.accounts.privacy import Erase, not_personal, register
from moothall.budgeting.models import (
    Ballot,
    BallotChoice,
    Budget,
    BudgetProcess,
    DeliveryUpdate,
    ProcessEvent,
    Project,
    ProjectImage,
)

register(BudgetProcess, owner=None, erase=Erase.KEEP, actors=("created_by",))
not_personal(Budget, reason="Names of budgets (a ward, the whole area).")
register(
    Project,
    owner="proposed_by",
    export=(
        "process_id",
        "title",
        "description",
        "location",
        "status",
        "awaiting_moderation",
        "hidden_at",
        "hidden_reason",
        "created_at",
    ),
    erase=Erase.UNLINK,
)
register(
    ProjectImage,
    owner="uploaded_by",
    export=("project_id", "file", "alt_text", "created_at"),
    erase=Erase.UNLINK,
)
register(
    Ballot,
    owner="voter",
    export=("budget_id", "budget__name", "budget__process__title", "created_at", "updated_at"),
    # The ballot and its choices stay, so results stay exact; who cast it is forgotten.
    erase=Erase.UNLINK,
    actors=("entered_by",),
    retention="Ballots are unlinked from voters BudgetProcess.keep_voters_days after the "
    "results are published (budgeting.tasks.purge_voters, daily).",
)
register(
    BallotChoice,
    owner="ballot__voter",
    export=("ballot_id", "project_id", "project__title", "points", "rank"),
    erase=Erase.KEEP,  # goes with its ballot, which is unlinked
)
register(DeliveryUpdate, owner=None, erase=Erase.KEEP, actors=("author",))
register(ProcessEvent, owner=None, erase=Erase.KEEP, actors=("actor",))
