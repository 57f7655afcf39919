"""Replies that come back by email, to a relay address ``reply+<token>@<reply domain>``.

The mail server hands each message over (``python -m moothall receive_email``, from a
pipe or a maildir). We find the relay address among the recipients, keep only what
the person wrote above the quoted history and their signature, and record it through
the verbs. The token says which side the reply must come from: the councillor's token
accepts mail only from one of the councillor's own addresses, the resident's token
only from the resident's. Anything else (an unknown token, another sender, an
out-of-office answer, an empty reply) is refused and logged, never recorded. The
``From`` header is easily forged: the mail server in front should check SPF, DKIM and
DMARC and reject what fails, so that what reaches us is what the domain sent.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import getaddresses
from html.parser import HTMLParser

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _

from moothall.correspondence import domain
from moothall.correspondence.access import known_addresses
from moothall.correspondence.models import Message, Reply

logger = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
RELAY = re.compile(r"^reply\+([0-9a-f]{32})@(.+)$", re.IGNORECASE)
RECIPIENT_HEADERS = ("Delivered-To", "X-Original-To", "Envelope-To", "To", "Cc")

# Where the quoted history of a reply begins, as the common mail programs write it.
_MARKER = "##-"  # in the line that opens every email we relay
_SEPARATORS = re.compile(
    r"^(-{2,}\s*(Original Message|Forwarded message|Neges Wreiddiol)\s*-{2,}"  # Outlook, Gmail
    r"|_{20,}"  # Outlook's rule above the quoted headers
    r"|(Sent from my |Get Outlook for |Anfonwyd o(’|')m ).*)$",  # phones' signatures
    re.IGNORECASE,
)
_SIGNATURE = ("-- ", "--")  # the signature delimiter (RFC 3676), trailing space often lost
_ON = re.compile(r"^(On|Ar)\s", re.IGNORECASE)  # "On 2 May 2030, Ann <…> wrote:" (and Welsh)
_WROTE = re.compile(r"\b(wrote|ysgrifennodd)\b.*:$", re.IGNORECASE)
_FROM_HEADER = re.compile(r"^\*?(From|Oddi wrth)\s*:", re.IGNORECASE)
_NEXT_HEADER = re.compile(r"^\*?(Sent|Date|To|Subject|Anfonwyd|Dyddiad)\s*:", re.IGNORECASE)


@dataclass
class Parsed:
    tokens: list[str] = field(default_factory=list)
    from_address: str = ""
    text: str = ""
    automatic: bool = False


@dataclass
class Outcome:
    """What became of one email: ``recorded``, ``ignored`` (an automatic answer) or
    ``refused``, with a code and a sentence for the mail server to bounce with."""

    status: str
    code: str = ""
    detail: str = ""
    reply: Reply | None = None


class _Text(HTMLParser):
    """The text of an HTML email, with blockquotes marked as quoted lines."""

    BLOCKS = frozenset(
        {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "table"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.quote_depth = 0
        self.skip_depth = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("style", "script", "head", "title"):
            self.skip_depth += 1
        elif tag == "blockquote":
            self.quote_depth += 1
            self.parts.append("\n")
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("style", "script", "head", "title"):
            self.skip_depth = max(0, self.skip_depth - 1)
        elif tag == "blockquote":
            self.quote_depth = max(0, self.quote_depth - 1)
            self.parts.append("\n")
        elif tag in self.BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.skip_depth:
            return
        if self.quote_depth:
            data = "\n".join(f"> {line}" for line in data.split("\n"))
        self.parts.append(data)

    def text(self) -> str:
        joined = "".join(self.parts)
        return "\n".join(" ".join(line.split()) for line in joined.split("\n"))


def html_to_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    parser.close()
    return parser.text()


def _history_starts(lines: list[str], index: int) -> bool:
    line = lines[index]
    stripped = line.strip()
    if _MARKER in line or line.rstrip("\n") in _SIGNATURE or _SEPARATORS.match(stripped):
        return True
    if _ON.match(stripped):
        # Mail programs wrap a long "On …, Name <address> wrote:" over two or three lines.
        following = []
        for later in lines[index : index + 3]:
            if not later.strip():
                break
            following.append(later.strip())
            if _WROTE.search(" ".join(following)):
                return True
    # Outlook quotes the earlier message under a block of headers: From:, Sent:, To:, …
    return bool(
        _FROM_HEADER.match(stripped)
        and any(_NEXT_HEADER.match(later.strip()) for later in lines[index + 1 : index + 4])
    )


def strip_history(text: str) -> str:
    """What the person wrote: everything above the quoted history and the signature,
    without quoted (``>``) lines, with runs of blank lines shortened."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        if _history_starts(lines, index):
            break
        if line.lstrip().startswith(">"):
            continue
        if line.strip() or (kept and kept[-1]):
            kept.append(line.rstrip())
    return "\n".join(kept).strip()


