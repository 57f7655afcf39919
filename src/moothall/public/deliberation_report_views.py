"""A deliberation's report, in public: the opinion map, the groups and what sets them
apart, what most people agree on, participation over time, who took part; and the same as
CSV and JSON.

Who may see it is :func:`moothall.deliberation.rules.refusal` with ``Step.SEE_REPORT``
(anyone once the conversation is open, as in Polis; staff while it is a draft); anyone
else gets a 404, as for an unknown conversation. The report itself comes from
:func:`moothall.deliberation.report.report_for` (cached until the analysis changes).
"""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_safe

from moothall.core.text import render_markdown
from moothall.deliberation import map_svg
from moothall.deliberation.models import Conversation, Mode, Status
from moothall.deliberation.report import (
    PARTICIPANT_HEADER,
    Report,
    as_json,
    csv_header,
    csv_rows,
    participant_rows,
    report_for,
)
from moothall.deliberation.rules import Step, refusal
from moothall.public.exports import _csv_response


def _conversation(request: HttpRequest, council: str, slug: str) -> Conversation:
    """The conversation, if this person may see its report (else 404)."""
    found = get_object_or_404(
        Conversation.objects.select_related("council"), council__slug=council, slug=slug
    )
    if refusal(request.user, found, Step.SEE_REPORT) is not None:
        raise Http404
    return found


def _map_description(report: Report) -> str:
    parts = [
        ngettext(
            "Each mark is one of %(count)s participant; people close together voted alike.",
            "Each mark is one of %(count)s participants; people close together voted alike.",
            report.on_map,
        )
        % {"count": number_format(report.on_map, force_grouping=True)}
    ]
    if report.on_map > map_svg.MAX_POINTS:
        parts.append(_("With this many people, each mark stands for those near one another."))
    for group in report.groups:
        parts.append(
            _("Group %(letter)s, %(marks)s: %(size)s people.")
            % {
                "letter": group.label,
                "marks": group.marks,
                "size": number_format(group.size, force_grouping=True),
            }
        )
    if report.ungrouped:
        parts.append(
            _("%(marks)s: %(count)s people not in a group (too few votes so far).")
            % {
                "marks": str(map_svg.UNGROUPED_NAME).capitalize(),
                "count": number_format(report.ungrouped, force_grouping=True),
            }
        )
    return " ".join(parts)


def _period_heading(unit: str) -> str:
    return {"day": _("Day"), "week": _("Week beginning"), "month": _("Month")}[unit]


@require_safe
def conversation_report(request: HttpRequest, council: str, slug: str) -> HttpResponse:
    conversation = _conversation(request, council, slug)
    report = report_for(conversation)
    title = conversation.title
    opinion_map = None
    if report.points:
        opinion_map = map_svg.participant_map(
            report.points,
            report.map_groups,
            title=_("Opinion map of “%(title)s”") % {"title": title},
            description=_map_description(report),
        )
    votes_chart = participants_chart = None
    if report.periods:
        first, last = report.periods[0].start, report.periods[-1].start
        span = _("from %(first)s to %(last)s") % {
            "first": date_format(first, "j F Y"),
            "last": date_format(last, "j F Y"),
        }
        votes_chart = map_svg.votes_chart(
            report.periods,
            report.unit,
            title=_("Votes cast per %(unit)s") % {"unit": _period_word(report.unit)},
            description=_("A bar for each %(unit)s %(span)s; the table below gives the figures.")
            % {"unit": _period_word(report.unit), "span": span},
            axis_label=_("Votes"),
        )
        participants_chart = map_svg.participants_chart(
            report.periods,
            report.unit,
            title=_("People who had taken part, over time"),
            description=_(
                "A line rising from the first vote to %(count)s people %(span)s; the table "
                "below gives the figures."
            )
            % {
                "count": number_format(report.periods[-1].participants_so_far, force_grouping=True),
                "span": span,
            },
            axis_label=_("People"),
        )
    context = {
        "council": conversation.council,
        "conversation": conversation,
        "report": report,
        "description": render_markdown(conversation.description),
        "opinion_map": opinion_map,
        "votes_chart": votes_chart,
        "participants_chart": participants_chart,
        "period_heading": _period_heading(report.unit),
        "mode_label": Mode(report.freshness.mode).label if report.freshness else "",
        "group_rows": [(g, map_svg.marker_svg(g.index)) for g in report.groups],
        "source_url": _source_url(conversation),
        "ungrouped_marker": map_svg.marker_svg(None),
        "ungrouped_marks": map_svg.UNGROUPED_NAME,
        "consensus_sides": [
            ("agree", report.consensus_agree),
            ("disagree", report.consensus_disagree),
        ],
        "is_draft": conversation.status == Status.DRAFT,
    }
    return render(request, "public/deliberations/report.html", context)


def _source_url(conversation: Conversation) -> str:
    """The imported conversation's Polis address, if it is a web address (never a
    ``javascript:`` one from a crafted file)."""
    meta = conversation.imported_meta if isinstance(conversation.imported_meta, dict) else {}
    url = str(meta.get("url") or "").strip()
    return url if urlsplit(url).scheme in ("http", "https") and "://" in url else ""


def _period_word(unit: str) -> str:
    return {"day": _("day"), "week": _("week"), "month": _("month")}[unit]


def _file_name(conversation: Conversation, what: str, extension: str) -> str:
    day = timezone.localdate().isoformat()
    return f"{conversation.council.slug}-{conversation.slug}-{what}-{day}.{extension}"


@require_safe
def conversation_report_csv(request: HttpRequest, council: str, slug: str) -> StreamingHttpResponse:
    """Every shown statement: votes, agree share raw and weighted, votes per group,
    group-informed consensus, consensus and which groups it represents."""
    conversation = _conversation(request, council, slug)
    report = report_for(conversation)
    return _csv_response(
        _file_name(conversation, "report", "csv"), csv_header(report), csv_rows(report)
    )


@require_safe
def conversation_report_participants_csv(
    request: HttpRequest, council: str, slug: str
) -> StreamingHttpResponse:
    """The map as a table: one row per participant (a number only), place and group."""
    conversation = _conversation(request, council, slug)
    report = report_for(conversation)
    return _csv_response(
        _file_name(conversation, "participants", "csv"),
        PARTICIPANT_HEADER,
        participant_rows(report),
    )


@require_safe
def conversation_report_json(request: HttpRequest, council: str, slug: str) -> HttpResponse:
    """The analysis with the statements' text (see :func:`moothall.deliberation.report.as_json`)."""
    conversation = _conversation(request, council, slug)
    report = report_for(conversation)
    body = json.dumps(as_json(report, conversation), ensure_ascii=False, indent=1)
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = (
        f'inline; filename="{_file_name(conversation, "report", "json")}"'
    )
    return response
