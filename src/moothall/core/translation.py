"""The translation catalogues, without the empty links in their fallback chains.

Django builds a language's translation by merging each installed app's catalogue, and
keeps each one's own fallback: for ``en-gb``, the ``en`` catalogue beside it (Django,
five of its contrib apps). Those ``en`` catalogues hold nothing but their header, as
English is the language the messages are written in, yet every message that has no
British translation (almost all of ours) is looked up in each of them in turn: seven
dictionaries a message instead of one. That is a tenth of the work of rendering an
email (measured in the outbox's drain, which renders thousands a minute).

:func:`prune_empty_fallbacks` unlinks the catalogues that hold no messages. The rest of
the chain keeps its order, so every lookup returns what it did: a message not found
anywhere still comes back as itself, and Welsh still falls back to British English.
Should Django drop its cache of translations (a changed setting in a test, a changed
catalogue under ``runserver``), it builds them again unpruned: slower, never different.
"""

from __future__ import annotations

import gettext
from typing import Any

from django.conf import settings
from django.utils.translation import trans_real


def prune_empty_fallbacks(translation: Any) -> int:
    """Unlink from ``translation``'s fallback chain every catalogue holding no message
    (a header at most); return how many were unlinked.

    A kept catalogue's new fallback is the next non-empty one of its own chain, whichever
    chain it is reached from, so a catalogue shared by two languages (British English,
    which Welsh falls back to) is left consistent for both."""
    kept: list[Any] = []
    unlinked = 0
    node = getattr(translation, "_fallback", None)
    while node is not None:
        if _holds_nothing(node):
            unlinked += 1
        else:
            kept.append(node)
        node = getattr(node, "_fallback", None)
    links = [translation, *kept]
    for node, after in zip(links, [*kept, None], strict=True):
        node._fallback = after
    return unlinked


def _holds_nothing(catalogue: Any) -> bool:
    # Only the standard library's own catalogues (one .mo file each): Django's merged
    # translations and anything else are kept as they are.
    if type(catalogue) is not gettext.GNUTranslations:
        return False
    return set(getattr(catalogue, "_catalog", ())) <= {""}


def prune_installed_languages() -> int:
    """Build the translation of each of :setting:`LANGUAGES` now, without its empty
    fallbacks; return how many catalogues were unlinked in all."""
    if not settings.USE_I18N:
        return 0
    return sum(
        prune_empty_fallbacks(trans_real.translation(code)) for code, _ in settings.LANGUAGES
    )
