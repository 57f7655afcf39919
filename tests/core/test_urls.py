"""moothall.core.urls: resolving through the index finds what Django finds."""

from __future__ import annotations

import re

import pytest
from django.urls import URLPattern, URLResolver, include, path, re_path, register_converter
from django.urls.exceptions import Resolver404
from django.urls.resolvers import RegexPattern
from hypothesis import given, settings
from hypothesis import strategies as st

from moothall.core.urls import IndexedResolver, indexed


def view(request, **kwargs):  # pragma: no cover - never called
    raise AssertionError


def other(request, **kwargs):  # pragma: no cover - never called
    raise AssertionError


class EvenConverter:
    """Refuses odd numbers in to_python: Django then carries on with the next pattern."""

    regex = "[0-9]+"

    def to_python(self, value):
        if int(value) % 2:
            raise ValueError
        return int(value)

    def to_url(self, value):
        return str(value)


register_converter(EvenConverter, "even")


def then_anything(pattern):
    """``pattern``, then one that matches any path: were the index to miss ``pattern``, it
    would pick the catch-all, and resolve differently from Django."""
    return [pattern, re_path(r"^[\s\S]*$", other, name=f"after-{pattern.name}")]


sample = [
    path("", view, name="home"),
    path("about/", view, name="about"),
    path("api/", include(([path("things/<int:id>", view, name="thing")], "api"))),
    path("<slug:council>/staff/", include(([path("", view, name="desk")], "staff"))),
    path("<slug:council>/n/", include([path("<even:n>/", view, name="even")])),
    path("<slug:council>/n/", include([path("<int:n>/", other, name="odd")])),
    # What the index cannot express: flags, an expression that is not anchored (searched
    # for anywhere in the path), a back-reference.
    path(
        "<slug:council>/f/", include(then_anything(re_path(r"^(?i:shout)/$", view, name="flags")))
    ),
    path(
        "<slug:council>/u/",
        include(then_anything(re_path(r"loose/(?P<x>[a-z]+)/", view, name="unanchored"))),
    ),
    path(
        "<slug:council>/b/",
        include(
            [path("", other, name="b"), *then_anything(re_path(r"^(a)\1/$", view, name="backref"))]
        ),
    ),
    path("<slug:council>/", include([path("", include([path("ideas/", other, name="ideas")]))])),
    path("<slug:council>/petitions/<int:pk>/", view, name="petition"),
    re_path(r"^[\s\S]*/catch/$", other, name="catch"),
]


def plain_and_indexed(patterns):
    root = RegexPattern(r"^/")
    return URLResolver(root, patterns), IndexedResolver(root, patterns)


def outcome(resolver, url):
    try:
        match = resolver.resolve(url)
    except Resolver404:
        return "404"
    return (
        match.func,
        match.args,
        match.kwargs,
        match.url_name,
        match.app_names,
        match.namespaces,
        match.route,
        match.captured_kwargs,
    )


segments = st.sampled_from(
    [
        *("", "about", "api", "things", "staff", "n", "f", "u", "b", "ideas", "petitions"),
        *("catch", "shout", "SHOUT", "loose", "aa", "ab", "benchford", "3", "4", "12", "x-y"),
        *("é", "a b"),
    ]
)
paths = st.lists(segments, max_size=5).map(lambda parts: "/" + "/".join(parts)) | st.builds(
    lambda parts, slash: "/" + "/".join(parts) + ("/" if slash else ""),
    st.lists(segments, max_size=5),
    st.booleans(),
)


@settings(max_examples=400, deadline=None)
@given(url=paths)
def test_the_index_resolves_a_made_up_urlconf_as_django_does(url):
    plain, fast = plain_and_indexed(sample)
    assert outcome(fast, url) == outcome(plain, url)


@pytest.mark.parametrize(
    ("url", "name"),
    [
        ("/benchford/n/4/", "even"),
        ("/benchford/n/5/", "odd"),  # the converter refused: the next pattern answers
        ("/benchford/f/SHOUT/", "flags"),
        ("/benchford/u/x/loose/abc/", "unanchored"),
        ("/benchford/b/aa/", "backref"),
        ("/benchford/b/ab/", "after-backref"),
        ("/benchford/ideas/", "ideas"),
        ("/anything/at/all/catch/", "catch"),
    ],
)
def test_patterns_the_index_cannot_express_still_match(url, name):
    plain, fast = plain_and_indexed(sample)
    assert fast.resolve(url).url_name == plain.resolve(url).url_name == name


def test_no_match_raises_djangos_own_404_listing_every_pattern_tried():
    plain, fast = plain_and_indexed(sample)
    with pytest.raises(Resolver404) as ours:
        fast.resolve("/benchford/n/ab/")
    with pytest.raises(Resolver404) as django:
        plain.resolve("/benchford/n/ab/")
    assert ours.value.args[0]["tried"]
    assert len(ours.value.args[0]["tried"]) == len(django.value.args[0]["tried"])


def every_route(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from every_route(pattern, route)
        else:
            yield route


def filled(route):
    """A path for a route: each converter given a value it takes."""
    values = {"int": "7", "slug": "benchford", "str": "abc", "path": "a/b", "uuid": "0" * 32}
    text = re.sub(r"<(?:(\w+):)?\w+>", lambda m: values.get(m.group(1) or "str", "7"), route)
    return "/" + text.lstrip("^").rstrip("$")


def test_every_route_of_the_site_resolves_as_django_resolves_it():
    from moothall import urls

    includes = [p for p in urls.urlpatterns if isinstance(p, URLResolver)]
    assert includes
    assert all(isinstance(p, IndexedResolver) for p in includes)
    fast = URLResolver(RegexPattern(r"^/"), urls.urlpatterns)
    plain = URLResolver(
        RegexPattern(r"^/"),
        [
            URLResolver(p.pattern, p.urlconf_name, p.default_kwargs, p.app_name, p.namespace)
            if isinstance(p, IndexedResolver)
            else p
            for p in urls.urlpatterns
        ],
    )
    routes = list(every_route(plain))
    assert len(routes) > 300
    for route in routes:
        if "\\" in route or "(" in route:
            continue  # a re_path: its own tests cover it
        url = filled(route)
        for variant in (url, url + "x", url.rstrip("/"), url + "/extra/"):
            assert outcome(fast, variant) == outcome(plain, variant), variant


def test_the_api_signature_endpoint_is_found_without_trying_the_others():
    from django.urls import resolve

    tried = resolve("/api/v1/councils/benchford/petitions/5/signatures").tried
    # Django's own resolver would list the 22 API patterns before it.
    assert len(tried) <= 4


def test_indexed_takes_an_include():
    with pytest.raises(TypeError):
        indexed(path("x/", view))
    assert isinstance(indexed(path("x/", include([path("", view)]))), IndexedResolver)
    assert isinstance(path("y/", view), URLPattern)
