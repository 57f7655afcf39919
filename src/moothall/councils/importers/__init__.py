"""Importers that fill the councils app from what councils and the ONS already publish.

- :mod:`.register`: the UK council register (mySociety's ``uk_local_authorities.csv``).
- :mod:`.moderngov`: councillors from a ModernGov ``GetCouncillorsByWard`` answer.
- :mod:`.postcodes`: the ONS postcode directory (ONSPD, NSPL or a canonical CSV).

Each importer validates its input before it writes and raises :class:`ImportFailed`
(a one-line, translatable message) for input it cannot use. The management commands
turn that into a ``CommandError``; the staff back-office or a task can show it as is.
"""

from __future__ import annotations


class ImportFailed(Exception):
    """The input cannot be imported; the message says why in one line."""
