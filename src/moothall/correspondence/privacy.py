"""Personal data in correspondence with councillors (see ``moothall.accounts.privacy``).

A message stays with the councillor it was sent to (their record of the casework they
received), but no longer says who sent it: the sender's name and postcode are replaced,
and the sender's link to the conversation stops working. Blocks a councillor set on the
person are deleted.
"""

from typing import Any

from moothall.accounts.privacy import FORMER_PARTICIPANT, Erase, register
from moothall.correspondence.models import Message, Reply, SenderBlock, new_token


def _erase_messages(user: Any) -> int:
    messages = list(Message.objects.filter(sender=user).only("pk"))
    for message in messages:
        message.sender_name = str(FORMER_PARTICIPANT)
        message.sender_postcode = ""
        message.sender_token = new_token()  # unique: one each
    Message.objects.bulk_update(messages, ["sender_name", "sender_postcode", "sender_token"])
    return len(messages)


register(
    Message,
    owner="sender",
    export=(
        "council__slug",
        "councillor_id",
        "sender_name",
        "sender_postcode",
        "subject",
        "body",
        "status",
        "created_at",
    ),
    erase=Erase.ANONYMISE,
    clear={"sender_name": FORMER_PARTICIPANT, "sender_postcode": ""},
    eraser=_erase_messages,
)
register(
    Reply,
    owner="message__sender",
    export=("message_id", "author", "body", "via", "created_at"),
    erase=Erase.KEEP,  # part of the councillor's record of the (anonymised) message
)
register(SenderBlock, owner="sender", erase=Erase.DELETE)
