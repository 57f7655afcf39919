"""The translations are built at start-up without the empty catalogues Django chains
behind them, and every message translates as it did with them."""

from __future__ import annotations

import gettext

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import trans_real

from moothall.core.translation import prune_empty_fallbacks


def chain(node):
    links = []
    while (node := getattr(node, "_fallback", None)) is not None:
        links.append(node)
    return links


def catalogue(messages):
    """A standard library catalogue holding ``messages`` (and a header, as a .mo file does)."""
    node = gettext.GNUTranslations()
    node._catalog = {"": "Content-Type: text/plain; charset=UTF-8\n", **messages}
    node.plural = lambda n: int(n != 1)
    return node


def linked(*nodes):
    for node, after in zip(nodes, [*nodes[1:], None], strict=True):
        node._fallback = after
    return nodes[0]


def empty(node):
    return type(node) is gettext.GNUTranslations and set(node._catalog) <= {""}


def test_the_installed_languages_carry_no_empty_catalogue():
    for code, _ in settings.LANGUAGES:
        assert not [node for node in chain(trans_real.translation(code)) if empty(node)], code


def test_pruning_keeps_the_catalogues_that_hold_messages_in_their_order():
    first, second = catalogue({"bin": "wheelie bin"}), catalogue({"bin": "dustbin", "car": "motor"})
    head = linked(
        catalogue({"van": "lorry"}),
        catalogue({}),
        catalogue({}),
        first,
        catalogue({}),
        second,
        catalogue({}),
    )
    messages = ("van", "bin", "car", "bus", "")
    before = [head.gettext(m) for m in messages]

    assert prune_empty_fallbacks(head) == 4
    assert chain(head) == [first, second]
    assert (
        [head.gettext(m) for m in messages]
        == before
        == ["lorry", "wheelie bin", "motor", "bus", before[-1]]
    )


def test_a_message_found_nowhere_still_comes_back_as_itself():
    head = linked(catalogue({"bin": "wheelie bin"}), catalogue({}), catalogue({}))
    prune_empty_fallbacks(head)
    assert (head.gettext("bin"), head.gettext("bus")) == ("wheelie bin", "bus")
    assert (head.ngettext("bus", "buses", 1), head.ngettext("bus", "buses", 3)) == ("bus", "buses")


def test_a_chain_reached_from_two_heads_stays_the_same_for_both():
    shared = linked(catalogue({"a": "A"}), catalogue({}), catalogue({"b": "B"}))
    welsh = linked(catalogue({"c": "C"}), catalogue({}))
    welsh._fallback._fallback = shared
    prune_empty_fallbacks(welsh)
    prune_empty_fallbacks(shared)
    assert [n._catalog for n in chain(welsh)] == [shared._catalog, chain(shared)[0]._catalog]
    assert [welsh.gettext(m) for m in "abcd"] == ["A", "B", "C", "d"]


@pytest.mark.parametrize("code", [code for code, _ in settings.LANGUAGES])
def test_every_message_translates_as_it_did_before_pruning(code):
    pruned = trans_real.translation(code)
    unpruned = trans_real.DjangoTranslation(code)  # built afresh, as Django builds it
    if code == settings.LANGUAGE_CODE:  # the others fall back to it, pruned already
        assert [node for node in chain(unpruned) if empty(node)]  # there was something to prune
    messages = set()
    for node in [unpruned, *chain(unpruned)]:
        messages.update(key for key in node._catalog.keys() if isinstance(key, str))  # noqa: SIM118 - Django's catalogue is no dict
    messages.update(["Petitions", "A message nobody translated", "This field is required."])
    assert messages
    for message in messages:
        assert pruned.gettext(message) == unpruned.gettext(message), message
    with translation.override(code):
        assert translation.ngettext("%(n)s day", "%(n)s days", 2) == unpruned.ngettext(
            "%(n)s day", "%(n)s days", 2
        )
