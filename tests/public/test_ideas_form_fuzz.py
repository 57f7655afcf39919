"""Anything at all sent to the propose form: a clear message or a published idea, never a
server error, never half an idea (no row without its pictures, no picture without a row).

Each example runs in a savepoint that is rolled back, so examples never see each other.
"""

from __future__ import annotations

import io
import os
import re
from contextlib import contextmanager

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image

from moothall.core.models import AuditEntry
from moothall.ideas.models import Idea, IdeaImage, IdeaTimelineEntry
from tests.ideas.scene import build_scene, png

pytestmark = pytest.mark.django_db

FUZZ = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def texts(limit: int) -> st.SearchStrategy[str]:
    """Any text a browser can send, with the edges of ``limit`` and blanks likely."""
    return st.one_of(
        st.text(st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=limit + 20),
        st.text(st.sampled_from("a \x00\u200b\n\r\t<>&\"'"), max_size=12),
        st.sampled_from(["", " ", "\t\n", "x" * limit, "x" * (limit + 1), " " + "y" * limit + " "]),
    )


def coordinates() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(["", "51.5", "-0.12", "90", "-180", "90.000001", "1e999", "nan", "inf"]),
        st.floats(allow_nan=True, allow_infinity=True).map(str),
        st.decimals(allow_nan=False, allow_infinity=False, places=8).map(str),
        st.text(max_size=25),
    )


def pictures() -> st.SearchStrategy[bytes | None]:
    def sized(size: tuple[int, int]) -> bytes:
        out = io.BytesIO()
        Image.new("RGB", size).save(out, format="PNG")
        return out.getvalue()

    return st.one_of(
        st.none(),
        st.just(png()),
        st.binary(max_size=200),
        st.tuples(st.integers(1, 30), st.integers(1, 30)).map(sized),
        st.just(png()[:40]),
    )


FORMS = st.fixed_dictionaries(
    {
        "kind": st.one_of(st.sampled_from(["idea", "need", "", "wish"]), st.text(max_size=8)),
        "title": texts(150),
        "body": texts(10_000),
        "topic": st.one_of(
            st.sampled_from(["", "parks", "roads", "elsewhere"]), st.text(max_size=10)
        ),
        "ward": st.one_of(st.sampled_from(["", "moot-ward", "far-ward"]), st.text(max_size=10)),
        "latitude": coordinates(),
        "longitude": coordinates(),
        "alt_text": texts(250),
    }
)


class _Undo(Exception):
    pass


@contextmanager
def isolated():
    try:
        with transaction.atomic():
            yield
            raise _Undo
    except _Undo:
        pass


def files() -> set[str]:
    folder = os.path.join(django_settings.MEDIA_ROOT, "ideas", "images")
    return set(os.listdir(folder)) if os.path.isdir(folder) else set()


def rows() -> tuple[int, ...]:
    return (
        Idea.objects.count(),
        IdeaImage.objects.count(),
        IdeaTimelineEntry.objects.count(),
        AuditEntry.objects.count(),
    )


@pytest.fixture
def signed_in(client, council, other_council, resident):
    build_scene(council, other_council, resident)
    client.force_login(resident)
    client.raise_request_exception = True
    return client


@FUZZ
@given(data=FORMS, picture=pictures())
def test_the_propose_form_answers_anything_with_a_message_or_an_idea(signed_in, data, picture):
    posted = dict(data)
    if picture is not None:
        posted["image"] = SimpleUploadedFile("upload.png", picture, content_type="image/png")
    with isolated():
        before, on_disk = rows(), files()

        response = signed_in.post("/mootshire/ideas/new/", posted)

        assert response.status_code in (302, 400), response.status_code
        if response.status_code == 400:
            page = response.content.decode()
            messages = re.findall(
                r'<ul class="govuk-list govuk-error-summary__list">(.*?)</ul>', page, re.S
            )
            assert messages
            assert "<li>" in messages[0]
            assert rows() == before
            assert files() == on_disk
        else:
            idea = Idea.objects.latest("id")
            assert response["Location"] == idea.get_absolute_url()
            assert idea.title == data["title"].strip()
            assert rows()[0] == before[0] + 1
            assert idea.images.count() == (1 if picture is not None else 0)
            assert len(files() - on_disk) == idea.images.count()
    # What a rolled-back example wrote to disk goes too (the test's own media folder).
    for name in files() - set(IdeaImage.objects.values_list("file", flat=True)):
        os.remove(os.path.join(django_settings.MEDIA_ROOT, "ideas", "images", name))