def _is_automatic(email: EmailMessage) -> bool:
    """Out-of-office answers, bounces and list mail: never a councillor's reply."""
    auto = str(email.get("Auto-Submitted", "")).strip().lower()
    if auto and auto != "no":
        return True
    if email.get("X-Autoreply") or email.get("X-Autorespond"):
        return True
    if str(email.get("Precedence", "")).strip().lower() in {"bulk", "junk", "list", "auto_reply"}:
        return True
    if str(email.get("Return-Path", "")).strip() == "<>":
        return True
    return email.get_content_type() == "multipart/report"


def _relay_tokens(email: EmailMessage, recipient: str) -> list[str]:
    reply_domain = domain.reply_domain()
    candidates = [recipient] if recipient else []
    for header in RECIPIENT_HEADERS:
        candidates += [str(value) for value in email.get_all(header, [])]
    tokens: list[str] = []
    for _name, address in getaddresses(candidates):
        found = RELAY.match(address.strip())
        if found and found.group(2).lower() == reply_domain:
            token = found.group(1).lower()
            if token not in tokens:
                tokens.append(token)
    return tokens


def _body_text(email: EmailMessage) -> str:
    part = email.get_body(preferencelist=("plain", "html"))
    if part is None:
        return ""
    assert isinstance(part, EmailMessage)
    content = part.get_content()
    if not isinstance(content, str):
        return ""
    if part.get_content_type() == "text/html":
        content = html_to_text(content)
    return strip_history(content)


def parse(raw: bytes, *, recipient: str = "") -> Parsed:
    """Read one RFC 5322 message: relay tokens, the From address, the new text."""
    email = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(email, EmailMessage)
    senders = getaddresses([str(value) for value in email.get_all("From", [])])
    addresses = [address for _name, address in senders if address]
    return Parsed(
        tokens=_relay_tokens(email, recipient),
        from_address=addresses[0].strip().lower() if len(addresses) == 1 else "",
        text=_body_text(email),
        automatic=_is_automatic(email),
    )


def _refuse(code: str, detail: str, message: Message | None = None) -> Outcome:
    # Never the addresses or the text: the log is read by whoever runs the server.
    logger.warning(
        "Inbound email refused (%s)%s", code, f" for message {message.pk}" if message else ""
    )
    return Outcome(status="refused", code=code, detail=detail)


def receive(raw: bytes, *, recipient: str = "") -> Outcome:
    """Record one emailed reply through the verbs, or refuse it (and log why)."""
    if len(raw) > MAX_BYTES:
        return _refuse("too_large", _("This email is too large."))
    try:
        parsed = parse(raw, recipient=recipient)
    except Exception:  # a mail server may hand us anything; refusing is the answer
        logger.exception("Inbound email could not be read")
        return _refuse("unreadable", _("This email could not be read."))
    if not parsed.tokens:
        return _refuse("no_relay_address", _("This address does not exist."))
    message = (
        Message.objects.filter(Q(token__in=parsed.tokens) | Q(sender_token__in=parsed.tokens))
        .select_related("council", "councillor__person", "sender")
        .order_by("pk")
        .first()
    )
    if message is None:
        return _refuse("unknown_token", _("This address does not exist."))
    if parsed.automatic:
        logger.info("Inbound email for message %s ignored: an automatic answer", message.pk)
        return Outcome(status="ignored", code="automatic")
    to_councillor = message.token in parsed.tokens
    if to_councillor:
        allowed = parsed.from_address in known_addresses(message.councillor)
    else:
        allowed = bool(parsed.from_address) and parsed.from_address == message.sender.email.lower()
    if not allowed:
        return _refuse(
            "from_mismatch",
            _("This address takes replies only from the person the message was sent to."),
            message,
        )
    try:
        if to_councillor:
            reply = domain.reply_as_councillor(
                message.token, message, body=parsed.text, via=Reply.Via.EMAIL
            )
        else:
            reply = domain.reply_as_sender(
                message.sender, message, body=parsed.text, via=Reply.Via.EMAIL
            )
    except ValidationError as error:
        code = next(iter(_codes(error)), "invalid")
        return _refuse(code, " ".join(error.messages), message)
    except PermissionDenied:
        return _refuse("not_allowed", _("This reply cannot be accepted."), message)
    logger.info("Inbound email recorded as reply %s to message %s", reply.pk, message.pk)
    return Outcome(status="recorded", reply=reply)


def _codes(error: ValidationError) -> list[str]:
    if hasattr(error, "error_dict"):
        return [e.code or "invalid" for errors in error.error_dict.values() for e in errors]
    return [e.code or "invalid" for e in error.error_list]
