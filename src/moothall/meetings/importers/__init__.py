"""Importers that fill the meetings app from what councils already publish.

- :mod:`.moderngov`: committees, meetings, agendas, papers and attendance from a
  ModernGov web service (``mgWebService.asmx``) or a folder of its saved answers.
- :mod:`.sources`: where those answers come from, and the one fetcher that may
  reach the council's host (and no other).

Like :mod:`moothall.councils.importers`, an importer checks its input before it
writes and raises :class:`ImportFailed` (one translatable line) for input it cannot use.
"""

from __future__ import annotations

from moothall.councils.importers import ImportFailed

__all__ = ["ImportFailed"]
