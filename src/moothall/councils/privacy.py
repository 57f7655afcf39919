"""The councils app holds public information about public bodies and office-holders."""

from moothall.accounts.privacy import not_personal
from moothall.councils.models import Council, Councillor, Party, Person, Postcode, Topic, Ward

not_personal(Council, reason="Names of councils.")
not_personal(Ward, reason="Names of wards.")
not_personal(Topic, reason="Names of topics.")
not_personal(Party, reason="Names of political parties.")
not_personal(
    Person, reason="Councillors' public names, published as office-holders (not residents)."
)
not_personal(Councillor, reason="A councillor's published work address, email and phone.")
not_personal(Postcode, reason="The postcode directory (places, not people).")
