"""The report's pictures, drawn on the server as SVG: the participant map and participation
over time.

Every picture is an ``<svg role="img">`` with a ``<title>`` and a ``<desc>``, and the page
shows the same facts as a table beside it (the report templates do). Nothing here relies on
colour alone: each opinion group has its own marker shape as well as its own colour, and
its letter is written at its centre. Colours have at least 3:1 contrast against white
(WCAG 1.4.11). No ``style`` attribute is written, only presentation attributes, so the
strict Content-Security-Policy holds.

The functions take plain numbers and already-translated words, never models, so they are
easy to test: the output parses as XML.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.formats import date_format, number_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

# The map: more participants than this are drawn as one mark per little area and group,
# sized by how many it stands for (a page with 10,000 marks is too heavy for a phone).
MAX_POINTS = 2000
GRID_COLUMNS = 64
MAP_WIDTH, MAP_HEIGHT, MAP_PAD = 640, 420, 28
MARK_RADIUS = 4.0
UNGROUPED_COLOUR = "#505a5f"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif"


@dataclass(frozen=True, slots=True)
class GroupStyle:
    colour: str
    shape: str  # circle, square, triangle, diamond, triangle_down
    name: object  # lazy text, say "blue circles"


# Colours from the GOV.UK palette, each at least 4.5:1 against white.
STYLES = (
    GroupStyle("#1d70b8", "circle", gettext_lazy("blue circles")),
    GroupStyle("#d4351c", "square", gettext_lazy("red squares")),
    GroupStyle("#00703c", "triangle", gettext_lazy("green triangles")),
    GroupStyle("#4c2c92", "diamond", gettext_lazy("purple diamonds")),
    GroupStyle("#6f4e00", "triangle_down", gettext_lazy("brown upside-down triangles")),
)
UNGROUPED_NAME = gettext_lazy("grey rings")


def group_style(index: int) -> GroupStyle:
    return STYLES[index % len(STYLES)]


def group_label(index: int) -> str:
    """Polis names groups by letter: 0 → A, 1 → B, … 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _n(value: float) -> str:
    """A coordinate, short: two decimals at most, no trailing zeros."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _shape(shape: str, radius: float) -> str:
    """The shape's outline centred on 0,0 (the attributes after the element name)."""
    r = radius
    if shape == "circle":
        return f'circle r="{_n(r)}"'
    if shape == "square":
        side = 1.8 * r
        return (
            f'rect x="{_n(-side / 2)}" y="{_n(-side / 2)}" width="{_n(side)}" height="{_n(side)}"'
        )
    if shape in ("triangle", "triangle_down"):
        up = -1 if shape == "triangle" else 1  # where the point is
        top, base, half = _n(1.25 * r * up), _n(-0.85 * r * up), _n(1.15 * r)
        return f'path d="M0,{top}L{half},{base}L-{half},{base}Z"'
    if shape == "diamond":
        d = 1.3 * r
        return f'path d="M0,{_n(-d)}L{_n(d)},0L0,{_n(d)}L{_n(-d)},0Z"'
    raise ValueError(shape)


def marker_svg(index: int | None, *, size: int = 14) -> SafeString:
    """A small picture of a group's marker, for legends and table rows (hidden from screen
    readers: the words beside it say the same)."""
    half = size / 2
    if index is None:
        body = (
            f'<circle cx="{_n(half)}" cy="{_n(half)}" r="{_n(half * 0.55)}" fill="none" '
            f'stroke="{UNGROUPED_COLOUR}" stroke-width="1.5"/>'
        )
    else:
        style = group_style(index)
        body = (
            f'<g transform="translate({_n(half)} {_n(half)})"><{_shape(style.shape, half * 0.6)} '
            f'fill="{style.colour}"/></g>'
        )
    return mark_safe(
        f'<svg class="mh-marker" width="{size}" height="{size}" viewBox="0 0 {size} {size}" '
        f'aria-hidden="true" focusable="false">{body}</svg>'
    )


