"""Route × role rows for the privacy routes (owner: privacy helper P).

- /accounts/profile/data/, /delete/, /deleted/: the person's own pages.
- /<council>/privacy/: the public privacy notice.
- /<council>/staff/privacy/: the council's privacy settings (council admins).
"""

from __future__ import annotations

from moothall.accounts.rules import Action
from tests.security.route_matrix.spec import ANYONE, SIGNED_IN, Row, only, staff

SETTINGS = {
    "controller_name": "",
    "controller_address": "",
    "contact_email": "privacy@mootshire.example.gov.uk",
    "dpo_name": "Dee Peo",
    "dpo_email": "",
    "ico_registration": "Z1234567",
    "respondent_retention_days": "400",
    "extra_information": "",
}

ROWS = [
    # The download page; its POST returns the JSON file (and writes an audit entry).
    Row("accounts:download_data", get=SIGNED_IN, post=SIGNED_IN, ok=(200,)),
    # An empty confirmation deletes nothing (the form asks for the email address again);
    # a platform administrator is refused (403) until another takes that access away.
    Row(
        "accounts:delete_account",
        get=SIGNED_IN,
        post=only("resident", "councillor", "officer", "moderator", "council_admin", "outsider"),
        data={"email": ""},
        ok=(200,),
    ),
    Row("accounts:account_deleted", get=ANYONE),
    Row("public:privacy_notice", kwargs=lambda s: {"council": s.council.slug}, get=ANYONE),
    Row(
        "staff:privacy_settings",
        kwargs=lambda s: {"council": s.council.slug},
        get=staff(Action.EDIT_COUNCIL),
        post=staff(Action.EDIT_COUNCIL),
        data=SETTINGS,
        ok=(200, 302),
    ),
]
