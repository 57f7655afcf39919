"""What moderation can act on in petitions. A published petition can be hidden (removed:
kept off every public channel, the reason going to its creator only) through the
petitions app's own verb; removal is final, as in the petitions' own queue, so there is
no restore. Petitions are a space whose mode is the council's petition scheme: checked
before publication (pre) or published at once and moderated after (post)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from moothall.moderation.registry import POST, PRE, Kind, Space, register, register_spaces
from moothall.petitions import domain
from moothall.petitions.models import Petition, PetitionScheme


def _hide(actor: Any, petition: Petition, reason: str) -> Any:
    return domain.moderate_petition(actor, petition, publish=False, reason_text=reason, hide=True)


def _author_name(petition: Petition) -> str:
    return petition.creator_name or str(_("A resident"))


register(
    Kind(
        name="petition",
        label=_("petition"),
        at_council=lambda council: Petition.objects.filter(council=council).select_related(
            "council", "creator"
        ),
        council_of=lambda petition: petition.council,
        author_of=lambda petition: petition.creator,
        author_name=_author_name,
        is_hidden=lambda petition: petition.status == Petition.Status.REMOVED,
        hidden_lookup={"status": Petition.Status.REMOVED},
        is_shown=lambda petition: (
            petition.is_public and petition.status != Petition.Status.REJECTED
        ),
        hide=_hide,
        restore=None,
        url_of=lambda petition: petition.get_absolute_url(),
        excerpt=lambda petition: "\n\n".join(
            part for part in (petition.title, petition.action, petition.background) if part
        ),
    )
)


def _set_mode(actor: Any, council: Any, mode: str) -> Any:
    return domain.update_petition_scheme(actor, council, pre_moderation=mode == PRE)


def _spaces(council: Any) -> list[Space]:
    scheme = PetitionScheme.for_council(council)
    return [
        Space(
            key="petitions",
            label=_("Petitions"),
            mode=PRE if scheme.pre_moderation else POST,
            set_mode=lambda actor, mode: _set_mode(actor, council, mode),
            pending=Petition.objects.filter(
                council=council, status=Petition.Status.AWAITING_MODERATION
            ).count(),
            queue_url=reverse("staff:petitions_moderation", kwargs={"council": council.slug}),
        )
    ]


register_spaces(_spaces)
