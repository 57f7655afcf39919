"""LazyMessageMiddleware: Django's messages, with the store made only when used."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.sessions.middleware import SessionMiddleware
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils.functional import empty

from moothall.core.middleware import LazyMessageMiddleware


def run(view, cookies=None):
    request = RequestFactory().get("/")
    request.COOKIES.update(cookies or {})
    SessionMiddleware(lambda r: HttpResponse()).process_request(request)
    middleware = LazyMessageMiddleware(view)
    return request, middleware(request)


def adding(text):
    def view(request):
        messages.info(request, text)
        return HttpResponse("ok")

    return view


def test_a_request_that_neither_adds_nor_reads_a_message_makes_no_store():
    request, response = run(lambda request: HttpResponse("ok"))
    assert request._messages._wrapped is empty
    assert "messages" not in response.cookies


def test_a_message_added_is_kept_for_the_next_page_and_read_there():
    _request, response = run(adding("Your petition was sent for checking."))
    kept = response.cookies["messages"].value
    assert kept

    shown = []

    def show(request):
        shown.extend(str(m) for m in messages.get_messages(request))
        return HttpResponse("ok")

    _request, response = run(show, cookies={"messages": kept})
    assert shown == ["Your petition was sent for checking."]
    assert response.cookies["messages"].value == ""  # read: the cookie is cleared


def test_a_page_that_does_not_read_its_messages_leaves_them_for_the_next():
    _request, response = run(adding("Saved."))
    kept = response.cookies["messages"].value
    _request, response = run(lambda request: HttpResponse("json"), cookies={"messages": kept})
    assert "messages" not in response.cookies  # neither cleared nor rewritten
