"""Survey charts drawn on the server as SVG: no script, nothing fetched from elsewhere.

Each builder returns a :class:`Chart`: the SVG markup (``role="img"``, a ``<title>`` and a
``<desc>`` named by ``aria-labelledby``) and a :class:`Table` with the same figures, which
the partial ``public/surveys/results_chart.html`` renders next to the picture as a GOV.UK
table. The picture is never the only way to read a result.

The page's Content-Security-Policy forbids inline styles, so every colour, size and font
is an SVG presentation attribute (``fill``, ``font-size``…), never ``style=""``.

Colours: one blue for bars, orange for the weighted bar beside it (blue and orange stay
apart for every common kind of colour blindness), and blue–grey–orange diverging shades
for agreement scales, whose lightness differs as well as hue. Every shade has at least
3:1 contrast with white (the page and the gaps between stacked segments), and the words
inside a segment are black or white, whichever contrasts more (at least 4.5:1).

Builders take plain numbers and labels, so they can be tested without a database;
:mod:`moothall.surveys.results` feeds them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

TEXT = "#0b0c0c"
WHITE = "#ffffff"
AXIS = "#505a5f"
BAR = "#1d70b8"
WEIGHTED_BAR = "#b35806"

# Diverging shades for agreement scales, first (e.g. "strongly agree") to last.
_B1, _B2, _B3 = "#0b3d6b", "#1d70b8", "#5694ca"
_O1, _O2, _O3 = "#7f3b08", "#b35806", "#d9792b"
_GREY = "#6f777b"
DIVERGING: dict[int, list[str]] = {
    1: [_B2],
    2: [_B2, _O2],
    3: [_B2, _GREY, _O2],
    4: [_B1, _B2, _O2, _O1],
    5: [_B1, _B2, _GREY, _O2, _O1],
    6: [_B1, _B2, _B3, _O3, _O2, _O1],
    7: [_B1, _B2, _B3, _GREY, _O3, _O2, _O1],
}
# Scales longer than seven points (say 0 to 10) cycle through these.
CYCLE = [_B1, _B3, _GREY, _O3, _O1, _B2, _O2]

WIDTH = 640
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"
FONT_SIZE = 14
LABEL_LIMIT = 90  # characters of a label drawn in the picture (the table has it whole)


@dataclass(frozen=True, slots=True)
class Table:
    """The figures of a chart, for people who cannot see it (and everyone else)."""

    caption: str
    columns: list[str]
    rows: list[list[str]]
    # Which columns hold numbers (right-aligned, as GOV.UK tables do).
    numeric: list[bool] = field(default_factory=list)

    def header_cells(self) -> list[tuple[str, bool]]:
        flags = self.numeric or [False] * len(self.columns)
        return list(zip(self.columns, flags, strict=True))

    def body(self) -> list[list[tuple[str, bool]]]:
        flags = self.numeric or [False] * len(self.columns)
        return [list(zip(row, flags, strict=True)) for row in self.rows]


@dataclass(frozen=True, slots=True)
class Chart:
    id: str
    title: str
    svg: SafeString
    table: Table
    # (colour, label) pairs the page shows under the picture (a stacked chart draws its own).
    legend: list[tuple[str, str]] = field(default_factory=list)


# --- Numbers in words ---------------------------------------------------------------------


def percent(share: float | None) -> str:
    """0.4567 → "46%"; shares under 1% but above 0 → "<1%"; None → "–"."""
    if share is None:
        return "–"
    if 0 < share < 0.005:
        return "<1%"
    return f"{share * 100:.0f}%"


def number(value: float | int | None, places: int = 1) -> str:
    if value is None:
        return "–"
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.{places}f}"


def _clip(label: str, limit: int = LABEL_LIMIT) -> str:
    label = " ".join(str(label).split())
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def text_on(colour: str) -> str:
    """Black or white, whichever reads better on ``colour``."""
    return WHITE if contrast(colour, WHITE) >= contrast(colour, TEXT) else TEXT


def luminance(colour: str) -> float:
    """WCAG relative luminance of a #rrggbb colour."""
    hexes = colour.lstrip("#")
    channels = [int(hexes[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a: str, b: str) -> float:
    la, lb = luminance(a), luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def scale_colours(n: int) -> list[str]:
    if n in DIVERGING:
        return DIVERGING[n]
    return [CYCLE[i % len(CYCLE)] for i in range(n)]


# --- SVG ------------------------------------------------------------------------------------


def _svg(chart_id: str, title: str, height: float, body: list[str]) -> SafeString:
    description = _("The table after this chart gives the same figures.")
    head = format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" class="mh-chart" width="100%" '
        'viewBox="0 0 {} {}" preserveAspectRatio="xMinYMin meet" role="img" '
        'aria-labelledby="{}-title {}-desc" focusable="false" font-family="{}" '
        'font-size="{}"><title id="{}-title">{}</title><desc id="{}-desc">{}</desc>',
        WIDTH,
        _n(height),
        chart_id,
        chart_id,
        FONT,
        FONT_SIZE,
        chart_id,
        title,
        chart_id,
        description,
    )
    return mark_safe(head + "".join(body) + "</svg>")  # every part is escaped above


def _n(value: float) -> str:
    """A coordinate with at most two decimals, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _text(
    x: float,
    y: float,
    words: str,
    *,
    anchor: str = "start",
    fill: str = TEXT,
    font_size: str = "",
    font_style: str = "",
) -> str:
    extra = f' font-size="{font_size}"' if font_size else ""
    extra += f' font-style="{font_style}"' if font_style else ""
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" text-anchor="{anchor}" fill="{fill}"{extra}>'
        f"{escape(words)}</text>"
    )


def _rect(x: float, y: float, w: float, h: float, fill: str) -> str:
    return (
        f'<rect x="{_n(x)}" y="{_n(y)}" width="{_n(max(w, 0.0))}" height="{_n(h)}" '
        f'fill="{fill}"></rect>'
    )


# --- Horizontal bars: choices, wards ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class BarRow:
    label: str
    count: int | None  # None: suppressed (a group under 10)
    share: float | None = None  # of the people who answered
    weighted_share: float | None = None


def bar_chart(
    chart_id: str,
    title: str,
    rows: Sequence[BarRow],
    *,
    caption: str = "",
    label_heading: str = "",
    weighted: bool = False,
    suppressed_text: str = "",
) -> Chart:
    """Horizontal bars, one per option: the label above its bar, the figures after it.

    Bar length is the share of the people who answered (or the count, when no shares are
    given). With ``weighted``, a thinner orange bar under each shows the share weighted to
    the population. Rows with ``count`` None are suppressed: no bar, just the words.
    """
    suppressed_text = suppressed_text or _("fewer than 10")
    use_share = any(r.share is not None for r in rows)
    biggest = max(
        [
            (r.share or 0.0) if use_share else float(r.count or 0)
            for r in rows
            if r.count is not None
        ]
        + [(r.weighted_share or 0.0) for r in rows if weighted],
        default=0.0,
    )
    room = WIDTH - 150  # the rest is for the figures after the bar
    row_height = 52 if weighted else 44
    body: list[str] = []
    y = 4.0
    for row in rows:
        body.append(_text(0, y + 14, _clip(row.label)))
        bar_y = y + 20
        if row.count is None:
            body.append(_text(0, bar_y + 13, suppressed_text, fill=AXIS, font_style="italic"))
        else:
            value = (row.share or 0.0) if use_share else float(row.count)
            length = room * value / biggest if biggest > 0 else 0.0
            body.append(_rect(0, bar_y, length, 18, BAR))
            figures = (
                f"{number(row.count)} ({percent(row.share)})" if use_share else number(row.count)
            )
            body.append(_text(length + 6, bar_y + 14, figures))
            if weighted:
                w_length = room * (row.weighted_share or 0.0) / biggest if biggest > 0 else 0.0
                body.append(_rect(0, bar_y + 20, w_length, 8, WEIGHTED_BAR))
                if row.weighted_share is not None:
                    body.append(
                        _text(
                            w_length + 6,
                            bar_y + 28,
                            _("weighted %(share)s") % {"share": percent(row.weighted_share)},
                            font_size="12",
                        )
                    )
        y += row_height
    height = max(y, 24.0)
    columns = [label_heading or _("Answer"), _("People")]
    numeric = [False, True]
    if use_share:
        columns.append(_("Share"))
        numeric.append(True)
    if weighted:
        columns.append(_("Share weighted to the population"))
        numeric.append(True)
    table_rows = []
    for row in rows:
        cells = [row.label, suppressed_text if row.count is None else number(row.count)]
        if use_share:
            cells.append("–" if row.count is None else percent(row.share))
        if weighted:
            cells.append(percent(row.weighted_share))
        table_rows.append(cells)
    legend = [(BAR, _("People who answered"))]
    if weighted:
        legend.append((WEIGHTED_BAR, _("Weighted to the population")))
    return Chart(
        id=chart_id,
        title=title,
        svg=_svg(chart_id, title, height, body),
        table=Table(caption or title, columns, table_rows, numeric),
        legend=legend if weighted else [],
    )


# --- Ranking --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RankRow:
    label: str
    points: int  # Borda points: first of n options scores n - 1, last 0, unranked 0
    mean_position: float | None  # among the people who ranked it
    ranked_by: int
    weighted_points: float | None = None  # mean points per person, weighted


def ranking_chart(
    chart_id: str, title: str, rows: Sequence[RankRow], *, weighted: bool = False
) -> Chart:
    """Bars of Borda points (most first), with the mean position in words."""
    biggest = max((r.points for r in rows), default=0)
    room = WIDTH - 250
    body: list[str] = []
    y = 4.0
    for row in rows:
        body.append(_text(0, y + 14, _clip(row.label)))
        length = room * row.points / biggest if biggest > 0 else 0.0
        body.append(_rect(0, y + 20, length, 18, BAR))
        words = _("%(points)s points, mean position %(position)s") % {
            "points": number(row.points),
            "position": number(row.mean_position),
        }
        body.append(_text(length + 6, y + 34, words))
        y += 44
    columns = [_("Option"), _("Points"), _("Mean position"), _("People who ranked it")]
    numeric = [False, True, True, True]
    if weighted:
        columns.append(_("Mean points weighted to the population"))
        numeric.append(True)
    table_rows = []
    for row in rows:
        cells = [
            row.label,
            number(row.points),
            number(row.mean_position),
            number(row.ranked_by),
        ]
        if weighted:
            cells.append(number(row.weighted_points, 2))
        table_rows.append(cells)
    return Chart(
        id=chart_id,
        title=title,
        svg=_svg(chart_id, title, max(y, 24.0), body),
        table=Table(title, columns, table_rows, numeric),
    )


# --- Agreement scales: stacked 100% bars ----------------------------------------------------


@dataclass(frozen=True, slots=True)
class StackRow:
    label: str
    counts: list[int]  # one per scale point, in scale order
    weighted_shares: list[float | None] | None = None


def stacked_chart(
    chart_id: str,
    title: str,
    scale: Sequence[str],
    rows: Sequence[StackRow],
    *,
    weighted: bool = False,
) -> Chart:
    """One 100% bar per matrix row, split by scale point; a legend names the shades."""
    colours = scale_colours(len(scale))
    gap = 2.0
    body: list[str] = []
    y = 4.0
    for row in rows:
        total = sum(row.counts)
        body.append(_text(0, y + 14, _clip(row.label)))
        bar_y = y + 20
        if total == 0:
            body.append(_rect(0, bar_y, WIDTH, 24, "#f3f2f1"))
            body.append(_text(8, bar_y + 17, _("No answers yet"), fill=AXIS))
        else:
            x = 0.0
            for count, colour in zip(row.counts, colours, strict=False):
                width = WIDTH * count / total
                if width <= 0:
                    continue
                body.append(_rect(x, bar_y, max(width - gap, 0.5), 24, colour))
                share = count / total
                if width >= 36:
                    body.append(
                        _text(
                            x + (width - gap) / 2,
                            bar_y + 17,
                            percent(share),
                            anchor="middle",
                            fill=text_on(colour),
                        )
                    )
                x += width
        y += 52
    # The legend, under the bars: a swatch and the scale label.
    legend_y = y + 4
    x = 0.0
    for label, colour in zip(scale, colours, strict=False):
        words = _clip(label, 30)
        step = 26 + 8 * len(words)
        if x + step > WIDTH and x > 0:
            x = 0.0
            legend_y += 24
        body.append(_rect(x, legend_y, 16, 16, colour))
        body.append(_text(x + 22, legend_y + 13, words))
        x += step
    height = legend_y + 24
    columns = [_("Statement")]
    numeric = [False]
    for label in scale:
        columns.append(label)
        numeric.append(True)
    columns.append(_("People"))
    numeric.append(True)
    table_rows = []
    for row in rows:
        total = sum(row.counts)
        cells = [row.label]
        for i, count in enumerate(row.counts):
            words = f"{number(count)} ({percent(count / total if total else None)})"
            if weighted and row.weighted_shares is not None:
                words += " · " + _("weighted %(share)s") % {
                    "share": percent(row.weighted_shares[i])
                }
            cells.append(words)
        cells.append(number(total))
        table_rows.append(cells)
    return Chart(
        id=chart_id,
        title=title,
        svg=_svg(chart_id, title, height, body),
        table=Table(title, columns, table_rows, numeric),
    )


# --- Numbers: a histogram -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bin:
    low: float
    high: float
    count: int
    last: bool = False  # the last bin includes its upper end

    def label(self) -> str:
        if self.low == self.high:
            return number(self.low, 2)
        if self.last:
            return _("%(low)s to %(high)s") % {
                "low": number(self.low, 2),
                "high": number(self.high, 2),
            }
        return _("%(low)s to under %(high)s") % {
            "low": number(self.low, 2),
            "high": number(self.high, 2),
        }


def _nice(step: float) -> float:
    """The smallest of 1, 2, 2.5, 5 × 10^k that is at least ``step``."""
    if step <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(step))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * power >= step - 1e-12:
            return factor * power
    return 10 * power


def _floor_to(value: float, width: float) -> float:
    """The largest multiple of ``width`` at or below ``value`` (even when ``value / width``
    underflows, as a tiny negative value's does, to -0.0)."""
    start = math.floor(value / width) * width
    return start - width if start > value else start


def bins_for(
    values: Sequence[float],
    *,
    low: float | None = None,
    high: float | None = None,
    target: int = 8,
    integers: bool = False,
) -> list[Bin]:
    """Equal-width bins with round edges covering ``low``..``high`` (the data's own range
    when not given). Values outside the range are counted in the end bins."""
    if not values and (low is None or high is None):
        return []
    lo = min(values) if low is None else low
    hi = max(values) if high is None else high
    if values:
        lo, hi = min(lo, min(values)), max(hi, max(values))
    if lo == hi:
        return [Bin(lo, hi, len(values), last=True)]
    width = _nice((hi - lo) / target)
    if integers:
        width = float(max(1, math.ceil(width)))
    start = _floor_to(lo, width)
    if integers:
        # Whole numbers: bins "10 to 14", "15 to 19": both ends included.
        count = int((hi - start) // width) + 1
    else:
        count = max(1, math.ceil((hi - start) / width))
        if start + count * width < hi:  # rounding
            count += 1
    # However the floating point falls, never more than twice the bins asked for.
    while count > 2 * target:
        width *= 2
        start = _floor_to(lo, width)
        count = int((hi - start) // width) + 1
    tallies = [0] * count
    for v in values:
        index = int((v - start) // width)
        tallies[min(max(index, 0), count - 1)] += 1
    out = []
    for i in range(count):
        low_edge = start + i * width
        if integers:
            out.append(Bin(low_edge, low_edge + width - 1, tallies[i], last=True))
        else:
            # The last bin includes its upper edge (the largest value).
            out.append(Bin(low_edge, low_edge + width, tallies[i], last=i == count - 1))
    return out


def histogram(chart_id: str, title: str, bins: Sequence[Bin]) -> Chart:
    """Vertical bars of how many answers fall in each range."""
    top = max((b.count for b in bins), default=0)
    plot_h = 180.0
    head = 22.0  # room for the count over the tallest bar
    base = head + plot_h  # the axis line
    left, bottom_room = 40.0, 40.0
    slot = (WIDTH - left) / max(len(bins), 1)
    body: list[str] = [
        f'<line x1="{_n(left)}" y1="{_n(base)}" x2="{WIDTH}" y2="{_n(base)}" '
        f'stroke="{AXIS}" stroke-width="1"></line>'
    ]
    for i, b in enumerate(bins):
        h = plot_h * b.count / top if top else 0.0
        x = left + i * slot
        body.append(_rect(x + 2, base - h, slot - 4, h, BAR))
        body.append(
            _text(x + slot / 2, base - h - 6, number(b.count), anchor="middle", font_size="12")
        )
        body.append(
            _text(x + slot / 2, base + 18, _clip(b.label(), 18), anchor="middle", font_size="12")
        )
    height = base + bottom_room
    table_rows = [[b.label(), number(b.count)] for b in bins]
    return Chart(
        id=chart_id,
        title=title,
        svg=_svg(chart_id, title, height, body),
        table=Table(title, [_("Range"), _("People")], table_rows, [False, True]),
    )
