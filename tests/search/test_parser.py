"""The query language: what people type, the tree it becomes, and what each engine gets."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moothall.search.parser import (
    And,
    Not,
    Or,
    QueryError,
    Term,
    parse,
    terms,
    to_fts5,
    to_tsquery,
)


def test_words_must_all_match():
    node = parse("bin collection")
    assert node == And((Term(("bin",)), Term(("collection",))))
    assert to_fts5(node) == '("bin" AND "collection")'
    assert to_tsquery(node) == "(bin & collection)"


def test_and_may_be_written():
    assert parse("bins AND waste") == parse("bins waste")


def test_a_quoted_phrase_is_one_term():
    node = parse('"waste collection" Moot')
    assert node == And((Term(("waste", "collection")), Term(("moot",))))
    assert to_fts5(node) == '("waste collection" AND "moot")'
    assert to_tsquery(node) == "((waste <-> collection) & moot)"


def test_curly_quotes_make_a_phrase_too():
    assert parse("“waste collection”") == Term(("waste", "collection"))


def test_or_in_capitals_means_either():
    node = parse("bins OR recycling")
    assert node == Or((Term(("bins",)), Term(("recycling",))))
    assert to_fts5(node) == '("bins" OR "recycling")'
    assert to_tsquery(node) == "(bins | recycling)"


def test_lower_case_or_is_just_a_word():
    assert parse("bins or recycling") == And((Term(("bins",)), Term(("or",)), Term(("recycling",))))


def test_or_binds_looser_than_and():
    node = parse("bins waste OR recycling")
    assert node == Or((And((Term(("bins",)), Term(("waste",)))), Term(("recycling",))))


def test_a_minus_leaves_a_word_out():
    node = parse("bins -garden")
    assert node == And((Term(("bins",)), Not(Term(("garden",)))))
    assert to_fts5(node) == '(("bins") NOT "garden")'
    assert to_tsquery(node) == "(bins & !garden)"


def test_not_leaves_a_word_out_too():
    assert parse("bins NOT garden") == parse("bins -garden")


def test_several_words_left_out():
    node = parse("bins -garden -food")
    assert to_fts5(node) == '((("bins") NOT "garden") NOT "food")'
    assert to_tsquery(node) == "(bins & !garden & !food)"


def test_a_hyphen_inside_a_word_is_not_a_minus():
    assert parse("well-being") == Term(("well", "being"))
    assert to_fts5(parse("e-mail")) == '"e mail"'
    assert to_tsquery(parse("e-mail")) == "(e <-> mail)"


def test_a_trailing_star_searches_a_prefix():
    node = parse("plan*")
    assert node == Term(("plan",), prefix=True)
    assert to_fts5(node) == '"plan" *'
    assert to_tsquery(node) == "plan:*"


def test_brackets_group():
    node = parse("(bins OR waste) -garden")
    assert node == And((Or((Term(("bins",)), Term(("waste",)))), Not(Term(("garden",)))))
    assert to_fts5(node) == '((("bins" OR "waste")) NOT "garden")'
    assert to_tsquery(node) == "((bins | waste) & !garden)"


def test_a_not_of_a_group():
    node = parse("council -(bins OR waste)")
    assert to_fts5(node) == '(("council") NOT ("bins" OR "waste"))'
    assert to_tsquery(node) == "(council & !(bins | waste))"


def test_words_are_cut_to_letters_and_digits():
    node = parse("O'Brien's £5,000 café")
    assert node == And((Term(("o", "brien", "s")), Term(("5", "000")), Term(("café",))))


def test_engine_syntax_typed_by_a_person_is_only_words():
    node = parse('title:secret NEAR(a b) "x" OR yes:* & !z')
    assert (
        to_fts5(node)
        == '(("title secret" AND "near" AND ("a" AND "b") AND "x") OR ("yes" * AND "z"))'
    )
    assert to_tsquery(node) == "(((title <-> secret) & near & (a & b) & x) | (yes:* & z))"


def test_punctuation_alone_is_ignored():
    assert parse("bins & waste – now") == And((Term(("bins",)), Term(("waste",)), Term(("now",))))


def test_terms_are_the_words_to_highlight():
    assert terms(parse('"bin day" OR waste -garden')) == [
        Term(("bin", "day")),
        Term(("waste",)),
    ]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "Enter a word or phrase to search for."),
        ("   ", "Enter a word or phrase to search for."),
        ("!!! ***", "Enter a word or phrase to search for."),
        ('"waste collection', 'A phrase is missing its closing quotation mark (").'),
        ("(bins OR waste", "A bracket “(” is not closed."),
        ("bins) waste", "There is a closing bracket “)” without an opening one."),
        (") bins", "There is a closing bracket “)” without an opening one."),
        ("bins ()", "There is nothing between a pair of brackets."),
        ("bins OR", "OR needs a word or phrase on each side."),
        ("OR bins", "OR needs a word or phrase on each side."),
        ("bins OR OR waste", "OR needs a word or phrase on each side."),
        ("bins AND", "AND needs a word or phrase on each side."),
        ("AND bins", "AND needs a word or phrase on each side."),
        ("bins NOT", "NOT (or -) needs a word or phrase straight after it."),
        ("bins NOT NOT waste", "NOT (or -) needs a word or phrase straight after it."),
        (
            "-garden",
            "Add a word or phrase to search for, not only words to leave out "
            "(and not on its own beside OR).",
        ),
        (
            "bins OR -garden",
            "Add a word or phrase to search for, not only words to leave out "
            "(and not on its own beside OR).",
        ),
        ("p*", "Put at least 2 letters before a * (as in plan*)."),
        ("((((((bins))))))", "Too many brackets inside brackets."),
        ("word " * 31, "Your search has too many words: use at most 30."),
        ("x" * 501, "Your search is too long: use at most 500 characters."),
    ],
)
def test_a_malformed_query_says_what_is_wrong(query, message):
    with pytest.raises(QueryError) as error:
        parse(query)
    assert error.value.message == message
    assert str(error.value) == message


_FTS5_SAFE = re.compile(r'^[\w" ()*]*$')
_TSQUERY_SAFE = re.compile(r"^[\w ()&|!<>:*-]*$")


@settings(max_examples=400, deadline=None)
@given(st.text(max_size=120))
def test_any_text_gives_a_tree_or_a_query_error(text):
    try:
        node = parse(text)
    except QueryError as error:
        message = error.message
        node = None
    if node is None:
        assert message
        return
    fts5 = to_fts5(node)
    tsquery = to_tsquery(node)
    assert _FTS5_SAFE.match(fts5), fts5
    assert _TSQUERY_SAFE.match(tsquery), tsquery
    # No quote, colon or backslash of the person's ever reaches an engine.
    assert "'" not in tsquery
    assert "\\" not in fts5 + tsquery


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            ["bins", "waste", "OR", "AND", "NOT", "-", "(", ")", '"', "plan*", "-garden", "*"]
        ),
        max_size=12,
    ).map(" ".join)
)
def test_any_mix_of_operators_gives_a_tree_or_a_query_error(text):
    try:
        node = parse(text)
    except QueryError:
        return
    assert to_fts5(node)
    assert to_tsquery(node)
