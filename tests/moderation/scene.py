"""One of each kind of thing moderation acts on, at Mootshire, written by Rita Resident
through the apps' own verbs: an idea with a comment, a live meeting's comment and
photo (post-moderated, so shown), and a statement in an open, post-moderated
conversation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from moothall.deliberation import domain as deliberation
from moothall.ideas import domain as ideas
from moothall.live import contributions
from tests.deliberation.d1_scene import conversation
from tests.live.contributions_scene import live_meeting, picture


@dataclass
class Scene:
    idea: Any
    idea_comment: Any
    meeting: Any
    live_comment: Any
    live_media: Any
    conversation: Any
    participant: Any
    statement: Any

    def of(self, kind: str) -> Any:
        return getattr(self, kind)


def build_scene(council: Any, author: Any) -> Scene:
    idea = ideas.propose_idea(author, council, title="A crossing by the school", body="Please.")
    idea_comment = ideas.comment(author, idea, body="Buy my cheap watches at spam.example")
    meeting = live_meeting(council, comment_moderation="post", media_moderation="post")
    live_comment = contributions.post_comment(author, meeting, text="Cheap watches here")
    live_media = contributions.upload_media(
        author, meeting, data=picture(), caption="The chamber from the gallery"
    )
    talk = conversation(council, moderation="post")
    participant = deliberation.join(talk, user=author)
    statement = deliberation.add_statement(
        talk, text="The councillors are all crooks", author=participant
    )
    return Scene(
        idea=idea,
        idea_comment=idea_comment,
        meeting=meeting,
        live_comment=live_comment,
        live_media=live_media,
        conversation=talk,
        participant=participant,
        statement=statement,
    )


KINDS = ("idea", "idea_comment", "live_comment", "live_media", "statement")
RESTORABLE = ("idea", "idea_comment", "live_comment", "statement")
