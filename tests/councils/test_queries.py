import datetime as dt

import pytest

from moothall.councils.queries import councils_with_counts
from tests import factories

pytestmark = pytest.mark.django_db


def test_councillor_counts_include_only_terms_that_have_begun_and_not_ended(council):
    factories.CouncillorFactory(council=council)  # open term since 2022
    elected_next_year = factories.CouncillorFactory(council=council, term=None)
    factories.TermOfOfficeFactory(councillor=elected_next_year, start_date=dt.date(2099, 5, 1))
    retired = factories.CouncillorFactory(council=council, term=None)
    factories.TermOfOfficeFactory(
        councillor=retired, start_date=dt.date(2018, 5, 3), end_date=dt.date(2022, 5, 4)
    )

    counted = councils_with_counts().get(pk=council.pk)

    assert counted.councillor_count == 1
    assert counted.ward_count == 3
