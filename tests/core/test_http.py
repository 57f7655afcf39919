"""core.http.client_ip: allauth's rules for the caller's address, worked out once."""

from __future__ import annotations

import pytest
from allauth.account.adapter import get_adapter
from allauth.core.internal import httpkit
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.test import RequestFactory, override_settings
from hypothesis import given, settings
from hypothesis import strategies as st

from moothall.core.http import client_ip

factory = RequestFactory()


def _allauth(request):
    """What allauth itself makes of the request (None where it gives up)."""
    try:
        return httpkit.get_client_ip(request)
    except ImproperlyConfigured:
        return None


def _with_port(address) -> st.SearchStrategy[str]:
    text = str(address)
    bracketed = f"[{text}]" if address.version == 6 else text
    return st.sampled_from([text, f"{bracketed}:8080", f" {text} ", bracketed])


addresses = st.one_of(
    st.ip_addresses().flatmap(_with_port),
    st.sampled_from(["", " ", "unknown", "::ffff:192.0.2.1", "192.0.2.1:", "[::1]", "01.2.3.4"]),
    st.text(max_size=12),
)
forwarded = st.lists(addresses, min_size=0, max_size=4).map(",".join)
header_names = st.sampled_from([None, "X-Real-IP", "CF-Connecting-IP"])


@settings(max_examples=300, deadline=None)
@given(
    remote=st.one_of(st.none(), addresses),
    xff=st.one_of(st.none(), forwarded),
    real_ip=st.one_of(st.none(), addresses),
    proxies=st.integers(0, 3),
    header=header_names,
)
def test_client_ip_is_what_allauth_makes_of_the_request(remote, xff, real_ip, proxies, header):
    meta = {}
    if xff is not None:
        meta["HTTP_X_FORWARDED_FOR"] = xff
    if real_ip is not None:
        meta["HTTP_X_REAL_IP"] = real_ip
        meta["HTTP_CF_CONNECTING_IP"] = real_ip
    request = factory.post("/api/v1/anything", **meta)
    if remote is None:
        del request.META["REMOTE_ADDR"]
    else:
        request.META["REMOTE_ADDR"] = remote
    with override_settings(
        ALLAUTH_TRUSTED_PROXY_COUNT=proxies, ALLAUTH_TRUSTED_CLIENT_IP_HEADER=header
    ):
        expected = _allauth(request)
        assert client_ip(request) == expected
        # A second request with the same headers asks the (cached) parse again.
        again = factory.post("/api/v1/anything")
        again.META = dict(request.META)
        assert client_ip(again) == expected


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_the_address_the_proxy_appended_counts():
    request = factory.post(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9"
    )
    assert client_ip(request) == "203.0.113.9"


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=0)
def test_without_a_trusted_proxy_a_forwarded_for_header_is_ignored():
    request = factory.post("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert client_ip(request) == "10.0.0.2"


def test_an_ipv6_address_is_written_in_its_one_short_form():
    request = factory.post("/", REMOTE_ADDR="2001:0DB8:0000:0000:0000:0000:0000:0001")
    assert client_ip(request) == "2001:db8::1"


def test_the_address_is_worked_out_once_per_request():
    request = factory.post("/", REMOTE_ADDR="192.0.2.1")
    assert client_ip(request) == "192.0.2.1"
    request.META["REMOTE_ADDR"] = "192.0.2.99"  # nothing changes a request's address
    assert client_ip(request) == "192.0.2.1"


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=2)
def test_allauth_asks_the_adapter_and_gets_the_same_address():
    adapter = get_adapter()
    request = factory.post(
        "/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7, 203.0.113.9, 10.0.0.1"
    )
    assert adapter.get_client_ip(request) == client_ip(request) == "203.0.113.9"

    # Fewer entries than proxies: the request did not come through ours. allauth itself
    # would raise ImproperlyConfigured (a 500); the adapter refuses the request instead.
    short = factory.post("/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.9")
    assert client_ip(short) is None
    with pytest.raises(PermissionDenied):
        adapter.get_client_ip(short)