@dataclass(frozen=True, slots=True)
class MapPoint:
    x: float
    y: float
    group: int | None


@dataclass(frozen=True, slots=True)
class MapGroup:
    index: int
    size: int
    centroid: tuple[float, float]


class _Scale:
    """Maps analysis coordinates into the picture, one scale for both axes (so distances
    mean the same across and up), y pointing up."""

    def __init__(self, points: Sequence[MapPoint]) -> None:
        xs = [p.x for p in points] or [0.0]
        ys = [p.y for p in points] or [0.0]
        self.x0, self.x1 = min(xs), max(xs)
        self.y0, self.y1 = min(ys), max(ys)
        span_x = max(self.x1 - self.x0, 1e-9)
        span_y = max(self.y1 - self.y0, 1e-9)
        inner_w, inner_h = MAP_WIDTH - 2 * MAP_PAD, MAP_HEIGHT - 2 * MAP_PAD
        self.k = min(inner_w / span_x, inner_h / span_y)
        if self.x1 - self.x0 < 1e-9 and self.y1 - self.y0 < 1e-9:
            self.k = 1.0
        # Centre the cloud.
        self.ox = MAP_PAD + (inner_w - (self.x1 - self.x0) * self.k) / 2
        self.oy = MAP_PAD + (inner_h - (self.y1 - self.y0) * self.k) / 2

    def __call__(self, x: float, y: float) -> tuple[float, float]:
        return (self.ox + (x - self.x0) * self.k, self.oy + (self.y1 - y) * self.k)


