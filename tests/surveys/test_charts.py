"""Survey charts: valid SVG a screen reader can name, a table with the same figures beside
every picture, readable colours, and nothing breaks with no answers at all."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET  # for its types; defusedxml parses

from defusedxml import ElementTree as DefusedET
from django.template.loader import render_to_string
from hypothesis import given, settings
from hypothesis import strategies as st

from moothall.surveys import charts
from moothall.surveys.charts import BarRow, Bin, RankRow, StackRow

SVG = "{http://www.w3.org/2000/svg}"


def parse(chart: charts.Chart) -> ET.Element:
    root = DefusedET.fromstring(str(chart.svg))
    assert root.tag == f"{SVG}svg"
    return root


def assert_accessible(chart: charts.Chart) -> ET.Element:
    root = parse(chart)
    assert root.get("role") == "img"
    ids = {el.get("id") for el in root.iter() if el.get("id")}
    labelled_by = root.get("aria-labelledby", "").split()
    assert labelled_by == [f"{chart.id}-title", f"{chart.id}-desc"]
    assert set(labelled_by) <= ids
    title = root.find(f"{SVG}title")
    assert title is not None
    assert title.text == chart.title
    # The Content-Security-Policy has no 'unsafe-inline' for styles.
    assert not [el for el in root.iter() if el.get("style") is not None]
    assert root.find(f"{SVG}style") is None
    return root


def texts(root: ET.Element) -> list[str]:
    return [el.text or "" for el in root.iter(f"{SVG}text")]


def rect_widths(root: ET.Element) -> list[float]:
    return [float(el.get("width", "0")) for el in root.iter(f"{SVG}rect")]


def test_a_bar_chart_draws_a_bar_per_option_as_long_as_its_share():
    chart = charts.bar_chart(
        "chart-q1",
        "1. Which day suits you?",
        [BarRow("Monday", 6, 0.6), BarRow("Tuesday", 3, 0.3), BarRow("Friday", 1, 0.1)],
    )

    root = assert_accessible(chart)

    widths = rect_widths(root)
    assert len(widths) == 3
    assert widths[0] > widths[1] > widths[2] > 0
    assert math.isclose(widths[0] / widths[1], 2.0, rel_tol=1e-2)
    assert texts(root) == ["Monday", "6 (60%)", "Tuesday", "3 (30%)", "Friday", "1 (10%)"]
    assert chart.table.columns == ["Answer", "People", "Share"]
    assert chart.table.rows == [
        ["Monday", "6", "60%"],
        ["Tuesday", "3", "30%"],
        ["Friday", "1", "10%"],
    ]


def test_weighted_shares_are_drawn_and_tabled_beside_the_raw_ones():
    chart = charts.bar_chart(
        "chart-q2", "Parks", [BarRow("Yes", 20, 0.8, 0.7), BarRow("No", 5, 0.2, 0.3)], weighted=True
    )

    root = assert_accessible(chart)

    fills = [el.get("fill") for el in root.iter(f"{SVG}rect")]
    assert fills == [charts.BAR, charts.WEIGHTED_BAR, charts.BAR, charts.WEIGHTED_BAR]
    assert chart.table.columns[-1] == "Share weighted to the population"
    assert chart.table.rows == [["Yes", "20", "80%", "70%"], ["No", "5", "20%", "30%"]]
    assert [label for _colour, label in chart.legend] == [
        "People who answered",
        "Weighted to the population",
    ]


def test_a_suppressed_group_has_no_bar_and_says_so():
    chart = charts.bar_chart(
        "chart-wards", "Responses by ward", [BarRow("Moot", 12, 0.8), BarRow("Hill", None)]
    )

    root = assert_accessible(chart)

    assert len(rect_widths(root)) == 1
    assert "fewer than 10" in texts(root)
    assert chart.table.rows[1] == ["Hill", "fewer than 10", "–"]


def test_labels_and_titles_are_escaped_not_markup():
    chart = charts.bar_chart("chart-q3", 'Say "hi" <script>', [BarRow("<b>&amp;</b>", 1, 1.0)])

    root = assert_accessible(chart)

    assert "<script>" not in str(chart.svg)
    assert texts(root)[0] == "<b>&amp;</b>"


def test_long_labels_are_shortened_in_the_picture_but_whole_in_the_table():
    label = "A very long option " * 10
    chart = charts.bar_chart("chart-q4", "Long", [BarRow(label, 2, 1.0)])

    root = parse(chart)

    assert texts(root)[0].endswith("…")
    assert len(texts(root)[0]) <= charts.LABEL_LIMIT
    assert chart.table.rows[0][0] == label


def test_zero_responses_draw_empty_bars_not_an_error():
    bars = charts.bar_chart("a", "No answers", [BarRow("Yes", 0, None), BarRow("No", 0, None)])
    ranks = charts.ranking_chart("b", "No ranks", [RankRow("Bus", 0, None, 0)])
    stack = charts.stacked_chart(
        "c", "No views", ["Agree", "Disagree"], [StackRow("Parks", [0, 0])]
    )
    hist = charts.histogram("d", "No numbers", [])
    empty = charts.bar_chart("e", "Nothing to ask", [])

    for chart in (bars, ranks, stack, hist, empty):
        root = assert_accessible(chart)
        assert all(w >= 0 for w in rect_widths(root))
    assert bars.table.rows == [["Yes", "0"], ["No", "0"]]
    assert ranks.table.rows == [["Bus", "0", "–", "0"]]
    assert "No answers yet" in texts(parse(stack))
    assert stack.table.rows == [["Parks", "0 (–)", "0 (–)", "0"]]
    assert hist.table.rows == []
    assert charts.bins_for([]) == []


def test_a_ranking_chart_orders_by_points_with_the_mean_position():
    chart = charts.ranking_chart(
        "chart-q5",
        "Rank the routes",
        [RankRow("Bus", 5, 1.5, 4, 1.25), RankRow("Tram", 3, 2.0, 4, 0.75)],
        weighted=True,
    )

    root = assert_accessible(chart)

    assert "5 points, mean position 1.5" in texts(root)
    assert chart.table.columns == [
        "Option",
        "Points",
        "Mean position",
        "People who ranked it",
        "Mean points weighted to the population",
    ]
    assert chart.table.rows == [["Bus", "5", "1.5", "4", "1.25"], ["Tram", "3", "2", "4", "0.75"]]


def test_a_stacked_bar_fills_the_width_in_proportion_with_a_legend():
    scale = ["Agree", "Neither", "Disagree"]
    chart = charts.stacked_chart(
        "chart-q6", "Views", scale, [StackRow("Parks are clean", [2, 1, 1])]
    )

    root = assert_accessible(chart)

    segments = list(root.iter(f"{SVG}rect"))[:3]
    widths = [float(el.get("width", "0")) for el in segments]
    # Each segment is its share of the width, less a 2-pixel gap.
    assert [round(w + 2) for w in widths] == [320, 160, 160]
    assert [el.get("fill") for el in segments] == charts.DIVERGING[3]
    words = texts(root)
    assert {"50%", "25%"} <= set(words)
    assert words[-3:] == scale  # the legend
    assert chart.table.rows == [["Parks are clean", "2 (50%)", "1 (25%)", "1 (25%)", "4"]]


def test_the_histogram_counts_every_value_once():
    values = [1.0, 2.0, 2.0, 3.0, 9.0, 10.0]
    bins = charts.bins_for(values, integers=True)

    chart = charts.histogram("chart-q7", "How many visits?", bins)

    assert_accessible(chart)
    assert sum(b.count for b in bins) == len(values)
    assert bins[0].low <= 1
    assert bins[-1].high >= 10
    assert [row[1] for row in chart.table.rows] == [str(b.count) for b in bins]
    assert chart.table.rows[0][0] == "0 to 1"  # whole numbers: both ends included


def test_one_repeated_value_makes_one_bin():
    assert charts.bins_for([4.0, 4.0]) == [Bin(4.0, 4.0, 2, last=True)]


def test_a_question_range_sets_the_bins():
    bins = charts.bins_for([3.0], low=0.0, high=10.0, integers=True)

    assert bins[0].low == 0
    assert bins[-1].high >= 10
    assert sum(b.count for b in bins) == 1


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False),
        min_size=1,
        max_size=50,
    ),
    st.booleans(),
)
def test_bins_are_contiguous_and_hold_every_value(values, integers):
    if integers:
        values = [float(round(v)) for v in values]

    bins = charts.bins_for(values, integers=integers)

    assert sum(b.count for b in bins) == len(values)
    assert 1 <= len(bins) <= 16  # twice the eight asked for, at most
    assert bins[0].low <= min(values)
    assert bins[-1].high >= max(values) or math.isclose(bins[-1].high, max(values))


def test_every_colour_can_be_told_from_the_page_and_carries_readable_words():
    colours = {charts.BAR, charts.WEIGHTED_BAR, *charts.CYCLE}
    for shades in charts.DIVERGING.values():
        colours |= set(shades)

    for colour in colours:
        # WCAG 1.4.11: graphics at least 3:1 against white (the page and the gaps).
        assert charts.contrast(colour, charts.WHITE) >= 3, colour
        # WCAG 1.4.3: the words on a segment at least 4.5:1.
        assert charts.contrast(colour, charts.text_on(colour)) >= 4.5, colour


def test_long_scales_still_get_a_colour_for_every_point():
    assert len(charts.scale_colours(11)) == 11
    assert charts.scale_colours(5) == charts.DIVERGING[5]


def test_the_partial_puts_the_table_next_to_the_picture():
    chart = charts.bar_chart(
        "chart-q9",
        "Bins",
        [BarRow("Weekly", 3, 0.75, 0.6), BarRow("Fortnightly", 1, 0.25, 0.4)],
        weighted=True,
    )

    page = render_to_string("public/surveys/results_chart.html", {"chart": chart})

    assert page.index("<svg") < page.index('<table class="govuk-table" id="chart-q9-table">')
    assert re.search(r'<caption class="govuk-table__caption[^"]*">Bins</caption>', page)
    headers = re.findall(r'<th scope="col"[^>]*>(.*?)</th>', page)
    assert headers == ["Answer", "People", "Share", "Share weighted to the population"]
    assert re.findall(r'<th scope="row" class="govuk-table__header">(.*?)</th>', page) == [
        "Weekly",
        "Fortnightly",
    ]
    assert not re.search(r'\sstyle="', page)  # no inline styles (the CSP forbids them)
    assert "Weighted to the population" in page  # the key to the orange bars
