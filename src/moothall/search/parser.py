"""The search query language, parsed once into a small tree and rendered for each engine.

    bins collection          both words (AND is implied; "AND" may be written)
    "waste collection"       the exact phrase
    bins OR recycling        either (OR in capitals; lower-case "or" is a word)
    bins -garden             leave out (also: bins NOT garden)
    plan*                    words starting with "plan"
    (bins OR waste) -garden  brackets group

User text never reaches an engine as typed: every word is cut down to its letters and
digits, then written out in the engine's own syntax (FTS5 MATCH or a PostgreSQL tsquery)
by :func:`to_fts5` and :func:`to_tsquery`. Anything the grammar cannot read raises
:class:`QueryError` with a sentence the person searching can act on.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Union

from django.utils.translation import gettext as _

MAX_QUERY_LENGTH = 500
MAX_TERMS = 30
MAX_DEPTH = 5
MIN_PREFIX_LENGTH = 2

# Letters and digits of any script: what both engines' tokenisers keep as words.
_WORD = re.compile(r"[^\W_]+")


class QueryError(ValueError):
    """A query that cannot be read; ``message`` (and ``str()``) says why, for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Term:
    """One word (``tokens`` of one) or a phrase (several), optionally a prefix."""

    tokens: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class Not:
    child: Node


@dataclass(frozen=True)
class And:
    children: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    children: tuple[Node, ...]


Node = Union[Term, Not, And, Or]  # noqa: UP007 (a runtime alias used before 3.12 syntax)


# --- Lexing ----------------------------------------------------------------------

_LPAREN, _RPAREN, _OR, _AND, _NOT, _TERM = "(", ")", "OR", "AND", "NOT", "TERM"


@dataclass(frozen=True)
class _Token:
    type: str
    term: Term | None = None


def _words(text: str) -> tuple[str, ...]:
    return tuple(word.lower() for word in _WORD.findall(text))