def participant_map(
    points: Sequence[MapPoint],
    groups: Sequence[MapGroup],
    *,
    title: str,
    description: str,
    id_prefix: str = "opinion-map",
) -> SafeString:
    """The opinion map: one mark per participant (or per little area when there are more
    than ``MAX_POINTS``), each group in its colour and shape, its letter at its centre."""
    finite = [p for p in points if math.isfinite(p.x) and math.isfinite(p.y)]
    scale = _Scale(finite)
    used = sorted({p.group for p in finite if p.group is not None} | {g.index for g in groups})
    out = [
        f'<svg class="mh-chart mh-opinion-map" role="img" aria-labelledby="{id_prefix}-title '
        f'{id_prefix}-desc" viewBox="0 0 {MAP_WIDTH} {MAP_HEIGHT}" width="100%" '
        f'preserveAspectRatio="xMidYMid meet" font-family="{FONT}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{id_prefix}-title">{escape(title)}</title>',
        f'<desc id="{id_prefix}-desc">{escape(description)}</desc>',
        "<defs>",
        f'<circle id="{id_prefix}-mu" r="{_n(MARK_RADIUS * 0.8)}" fill="none" '
        f'stroke="{UNGROUPED_COLOUR}" stroke-width="1.2"/>',
    ]
    for index in used:
        style = group_style(index)
        out.append(
            f'<{_shape(style.shape, MARK_RADIUS)} id="{id_prefix}-m{index}" fill="{style.colour}" '
            f'fill-opacity="0.85"/>'
        )
    out.append("</defs>")
    out.append(
        f'<rect x="0.5" y="0.5" width="{MAP_WIDTH - 1}" height="{MAP_HEIGHT - 1}" fill="#ffffff" '
        f'stroke="#b1b4b6"/>'
    )
    out.append('<g class="mh-map-points">')
    if len(finite) <= MAX_POINTS:
        # Ungrouped first, so the groups are drawn on top.
        for point in sorted(finite, key=lambda p: (p.group is not None, p.group or 0)):
            px, py = scale(point.x, point.y)
            mark = "mu" if point.group is None else f"m{point.group}"
            out.append(f'<use href="#{id_prefix}-{mark}" x="{_n(px)}" y="{_n(py)}"/>')
    else:
        cell = (MAP_WIDTH - 2 * MAP_PAD) / GRID_COLUMNS
        cells: dict[tuple[int | None, int, int], list[tuple[float, float]]] = defaultdict(list)
        for point in finite:
            px, py = scale(point.x, point.y)
            cells[(point.group, int(px // cell), int(py // cell))].append((px, py))
        most = max(len(v) for v in cells.values())
        for (group, _cx, _cy), members in sorted(
            cells.items(), key=lambda item: (item[0][0] is not None, item[0][0] or 0, item[0][1:])
        ):
            mx = sum(m[0] for m in members) / len(members)
            my = sum(m[1] for m in members) / len(members)
            factor = 0.7 + 1.8 * math.sqrt(len(members) / most)
            mark = "mu" if group is None else f"m{group}"
            out.append(
                f'<use href="#{id_prefix}-{mark}" transform="translate({_n(mx)} {_n(my)}) '
                f'scale({_n(factor)})"/>'
            )
    out.append("</g>")
    # Each group's letter at its centre, on a white halo so it reads over the marks.
    for shown in groups:
        cx, cy = shown.centroid
        if not (math.isfinite(cx) and math.isfinite(cy)):
            continue
        px, py = scale(cx, cy)
        px = min(max(px, MAP_PAD), MAP_WIDTH - MAP_PAD)
        py = min(max(py, MAP_PAD), MAP_HEIGHT - MAP_PAD)
        label = escape(_("Group %(letter)s") % {"letter": group_label(shown.index)})
        out.append(
            f'<text x="{_n(px)}" y="{_n(py)}" text-anchor="middle" dominant-baseline="middle" '
            f'font-size="18" font-weight="700" fill="#0b0c0c" stroke="#ffffff" '
            f'stroke-width="5" stroke-linejoin="round" paint-order="stroke">{label}</text>'
        )
    out.append("</svg>")
    return mark_safe("".join(out))


# --- Participation over time -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Period:
    """One day (or week, or month) of a conversation."""

    start: dt.date
    votes: int
    new_participants: int
    participants_so_far: int


CHART_WIDTH, CHART_HEIGHT = 640, 260
CHART_LEFT, CHART_RIGHT, CHART_TOP, CHART_BOTTOM = 56, 16, 16, 44
BAR_COLOUR = "#1d70b8"
LINE_COLOUR = "#d4351c"


def _nice_step(top: float, ticks: int = 4) -> float:
    if top <= 0:
        return 1
    raw = top / ticks
    magnitude = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        step = factor * magnitude
        if step >= raw:
            return max(step, 1)
    return max(10 * magnitude, 1)


def _period_label(start: dt.date, unit: str) -> str:
    if unit == "month":
        return date_format(start, "M Y")
    return date_format(start, "j M")


def _axes(top_value: float, *, label: str) -> tuple[list[str], float, float]:
    """The y axis with gridlines; returns the markup, the top of the axis, and its step."""
    step = _nice_step(top_value)
    top = step * max(1, math.ceil(top_value / step))
    inner_h = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    out = []
    value = 0.0
    while value <= top + 1e-9:
        y = CHART_TOP + inner_h - inner_h * value / top
        out.append(
            f'<line x1="{CHART_LEFT}" x2="{CHART_WIDTH - CHART_RIGHT}" y1="{_n(y)}" y2="{_n(y)}" '
            f'stroke="#b1b4b6" stroke-width="{1 if value == 0 else 0.5}"/>'
        )
        tick = escape(number_format(int(value), force_grouping=True))
        out.append(
            f'<text x="{CHART_LEFT - 6}" y="{_n(y)}" text-anchor="end" dominant-baseline="middle" '
            f'font-size="12" fill="#0b0c0c">{tick}</text>'
        )
        value += step
    out.append(
        f'<text x="12" y="{_n(CHART_TOP + inner_h / 2)}" text-anchor="middle" font-size="12" '
        f'fill="#0b0c0c" transform="rotate(-90 12 {_n(CHART_TOP + inner_h / 2)})">'
        f"{escape(label)}</text>"
    )
    return out, top, step


def _x_labels(periods: Sequence[Period], unit: str, slot: float) -> list[str]:
    """A few dates under the x axis: the first, the last, and evenly between (never crowded)."""
    if not periods:
        return []
    most = max(1, int((CHART_WIDTH - CHART_LEFT - CHART_RIGHT) // 70))
    every = max(1, math.ceil(len(periods) / most))
    chosen = list(range(0, len(periods), every))
    last = len(periods) - 1
    if chosen[-1] != last:
        # The last date always shows; it replaces a label too close to it.
        if last - chosen[-1] < every / 2 and len(chosen) > 1:
            chosen[-1] = last
        else:
            chosen.append(last)
    out = []
    y = CHART_HEIGHT - CHART_BOTTOM + 16
    for index in chosen:
        x = CHART_LEFT + slot * (index + 0.5)
        out.append(
            f'<text x="{_n(x)}" y="{y}" text-anchor="middle" font-size="12" fill="#0b0c0c">'
            f"{escape(_period_label(periods[index].start, unit))}</text>"
        )
    return out


def _frame(id_prefix: str, title: str, description: str) -> list[str]:
    return [
        f'<svg class="mh-chart" role="img" aria-labelledby="{id_prefix}-title {id_prefix}-desc" '
        f'viewBox="0 0 {CHART_WIDTH} {CHART_HEIGHT}" width="100%" font-family="{FONT}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{id_prefix}-title">{escape(title)}</title>',
        f'<desc id="{id_prefix}-desc">{escape(description)}</desc>',
    ]


def votes_chart(
    periods: Sequence[Period],
    unit: str,
    *,
    title: str,
    description: str,
    axis_label: str,
    id_prefix: str = "votes-chart",
) -> SafeString:
    """Votes cast in each period, as bars."""
    out = _frame(id_prefix, title, description)
    top_value = max((p.votes for p in periods), default=0)
    axes, top, _step = _axes(max(top_value, 1), label=axis_label)
    out += axes
    inner_w = CHART_WIDTH - CHART_LEFT - CHART_RIGHT
    inner_h = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    slot = inner_w / max(len(periods), 1)
    bar = max(min(slot * 0.8, 40), 0.6)
    for index, period in enumerate(periods):
        if not period.votes:
            continue
        height = inner_h * period.votes / top
        x = CHART_LEFT + slot * index + (slot - bar) / 2
        out.append(
            f'<rect x="{_n(x)}" y="{_n(CHART_TOP + inner_h - height)}" width="{_n(bar)}" '
            f'height="{_n(height)}" fill="{BAR_COLOUR}"/>'
        )
    out += _x_labels(periods, unit, slot)
    out.append("</svg>")
    return mark_safe("".join(out))


def participants_chart(
    periods: Sequence[Period],
    unit: str,
    *,
    title: str,
    description: str,
    axis_label: str,
    id_prefix: str = "participants-chart",
) -> SafeString:
    """Participants so far at the end of each period, as a line with a mark per period."""
    out = _frame(id_prefix, title, description)
    top_value = max((p.participants_so_far for p in periods), default=0)
    axes, top, _step = _axes(max(top_value, 1), label=axis_label)
    out += axes
    inner_w = CHART_WIDTH - CHART_LEFT - CHART_RIGHT
    inner_h = CHART_HEIGHT - CHART_TOP - CHART_BOTTOM
    slot = inner_w / max(len(periods), 1)
    coords = [
        (
            CHART_LEFT + slot * (index + 0.5),
            CHART_TOP + inner_h - inner_h * period.participants_so_far / top,
        )
        for index, period in enumerate(periods)
    ]
    if coords:
        path = "M" + "L".join(f"{_n(x)},{_n(y)}" for x, y in coords)
        out.append(f'<path d="{path}" fill="none" stroke="{LINE_COLOUR}" stroke-width="2"/>')
        if len(coords) <= 120:
            for x, y in coords:
                out.append(
                    f'<rect x="{_n(x - 2.5)}" y="{_n(y - 2.5)}" width="5" height="5" '
                    f'fill="{LINE_COLOUR}"/>'
                )
    out += _x_labels(periods, unit, slot)
    out.append("</svg>")
    return mark_safe("".join(out))
