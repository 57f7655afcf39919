"""Route × role rows for the audit routes (owner: audit helper A).

- /<council>/staff/audit/: the council's audit log (council admins; platform admins). The
  same address with ``?download=csv`` downloads the filtered log; it accepts GET only.
"""

from __future__ import annotations

from moothall.accounts.rules import Action
from tests.security.route_matrix.spec import Row, staff

ROWS = [
    Row(
        "staff:audit_log",
        kwargs=lambda s: {"council": s.council.slug},
        get=staff(Action.VIEW_AUDIT_LOG),
        note="read-only: POST is not declared, so the matrix checks it is 405 for everyone",
    ),
]
