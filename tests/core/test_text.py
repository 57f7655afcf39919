from hypothesis import given
from hypothesis import strategies as st

from moothall.core.text import render_markdown


def test_markdown_is_rendered():
    assert render_markdown("**Bins** on *Tuesday*") == (
        "<p><strong>Bins</strong> on <em>Tuesday</em></p>"
    )


def test_scripts_and_event_handlers_are_removed():
    html = render_markdown(
        "<script>alert(1)</script><img src=x onerror=alert(1)> [x](javascript:alert(1))"
    )

    assert "<script" not in html
    assert "onerror" not in html
    assert "javascript:" not in html


def test_links_are_marked_nofollow():
    assert render_markdown("[council](https://example.org)") == (
        '<p><a href="https://example.org" rel="noopener noreferrer nofollow">council</a></p>'
    )


@given(st.text(max_size=300))
def test_no_input_ever_yields_a_script_tag_or_handler(text):
    html = render_markdown(text).lower()
    assert "<script" not in html
    assert " onerror=" not in html
    assert "<iframe" not in html
