"""Exempt (Part II) and unpublished business never reaches search, whatever happens to it."""

import pytest

from moothall.meetings import domain
from moothall.search.models import IndexEntry
from moothall.search.query import search

pytestmark = pytest.mark.django_db


def found(query):
    return sorted((hit.kind, hit.title) for hit in search(query).hits)


@pytest.fixture
def depot(scene):
    """A published agenda with a public item, and an exempt item with a sub-item, a paper
    and a decision, all speaking of the depot."""
    meeting = scene.meeting()
    public = scene.item(meeting, "Depot opening hours", "The depot opens at nine.")
    secret = scene.item(
        meeting,
        "Sale of the depot",
        "Offer of two million pounds for the depot.",
        kind="exempt",
        exempt_paragraph=3,
    )
    valuation = scene.item(meeting, "Valuation of the depot", "Valued privately.", parent=secret)
    scene.document("Confidential depot offer letter.", title="Offer letter", agenda_item=secret)
    scene.document("Depot valuation figures.", title="Valuation", agenda_item=valuation)
    scene.publish(meeting)
    scene.decision("Depot sold", "Resolved: sell the depot.", agenda_item=secret)
    return meeting, public, secret, valuation


def test_an_exempt_item_its_sub_items_papers_and_decisions_are_never_found(depot):
    assert found("depot") == [("agenda_item", "Depot opening hours")]
    assert found("offer OR valuation OR sold OR million") == []
    assert set(IndexEntry.objects.values_list("kind", "title")) == {
        ("agenda_item", "Depot opening hours")
    }


def test_an_item_made_exempt_after_indexing_disappears_with_its_papers(
    scene, django_capture_on_commit_callbacks
):
    meeting = scene.meeting()
    item = scene.item(meeting, "Leisure centre contract", "Tender for the leisure centre.")
    child = scene.item(meeting, "Bidders", "Three bidders for the leisure centre.", parent=item)
    scene.document("Tender scores for the leisure centre.", title="Scores", agenda_item=child)
    scene.publish(meeting)
    scene.decision("Leisure contract awarded", "Awarded for the leisure centre.", agenda_item=item)
    assert len(found("leisure")) == 4

    with django_capture_on_commit_callbacks(execute=True):
        domain.update_agenda_item(None, item, exempt_paragraph=3)

    assert found("leisure") == []
    assert not IndexEntry.objects.exists()


def test_an_item_made_exempt_leaves_results_in_its_own_commit(
    scene, django_capture_on_commit_callbacks
):
    """Fail closed: even before (or without) re-indexing, stale entries are not returned."""
    meeting = scene.meeting()
    item = scene.item(meeting, "Leisure centre contract", "Tender for the leisure centre.")
    scene.publish(meeting)
    assert found("leisure") == [("agenda_item", "Leisure centre contract")]

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        domain.update_agenda_item(None, item, exempt_paragraph=3)
    assert callbacks  # the re-index is waiting for the commit …
    assert found("leisure") == []  # … and the item is already out of results
    assert IndexEntry.objects.get().is_stale


def test_lifting_an_exemption_makes_the_item_and_its_papers_searchable(
    depot, django_capture_on_commit_callbacks
):
    secret = depot[2]
    secret.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        domain.update_agenda_item(None, secret, exempt_paragraph=None, kind="report")
    assert found("offer OR valuation OR sold") == [
        ("agenda_item", "Sale of the depot"),
        ("agenda_item", "Valuation of the depot"),
        ("decision", "Depot sold"),
        ("document", "Offer letter"),
        ("document", "Valuation"),
    ]


def test_a_paper_exempt_in_its_own_right_stays_out_when_its_item_is_edited(
    scene, django_capture_on_commit_callbacks
):
    meeting = scene.meeting()
    item = scene.item(meeting, "Depot opening hours")
    scene.document(
        "Staff home addresses for the depot rota.",
        title="Rota appendix",
        agenda_item=item,
        exempt_paragraph=1,
    )
    scene.publish(meeting)
    with django_capture_on_commit_callbacks(execute=True):
        domain.update_agenda_item(None, item, title="Depot hours")
    assert found("rota OR addresses") == []


def test_an_unpublished_agenda_is_not_searchable_until_it_is_published(scene):
    meeting = scene.meeting()
    item = scene.item(meeting, "Draft budget", "First thoughts on the budget.")
    scene.document("Budget spreadsheet notes.", title="Budget paper", agenda_item=item)
    assert found("budget") == []
    scene.publish(meeting)  # papers are published with QuerySet.update()
    assert found("budget") == [("agenda_item", "Draft budget"), ("document", "Budget paper")]


def test_a_paper_is_searchable_only_once_its_text_is_read(
    scene, django_capture_on_commit_callbacks, council
):
    from moothall.demo.pdf import make_pdf

    meeting = scene.meeting()
    scene.item(meeting, "Bins")
    scene.publish(meeting)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        document = domain.attach_document(
            None,
            council,
            data=make_pdf("Wheelie bins"),
            title="Bin paper",
            kind="report",
            meeting=meeting,
        )
    for callback in callbacks:  # the commit, but with the extraction task held back
        if callback.__qualname__ == "_Batch.flush":
            callback()
    assert found("wheelie OR paper") == []  # waiting to be read: not indexed yet
    with django_capture_on_commit_callbacks(execute=True):
        document.text = "Wheelie bins"
        document.extraction = "done"
        document.save(update_fields=["text", "extraction"])
    assert found("wheelie") == [("document", "Bin paper")]


def test_if_re_indexing_fails_the_changed_entries_stay_hidden(
    scene, django_capture_on_commit_callbacks, monkeypatch, caplog
):
    meeting = scene.meeting()
    item = scene.item(meeting, "Leisure centre contract")
    scene.publish(meeting)

    def broken(*args, **kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr("moothall.search.index.reindex", broken)
    with django_capture_on_commit_callbacks(execute=True):
        domain.update_agenda_item(None, item, exempt_paragraph=3)
    assert "database went away" in caplog.text  # logged, the clerk's request unharmed
    assert found("leisure") == []  # stale, so never shown: the index fails closed
