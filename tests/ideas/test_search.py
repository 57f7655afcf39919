"""Ideas are found by the site search: by title and description, once committed; a merged
idea is not (the one it was merged into is)."""

from __future__ import annotations

import pytest

from moothall.ideas import domain
from moothall.search.query import search
from tests.ideas.scene import live_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def lives_here(council, resident):
    # Not the shared scene: an idea saved before a test's commit block would put the
    # search index's commit callback outside it (one callback per transaction).
    live_in(council, resident)


def found(query: str) -> list[tuple[str, str, str]]:
    return sorted((hit.kind, hit.title, hit.url) for hit in search(query).hits)


def test_a_new_idea_is_found_by_the_words_of_its_description(
    council, resident, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        idea = domain.propose_idea(
            resident, council, title="Crossing", body="Cars are **dangerously** fast."
        )

    assert found("dangerously") == [("idea", "Crossing", idea.get_absolute_url())]


def test_an_edited_idea_is_found_by_its_new_title_only(
    council, resident, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        idea = domain.propose_idea(resident, council, title="Allotments", body="More plots.")
    with django_capture_on_commit_callbacks(execute=True):
        domain.edit_idea(resident, idea, kind="idea", title="Orchard", body="More plots.")

    assert found("allotments") == []
    assert [hit[1] for hit in found("orchard")] == ["Orchard"]


def test_a_merged_idea_leaves_the_search(
    council, resident, officer, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        duplicate = domain.propose_idea(resident, council, title="Seats", body="Pond seats.")
        target = domain.propose_idea(resident, council, title="Benches", body="Pond benches.")
    with django_capture_on_commit_callbacks(execute=True):
        domain.merge_ideas(officer, duplicate, target)

    assert [hit[1] for hit in found("pond")] == ["Benches"]
