"""Background work for meetings. Tasks take ids, call one verb, and survive the row being gone."""

from __future__ import annotations

from django_tasks import task


@task()
def extract_document_text(document_id: int) -> str:
    """Read a document's text for search."""
    from moothall.meetings.domain import save_extracted_text

    document = save_extracted_text(document_id)
    return "gone" if document is None else document.extraction