def _lex(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    i, n = 0, len(text)
    while i < n:
        char = text[i]
        if char.isspace():
            i += 1
        elif char == "(":
            tokens.append(_Token(_LPAREN))
            i += 1
        elif char == ")":
            tokens.append(_Token(_RPAREN))
            i += 1
        elif char in '"“”':
            end = _closing_quote(text, i + 1)
            if end < 0:
                raise QueryError(_('A phrase is missing its closing quotation mark (").'))
            words = _words(text[i + 1 : end])
            if words:
                tokens.append(_Token(_TERM, Term(words)))
            i = end + 1
        elif char == "-" and i + 1 < n and not text[i + 1].isspace():
            # A minus at the start of a word leaves it out ("-garden"); inside a word
            # ("e-mail") the word scanner below takes it as punctuation.
            tokens.append(_Token(_NOT))
            i += 1
        else:
            start = i
            while i < n and not text[i].isspace() and text[i] not in '()"“”':
                i += 1
            raw = text[start:i]
            if raw in (_OR, _AND, _NOT):
                tokens.append(_Token(raw))
                continue
            prefix = raw.endswith("*")
            words = _words(raw)
            if not words:
                continue  # punctuation on its own ("&", "–", "*")
            if prefix and len(words[-1]) < MIN_PREFIX_LENGTH:
                raise QueryError(
                    _("Put at least %(n)d letters before a * (as in plan*).")
                    % {"n": MIN_PREFIX_LENGTH}
                )
            tokens.append(_Token(_TERM, Term(words, prefix=prefix)))
    return tokens


def _closing_quote(text: str, start: int) -> int:
    for j in range(start, len(text)):
        if text[j] in '"“”':
            return j
    return -1


# --- Parsing ---------------------------------------------------------------------


class _Parser:
    def __init__(self, tokens: list[_Token]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0

    def peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def take(self) -> _Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def parse(self) -> Node:
        node = self.or_expr()
        token = self.peek()
        if token is not None:
            # Only a stray closing bracket can stop the top-level expression early.
            raise QueryError(_("There is a closing bracket “)” without an opening one."))
        return node

    def or_expr(self) -> Node:
        children = [self.and_expr()]
        while (token := self.peek()) is not None and token.type == _OR:
            self.take()
            children.append(self.and_expr(after_or=True))
        return children[0] if len(children) == 1 else Or(tuple(children))

    def and_expr(self, after_or: bool = False) -> Node:
        children: list[Node] = []
        while (token := self.peek()) is not None and token.type not in (_OR, _RPAREN):
            if token.type == _AND:
                self.take()
                if not children or self._at_end_of_group():
                    raise QueryError(_("AND needs a word or phrase on each side."))
                continue
            children.append(self.unary())
        if not children:
            following = token.type if token is not None else None
            if after_or or following == _OR:
                raise QueryError(_("OR needs a word or phrase on each side."))
            if self.depth:
                raise QueryError(_("There is nothing between a pair of brackets."))
            if following == _RPAREN:
                raise QueryError(_("There is a closing bracket “)” without an opening one."))
            raise QueryError(_("Enter a word or phrase to search for."))
        return children[0] if len(children) == 1 else And(tuple(children))

    def _at_end_of_group(self) -> bool:
        token = self.peek()
        return token is None or token.type in (_OR, _RPAREN, _AND)

    def unary(self) -> Node:
        token = self.take()
        if token.type == _NOT:
            nxt = self.peek()
            if nxt is None or nxt.type in (_OR, _AND, _RPAREN, _NOT):
                raise QueryError(_("NOT (or -) needs a word or phrase straight after it."))
            child = self.unary()
            return child.child if isinstance(child, Not) else Not(child)
        if token.type == _LPAREN:
            self.depth += 1
            if self.depth > MAX_DEPTH:
                raise QueryError(_("Too many brackets inside brackets."))
            node = self.or_expr()
            closing = self.peek()
            if closing is None or closing.type != _RPAREN:
                raise QueryError(_("A bracket “(” is not closed."))
            self.take()
            self.depth -= 1
            return node
        if token.type == _TERM and token.term is not None:
            return token.term
        raise QueryError(_("Enter a word or phrase to search for."))  # pragma: no cover


def _positive(node: Node) -> bool:
    """True when the node needs something to be present (not only absent)."""
    if isinstance(node, Term):
        return True
    if isinstance(node, Not):
        return False
    if isinstance(node, And):
        return any(_positive(child) for child in node.children)
    return all(_positive(child) for child in node.children)


def _count_terms(node: Node) -> int:
    if isinstance(node, Term):
        return len(node.tokens)
    if isinstance(node, Not):
        return _count_terms(node.child)
    return sum(_count_terms(child) for child in node.children)


def parse(text: str) -> Node:
    """Read a query into its tree, or raise :class:`QueryError`."""
    text = text.strip()
    if not text:
        raise QueryError(_("Enter a word or phrase to search for."))
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(
            _("Your search is too long: use at most %(n)d characters.") % {"n": MAX_QUERY_LENGTH}
        )
    tokens = _lex(text)
    if not any(token.type == _TERM for token in tokens):
        raise QueryError(_("Enter a word or phrase to search for."))
    node = _Parser(tokens).parse()
    if _count_terms(node) > MAX_TERMS:
        raise QueryError(_("Your search has too many words: use at most %(n)d.") % {"n": MAX_TERMS})
    if not _positive(node):
        raise QueryError(
            _(
                "Add a word or phrase to search for, not only words to leave out "
                "(and not on its own beside OR)."
            )
        )
    return node


def terms(node: Node) -> list[Term]:
    """The positive terms (what to highlight)."""
    if isinstance(node, Term):
        return [node]
    if isinstance(node, Not):
        return []
    out: list[Term] = []
    for child in node.children:
        out.extend(terms(child))
    return out


# --- Rendering -------------------------------------------------------------------


def to_fts5(node: Node) -> str:
    """The FTS5 MATCH expression: every word quoted, every group bracketed."""
    if isinstance(node, Term):
        return '"' + " ".join(node.tokens) + '"' + (" *" if node.prefix else "")
    if isinstance(node, Or):
        return "(" + " OR ".join(to_fts5(child) for child in node.children) + ")"
    if isinstance(node, Not):  # pragma: no cover - parse() never leaves a bare NOT
        raise QueryError(_("Enter a word or phrase to search for."))
    positives = [child for child in node.children if not isinstance(child, Not)]
    negatives = [child.child for child in node.children if isinstance(child, Not)]
    out = "(" + " AND ".join(to_fts5(child) for child in positives) + ")"
    # FTS5's NOT is binary: (wanted) NOT (unwanted).
    for negative in negatives:
        out = f"({out} NOT {to_fts5(negative)})"
    return out


def to_tsquery(node: Node) -> str:
    """Text for PostgreSQL's ``to_tsquery(config, …)``: only letters, digits and operators."""
    if isinstance(node, Term):
        last = len(node.tokens) - 1
        parts = [
            token + (":*" if node.prefix and i == last else "")
            for i, token in enumerate(node.tokens)
        ]
        return parts[0] if len(parts) == 1 else "(" + " <-> ".join(parts) + ")"
    if isinstance(node, Not):
        return "!" + to_tsquery(node.child)
    joiner = " | " if isinstance(node, Or) else " & "
    return "(" + joiner.join(to_tsquery(child) for child in node.children) + ")"
