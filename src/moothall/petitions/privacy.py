"""Personal data in petitions (see ``moothall.accounts.privacy``)."""

from moothall.accounts.privacy import FORMER_PARTICIPANT, Erase, register
from moothall.petitions.models import (
    AbuseAlert,
    Hearing,
    Invalidation,
    Obligation,
    PaperCount,
    Petition,
    PetitionEvent,
    Signature,
)

RETENTION = (
    "Signers' names, emails, postcodes and internet addresses are blanked the council's "
    "PetitionScheme.retention_days after the petition closes (petitions.tasks."
    "purge_personal_data, daily); counts stay exact."
)

register(
    Petition,
    owner="creator",
    export=("council__slug", "title", "action", "background", "status", "created_at", "closed_at"),
    erase=Erase.UNLINK,
    clear={"creator_name": FORMER_PARTICIPANT},
)
register(
    Signature,
    owner="user",
    export=(
        "petition_id",
        "petition__title",
        "name",
        "email",
        "postcode",
        "basis",
        "status",
        "channel",
        "wants_updates",
        "created_at",
        "confirmed_at",
        "withdrawn_at",
    ),
    # Still counted (status, ward, channel, dates stay); no longer leads to the person.
    erase=Erase.UNLINK,
    clear=("name", "email", "email_key", "email_domain", "postcode", "ip_address", "flag_reasons"),
    actors=("entered_by",),
    retention=RETENTION,
)
register(PaperCount, owner=None, erase=Erase.KEEP, actors=("entered_by",))
register(Invalidation, owner=None, erase=Erase.KEEP, actors=("made_by",), retention=RETENTION)
register(AbuseAlert, owner=None, erase=Erase.KEEP, actors=("resolved_by",), retention=RETENTION)
register(
    Obligation,
    owner="owner",
    export=("petition_id", "kind", "due_on", "fulfilled_at"),
    # The duty stays with the council's team.
    erase=Erase.UNLINK,
    clear=("owner_name",),
    actors=("fulfilled_by",),
)
register(Hearing, owner=None, erase=Erase.KEEP, actors=("created_by",))
register(PetitionEvent, owner=None, erase=Erase.KEEP, actors=("actor",))
