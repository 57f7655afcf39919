"""Whatever a visitor puts in a public address, the site answers below 500.

The area is built once per test and only read, so hypothesis may share it
across examples (hence the suppressed function-scoped-fixture health check).
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.public.area import Area

pytestmark = pytest.mark.django_db

fuzz = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

DANGEROUS = ["\x00", "-1", "9" * 25, "%", "/", "\n", "é", " ", "..", "mootshire", "MH1 1AA"]
awkward_text = st.one_of(
    st.sampled_from(DANGEROUS),
    st.lists(st.sampled_from(DANGEROUS) | st.text(max_size=3), min_size=1, max_size=5).map("".join),
    st.text(),
)


@fuzz
@given(
    segment=awkward_text,
    template=st.sampled_from(
        [
            "/{}/",
            "/{}/brand.css",
            "/{}/councillors/",
            "/mootshire/wards/{}/",
            "/{}/wards/mootford-north/",
            "/mootshire/councillors/1-{}/",
            "/mootshire/councillors/{}-ada-lovelace/",
        ]
    ),
)
def test_any_text_in_a_public_address_is_answered_below_500(client, area: Area, segment, template):
    response = client.get(template.format(quote(segment, safe="")))

    assert response.status_code in {200, 301, 404}


@fuzz
@given(
    path=st.sampled_from(
        ["/", "/your-councils/", "/councils/", "/mootshire/", "/mootshire/councillors/"]
    ),
    params=st.dictionaries(st.sampled_from(["postcode", "q", "page", "x"]), awkward_text),
    htmx=st.booleans(),
)
def test_any_query_on_a_public_page_is_answered_below_500(client, area: Area, path, params, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    response = client.get(f"{path}?{urlencode(params)}", headers=headers)

    assert response.status_code in {200, 302}
