"""The public search page at /search/."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db


def main(response) -> str:
    html = response.content.decode()
    return html[html.index("<main") : html.index("</main>")]


def result_titles(response) -> list[str]:
    return [
        re.sub(r"<[^>]+>", "", title)
        for title in re.findall(
            r'<h3 class="govuk-heading-s[^"]*"><a [^>]+>(.*?)</a></h3>', main(response)
        )
    ]


def test_the_empty_page_offers_the_form_and_explains_what_can_be_found(client, council):
    response = client.get("/search/")
    assert response.status_code == 200
    html = main(response)
    assert '<h1 class="govuk-heading-l">Search council business</h1>' in html
    assert '<label class="govuk-label govuk-label--m" for="q">Search for</label>' in html
    assert '<option value="mootshire">Mootshire County Council</option>' in html
    assert "What you can find" in html
    assert "results-heading" not in html
    assert '<details class="govuk-details">' in html  # filters closed when none is set


def test_results_show_kind_council_body_date_and_a_marked_snippet(client, archive):
    response = client.get("/search/", {"q": "mill"})
    html = main(response)
    assert '<h2 class="govuk-heading-m" id="results-heading">1 result for “mill”</h2>' in html
    assert (
        f'<a class="govuk-link" href="/mootshire/meetings/{archive.march.pk}/#item-{archive.mill.pk}">Planning applications</a>'
        in html
    )
    assert '<strong class="govuk-tag govuk-tag--grey">Agenda item</strong>' in html
    assert "Mootshire County Council · Planning Committee · " in html
    assert '<time datetime="2030-03-14">14 March 2030</time>' in html
    assert "Three applications for the old <mark>mill</mark> at Moot Ford" in html
    assert (
        '<ol class="govuk-list mh-search-results" aria-labelledby="results-heading" start="1">'
        in html
    )


def test_filters_narrow_the_results_and_stay_open(client, archive):
    response = client.get(
        "/search/",
        {
            "q": "waste OR budget",
            "council": "mootshire",
            "type": ["agenda_item"],
            "date_from": "2030-06-01",
        },
    )
    assert result_titles(response) == ["Budget", "Collection of waste from flats"]
    html = main(response)
    assert '<details class="govuk-details" open>' in html
    assert '<option value="mootshire" selected>Mootshire County Council</option>' in html
    assert 'value="agenda_item" checked' in html
    # With a council chosen, its committees can be chosen too.
    assert f'<option value="{archive.cabinet.pk}">Cabinet</option>' in html


def test_a_body_filter_takes_a_committee_of_the_chosen_council(client, archive):
    response = client.get(
        "/search/", {"q": "waste", "council": "mootshire", "body": archive.cabinet.pk}
    )
    assert result_titles(response) == ["Collection of waste from flats"]
    response = client.get(
        "/search/", {"q": "waste", "council": "mootshire", "body": archive.full_council.pk}
    )
    assert response.status_code == 200
    assert "Choose a committee of the council you chose." in main(response)
    assert "results-heading" not in main(response)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"q": '"waste collection'}, "A phrase is missing its closing quotation mark (&quot;)."),
        ({"q": "bins OR"}, "OR needs a word or phrase on each side."),
        ({"q": "-garden"}, "Add a word or phrase to search for, not only words to leave out"),
        ({"q": "bins", "council": "nowhere"}, "Choose a council from the list."),
        ({"q": "bins", "type": "nonsense"}, "Choose types of result from the list."),
        (
            {"q": "bins", "date_from": "2030-02-30"},
            "Enter the first date as a real date, like 2024-03-27.",
        ),
        (
            {"q": "bins", "date_from": "2030-06-01", "date_to": "2030-05-01"},
            "The last date must be the same as or after the first.",
        ),
    ],
)
def test_a_malformed_search_says_what_is_wrong(client, council, params, message):
    response = client.get("/search/", params)
    assert response.status_code == 200
    html = main(response)
    assert '<h2 class="govuk-error-summary__title">There is a problem</h2>' in html
    assert message in html
    assert "results-heading" not in html
    assert response.content.decode().count("<title>Error: ") == 1


def test_no_match_gives_advice(client, archive):
    html = main(client.get("/search/", {"q": "zeppelin"}))
    assert '<h2 class="govuk-heading-m" id="results-heading">0 results for “zeppelin”</h2>' in html
    assert "Nothing public matches your search. You could:" in html


def test_the_query_is_escaped_on_the_page(client, archive):
    html = main(client.get("/search/", {"q": "<script>alert(1)</script>"}))
    assert "<script>" not in html
    assert "0 results for “&lt;script&gt;alert(1)&lt;/script&gt;”" in html


def test_results_are_paged(client, scene):
    meeting = scene.meeting()
    for n in range(23):
        scene.item(meeting, f"Bins item {n}")
    scene.publish(meeting)
    first = client.get("/search/", {"q": "bins"})
    assert len(result_titles(first)) == 20
    html = main(first)
    assert "23 results for “bins”" in html
    assert (
        '<a class="govuk-link govuk-pagination__link" href="?q=bins&amp;page=2" rel="next">' in html
    )
    assert 'aria-current="page">1</a>' in html
    second = client.get("/search/", {"q": "bins", "page": "2"})
    assert len(result_titles(second)) == 3
    assert 'start="21"' in main(second)
    assert (
        '<a class="govuk-link govuk-pagination__link" href="?q=bins&amp;page=1" rel="prev">'
        in main(second)
    )
    assert set(result_titles(first)).isdisjoint(result_titles(second))
    beyond = client.get("/search/", {"q": "bins", "page": "9"})
    assert "There are no more results: go back to an earlier page." in main(beyond)
    assert client.get("/search/", {"q": "bins", "page": "x"}).status_code == 200


def _queries(client, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/search/", params)
    assert response.status_code == 200
    return len(queries)


def test_the_page_makes_as_many_queries_for_many_results_as_for_few(client, scene, resident):
    meeting = scene.meeting()
    for n in range(25):
        scene.item(meeting, f"Bins item {n}", f"Bins number {n}." + (" Parks." if n < 12 else ""))
    scene.item(meeting, "Parks", "Parks and gardens.")
    scene.publish(meeting)
    # Councils, committees, the matches (SQLite: one pass that also ranks them;
    # PostgreSQL: a count that stops past a limit, then the ranked page), the page's
    # snippets, its rows with their council and body: the same whatever the results.
    expected = 5 if connection.vendor == "sqlite" else 6
    assert _queries(client, {"q": "gardens", "council": "mootshire"}) == expected  # 1
    assert _queries(client, {"q": "parks", "council": "mootshire"}) == expected  # 13
    assert _queries(client, {"q": "bins", "council": "mootshire"}) == expected  # 25
    assert _queries(client, {"q": "bins OR parks", "council": "mootshire"}) == expected  # 26
    client.force_login(resident)  # the session, the person, the staff-MFA guard
    assert _queries(client, {"q": "bins", "council": "mootshire"}) == expected + 3


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(text=st.text(max_size=80))
def test_any_text_gives_a_page_never_an_error(client, council, text):
    response = client.get("/search/", {"q": text})
    assert response.status_code == 200


def test_more_matches_than_the_limit_cost_one_query_more_at_most(client, scene, monkeypatch):
    from moothall.search.backends.postgres import PostgresBackend
    from moothall.search.backends.sqlite import SQLiteBackend

    monkeypatch.setattr(SQLiteBackend, "rank_limit", 3)
    monkeypatch.setattr(PostgresBackend, "rank_limit", 3)
    meeting = scene.meeting()
    for n in range(25):
        scene.item(meeting, f"Bins item {n}")
    scene.publish(meeting)
    # The matches (stopping past the limit), the newest page, snippets, rows: 4 + 2.
    assert _queries(client, {"q": "bins", "council": "mootshire"}) == 6
    assert _queries(client, {"q": "bins", "council": "mootshire", "page": "2"}) == 6


def test_more_matches_than_the_limit_are_said_to_be_newest_first(client, archive, monkeypatch):
    from moothall.search.backends.postgres import PostgresBackend
    from moothall.search.backends.sqlite import SQLiteBackend

    monkeypatch.setattr(SQLiteBackend, "rank_limit", 3)
    monkeypatch.setattr(PostgresBackend, "rank_limit", 3)
    html = main(client.get("/search/", {"q": "waste OR budget"}))
    assert (
        '<h2 class="govuk-heading-m" id="results-heading">More than 3 results for “waste OR budget”</h2>'
        in html
    )
    assert "They are shown newest first." in html


def test_each_error_links_to_its_field(client, council):
    html = main(
        client.get(
            "/search/", {"q": "bins OR", "council": "nowhere", "type": "x", "date_to": "soon"}
        )
    )
    assert re.findall(r'<li><a href="#([a-z_0-9]+)">', html) == [
        "q",
        "council",
        "type_0",
        "date_to",
    ]
    for anchor in ("q", "council", "type_0", "date_to"):
        assert f'id="{anchor}"' in html
