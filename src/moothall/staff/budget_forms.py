"""Forms of the participatory budgeting back-office. They check the shape of what was
sent; the verbs in :mod:`moothall.budgeting.domain` decide and write, and their
``ValidationError`` (keyed by field) comes back into the form beside the field it is about.

Sums of money and counts are taken as typed (text) and checked by the verbs, so the
messages about them are the same here, in the API and in the importers. Every choice of
an object (a ward, a budget, a project to merge into) is limited to the council and
process in hand, so a crafted id from elsewhere is simply an invalid choice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import F, QuerySet
from django.utils.translation import gettext_lazy as _

from moothall.accounts.residents import Eligibility
from moothall.budgeting import domain
from moothall.budgeting.models import (
    BallotKind,
    Budget,
    BudgetProcess,
    Phase,
    Project,
    Rule,
)
from moothall.core.forms import add_verb_errors
from moothall.councils.models import Council, Ward
from moothall.ideas.images import MAX_BYTES
from moothall.staff.fields import (
    choice_field,
    date_field,
    moments_initial,
    moments_of,
    reason_field,
    require_dates,
    text_field,
    time_field,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

ALT_HINT = _("For people who cannot see it, for example “The new benches by the pond”.")
# How many pictures one form takes at a time (a project holds at most six).
PICTURE_SLOTS = 3
NUMBER_LIMIT = 20  # characters of a typed number or amount

RULE_HELP = {
    Rule.GREEDY: _(
        "Projects are funded in order of votes, most first. A project that no longer fits in "
        "the money left is skipped and the next one is tried."
    ),
    Rule.GREEDY_NO_SKIP: _(
        "Projects are funded in order of votes, most first, until one does not fit in the "
        "money left: counting stops there, even if a cheaper project would still fit."
    ),
    Rule.EQUAL_SHARES: _(
        "Each voter gets an equal share of the budget, and a project is funded when its "
        "supporters can pay for it together from their shares. Fairer to smaller groups of "
        "voters. Some money may be left unspent. Needs approval or points ballots."
    ),
    Rule.EQUAL_SHARES_ADD1: _(
        "The Method of Equal Shares, with every voter's share raised by £1 at a time while the "
        "outcome still fits in the real budget; money still left goes to the projects with "
        "most votes that fit. Needs approval or points ballots."
    ),
    Rule.EQUAL_SHARES_ADD1_COMPARISON: _(
        "As the line above, then compared with the most-votes-first outcome: whichever of "
        "the two more voters prefer is used (as Wieliczka did in 2023). Needs approval or "
        "points ballots."
    ),
}

BALLOT_HELP = {
    BallotKind.APPROVAL: _("Voters tick the projects they support."),
    BallotKind.CUMULATIVE: _("Voters share out a number of points between projects."),
    BallotKind.RANKING: _("Voters put projects in order, favourite first."),
}

# Words on the confirm step of each move between phases.
PHASE_WARNINGS = {
    Phase.DRAFT: _("The process will be hidden from the public again."),
    Phase.IDEAS: _("The process will be public, and residents can propose projects."),
    Phase.REVIEW: _("Residents can no longer propose projects. Officers check and cost them."),
    Phase.VOTING: _(
        "Residents can vote. After this the ballot, the budgets and the rules cannot change, "
        "and no more projects can be reviewed."
    ),
    Phase.RESULTS: _(
        "Voting closes and the results are computed and published. This cannot be undone."
    ),
    Phase.DELIVERY: _("The funded projects' delivery is shown to the public."),
    Phase.CLOSED: _("The process is finished. No more delivery updates can be posted."),
}

PHASE_QUESTIONS = {
    Phase.DRAFT: _("Take the process back to being prepared?"),
    Phase.IDEAS: _("Open the process for ideas?"),
    Phase.REVIEW: _("Start checking and costing projects?"),
    Phase.VOTING: _("Open voting?"),
    Phase.RESULTS: _("Close voting and publish the results?"),
    Phase.DELIVERY: _("Start reporting delivery?"),
    Phase.CLOSED: _("Finish the process?"),
}


def apply_errors(
    form: forms.BaseForm, error: ValidationError, aliases: Mapping[str, str] | None = None
) -> None:
    """A verb's refusal into ``form``, with the verb's field names mapped to the form's."""
    if aliases and hasattr(error, "error_dict"):
        error = ValidationError(
            {aliases.get(name, name): errors for name, errors in error.error_dict.items()}
        )
    add_verb_errors(form, error)


def _number(label: StrOrPromise, *, help_text: StrOrPromise = "") -> forms.CharField:
    """A number or a sum of money as typed; the verb checks it."""
    return forms.CharField(
        label=label,
        required=False,
        max_length=NUMBER_LIMIT,
        help_text=help_text,
        error_messages={"max_length": _("Enter a number, like 25000.")},
    )


_LEVELS = [(str(level.value), level.label) for level in Eligibility if level != Eligibility.NONE]


def _level(label: StrOrPromise) -> forms.ChoiceField:
    return choice_field(label, _LEVELS, _("Choose who may take part."))


def _picture_fields(form: forms.Form) -> None:
    for n in range(1, PICTURE_SLOTS + 1):
        form.fields[f"image_{n}"] = forms.FileField(
            label=_("Picture %(number)d (optional)") % {"number": n},
            required=False,
            help_text=_("A JPEG, PNG or WebP picture of up to %(limit)d MB.")
            % {"limit": MAX_BYTES // (1024 * 1024)},
            error_messages={
                "invalid": _("The file must be a picture: a JPEG, PNG or WebP image."),
                "empty": _("The file you chose is empty."),
            },
        )
        form.fields[f"alt_text_{n}"] = text_field(
            _("Describe picture %(number)d") % {"number": n},
            250,
            required=False,
            help_text=ALT_HINT,
        )


class _Pictures:
    """Up to :data:`PICTURE_SLOTS` pictures, each with the words that describe it."""

    def clean_pictures(self: Any, data: dict[str, Any]) -> None:
        for n in range(1, PICTURE_SLOTS + 1):
            image: UploadedFile | None = data.get(f"image_{n}")
            if image and image.size is not None and image.size > MAX_BYTES:
                self.add_error(
                    f"image_{n}",
                    _("The picture must be %(limit)d MB or smaller.")
                    % {"limit": MAX_BYTES // (1024 * 1024)},
                )
            elif image and not (data.get(f"alt_text_{n}") or "").strip():
                self.add_error(
                    f"alt_text_{n}", _("Describe the picture for people who cannot see it.")
                )

    def picture_slots(self: Any) -> list[tuple[Any, Any]]:
        return [(self[f"image_{n}"], self[f"alt_text_{n}"]) for n in range(1, PICTURE_SLOTS + 1)]

    def images(self: Any) -> list[domain.ImageUpload]:
        uploads = []
        for n in range(1, PICTURE_SLOTS + 1):
            image = self.cleaned_data.get(f"image_{n}")
            if image:
                uploads.append(
                    domain.ImageUpload(image.read(), self.cleaned_data.get(f"alt_text_{n}") or "")
                )
        return uploads


# The verb's field names for pictures, mapped to the first slot's.
PICTURE_ALIASES = {"image": "image_1", "alt_text": "alt_text_1"}


# --- Processes ---------------------------------------------------------------------------

WORDS = ("title", "summary", "description")
MOMENTS = {
    "ideas_close_at": ("ideas_close_date", "ideas_close_time", dt.time(23, 59)),
    "voting_opens_at": ("voting_opens_date", "voting_opens_time", dt.time(0, 0)),
    "voting_closes_at": ("voting_closes_date", "voting_closes_time", dt.time(23, 59)),
}
PROCESS_ALIASES = {name: parts[0] for name, parts in MOMENTS.items()}


class ProcessForm(forms.Form):
    """A process's words, and (before voting starts) who takes part, the ballot, the rule
    and the dates."""

    title = text_field(_("Title"), 150, required_message=_("Enter a title."))
    summary = text_field(
        _("Summary (optional)"),
        300,
        required=False,
        help_text=_("One or two sentences, shown in lists."),
    )
    description = text_field(
        _("Description (optional)"),
        domain.DESCRIPTION_LIMIT,
        required=False,
        textarea=True,
        help_text=_("What the money is for and how the process runs. You can use Markdown."),
    )
    propose_level = _level(_("Who may propose a project"))
    vote_level = _level(_("Who may vote"))
    ballot_kind = choice_field(
        _("Kind of ballot"), BallotKind.choices, _("Choose a kind of ballot.")
    )
    min_projects = _number(_("Fewest projects on a ballot"), help_text=_("For example, 1."))
    max_projects = _number(
        _("Most projects on a ballot (optional)"), help_text=_("Empty: no limit.")
    )
    knapsack = forms.BooleanField(
        label=_("Approval ballots: the chosen projects must fit in the budget"),
        required=False,
        help_text=_("Voters cannot choose projects that cost more than the budget together."),
    )
    points = _number(
        _("Points ballots: points each voter shares out"), help_text=_("For example, 10.")
    )
    max_points_per_project = _number(
        _("Points ballots: most points on one project (optional)"),
        help_text=_("Empty: no limit."),
    )
    rule = choice_field(
        _("How the winners are chosen"), Rule.choices, _("Choose how the winners are chosen.")
    )
    vote_in_council_wide_too = forms.BooleanField(
        label=_("Residents also vote on the council-wide budget"),
        required=False,
        help_text=_(
            "When there are ward budgets: residents vote in their ward's budget and this one."
        ),
    )
    pre_moderation = forms.BooleanField(
        label=_("Check proposals before they are published"),
        required=False,
        help_text=_(
            "A moderator approves each proposed project before anyone else sees it. You can "
            "also change this in the council's moderation settings."
        ),
    )
    ideas_close_date = date_field(_("Ideas close on (optional)"), required=False)
    ideas_close_time = time_field(_("Ideas close at (optional)"), required=False)
    voting_opens_date = date_field(_("Voting opens on (optional)"), required=False)
    voting_opens_time = time_field(_("Voting opens at (optional)"), required=False)
    voting_closes_date = date_field(_("Voting closes on (optional)"), required=False)
    voting_closes_time = time_field(_("Voting closes at (optional)"), required=False)
    keep_voters_days = _number(
        _("Days to keep who voted"),
        help_text=_(
            "After the results are published, ballots are kept but unlinked from the people "
            "who cast them after this many days. For example, 365."
        ),
    )

    def __init__(self, *args: Any, words_only: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.words_only = words_only
        if words_only:
            for name in list(self.fields):
                if name not in WORDS:
                    del self.fields[name]

    @staticmethod
    def initial_for(process: BudgetProcess) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(process, name) for name in WORDS}
        initial |= {
            "propose_level": str(process.propose_level),
            "vote_level": str(process.vote_level),
            "ballot_kind": process.ballot_kind,
            "knapsack": process.knapsack,
            "min_projects": str(process.min_projects),
            "max_projects": "" if process.max_projects is None else str(process.max_projects),
            "points": str(process.points),
            "max_points_per_project": ""
            if process.max_points_per_project is None
            else str(process.max_points_per_project),
            "rule": process.rule,
            "vote_in_council_wide_too": process.vote_in_council_wide_too,
            "pre_moderation": process.pre_moderation,
            "keep_voters_days": str(process.keep_voters_days),
        }
        initial |= moments_initial(process, MOMENTS)
        return initial

    @staticmethod
    def new_initial() -> dict[str, Any]:
        fresh = BudgetProcess()
        initial = ProcessForm.initial_for(fresh)
        return initial

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.words_only:
            return data
        require_dates(self, data, MOMENTS)
        return data

    def changes(self) -> dict[str, Any]:
        data = self.cleaned_data
        out: dict[str, Any] = {name: data[name] for name in WORDS}
        if self.words_only:
            return out
        for name in (
            "propose_level",
            "vote_level",
            "ballot_kind",
            "knapsack",
            "min_projects",
            "max_projects",
            "points",
            "max_points_per_project",
            "rule",
            "vote_in_council_wide_too",
            "pre_moderation",
            "keep_voters_days",
        ):
            out[name] = data[name]
        out |= moments_of(self, MOMENTS)
        return out

    def rule_options(self) -> list[tuple[Any, Any]]:
        """Each rule radio with its plain-English explanation."""
        return [(choice, RULE_HELP[Rule(choice.data["value"])]) for choice in self["rule"]]

    def ballot_options(self) -> list[tuple[Any, Any]]:
        return [
            (choice, BALLOT_HELP[BallotKind(choice.data["value"])])
            for choice in self["ballot_kind"]
        ]


# --- Budgets ---------------------------------------------------------------------------------


COUNCIL_WIDE = "council"


class BudgetForm(forms.Form):
    """Set a budget: the council-wide one or a ward's (a ward that has one gets it changed)."""

    ward = forms.ChoiceField(
        label=_("Budget for"),
        error_messages={
            "required": _("Choose the whole council or a ward."),
            "invalid_choice": _("Choose the whole council or one of its wards."),
        },
    )
    amount = _number(_("Amount in pounds"), help_text=_("Whole pounds, for example 25000."))
    name = text_field(
        _("Name (optional)"),
        150,
        required=False,
        help_text=_("Leave empty to use the ward's name, or “Council-wide”."),
    )

    def __init__(self, *args: Any, council: Council, fixed: Budget | None = None, **kw: Any):
        super().__init__(*args, **kw)
        self.wards = {str(w.pk): w for w in Ward.objects.filter(council=council).order_by("name")}
        field = self.fields["ward"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(COUNCIL_WIDE, _("The whole council (council-wide)"))] + [
            (pk, ward.name) for pk, ward in self.wards.items()
        ]
        self.fixed = fixed
        if fixed is not None:
            del self.fields["ward"]

    def chosen_ward(self) -> Ward | None:
        if self.fixed is not None:
            return self.fixed.ward
        value = self.cleaned_data["ward"]
        return None if value == COUNCIL_WIDE else self.wards[value]


class ConfirmForm(forms.Form):
    """A button that confirms (a CSRF-protected POST with nothing else in it)."""


# --- Phases ---------------------------------------------------------------------------------


class PhaseForm(forms.Form):
    to = choice_field(_("Move the process to"), [], _("Choose where to move the process."))
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, process: BudgetProcess, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["to"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(phase, Phase(phase).label) for phase in domain.next_phases(process)]


# --- Projects ---------------------------------------------------------------------------------


class _BudgetChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} ({domain.money(obj.amount)})"


def budgets_of(process: BudgetProcess) -> QuerySet[Budget]:
    """The process's budgets, council-wide first, then wards by name (on every database)."""
    return (
        Budget.objects.filter(process=process)
        .select_related("ward")
        .order_by(F("ward__name").asc(nulls_first=True), "id")
    )


def _budget_field(process: BudgetProcess) -> _BudgetChoice:
    message = _("Choose one of this process’s budgets.")
    return _BudgetChoice(
        label=_("Budget"),
        queryset=budgets_of(process),
        empty_label=None,
        error_messages={"required": message, "invalid_choice": message},
    )


class ProjectForm(forms.Form):
    """A project's words, place and budget (staff correcting a project before voting)."""

    title = text_field(_("Title"), domain.TITLE_LIMIT, required_message=_("Enter a title."))
    description = text_field(
        _("Description"),
        domain.DESCRIPTION_LIMIT,
        required_message=_("Enter a description."),
        textarea=True,
        help_text=_("You can use Markdown."),
    )
    location = text_field(_("Where (optional)"), 200, required=False)
    latitude = _number(_("Latitude (optional)"), help_text=_("For example 51.50735."))
    longitude = _number(_("Longitude (optional)"), help_text=_("For example -0.12776."))

    def __init__(self, *args: Any, process: BudgetProcess, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["budget"] = _budget_field(process)
        self.order_fields(["title", "description", "budget", "location"])

    @staticmethod
    def initial_for(project: Project) -> dict[str, Any]:
        return {
            "title": project.title,
            "description": project.description,
            "location": project.location,
            "latitude": "" if project.latitude is None else str(project.latitude),
            "longitude": "" if project.longitude is None else str(project.longitude),
            "budget": project.budget_id,
        }

    def changes(self) -> dict[str, Any]:
        names = ("title", "description", "location", "latitude", "longitude", "budget")
        return {name: self.cleaned_data[name] for name in names}


class AddProjectForm(_Pictures, ProjectForm):
    """A costed project added straight onto the ballot, with pictures."""

    cost = _number(_("Cost in pounds"), help_text=_("Whole pounds, for example 12000."))

    def __init__(self, *args: Any, process: BudgetProcess, **kwargs: Any) -> None:
        super().__init__(*args, process=process, **kwargs)
        _picture_fields(self)
        self.order_fields(["title", "description", "budget", "cost", "location"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.clean_pictures(data)
        return data


class ReviewForm(forms.Form):
    decision = choice_field(
        _("Decision"),
        [
            ("accept", _("Accept it onto the ballot, with its cost")),
            ("reject", _("Reject it as not feasible, with a published reason")),
        ],
        _("Choose to accept or reject the project."),
    )
    cost = _number(
        _("Cost in pounds (when accepting)"), help_text=_("Whole pounds, for example 12000.")
    )
    reason = reason_field(
        _("Costing note or reason (published)"),
        required=False,
        help_text=_(
            "When accepting: an optional note on the costing. When rejecting: why it is not "
            "feasible, for example “The council does not own this land”."
        ),
    )


class MergeForm(forms.Form):
    reason = reason_field(
        _("Reason, published on the merged project"),
        required=True,
        help_text=_("For example: “The same benches were proposed twice”."),
    )

    def __init__(self, *args: Any, project: Project, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        message = _("Choose a project in the same budget to merge into.")
        self.fields["into"] = forms.ModelChoiceField(
            label=_("Merge into"),
            queryset=merge_targets(project),
            empty_label=_("Choose a project"),
            error_messages={"required": message, "invalid_choice": message},
        )
        self.order_fields(["into", "reason"])


def merge_targets(project: Project) -> QuerySet[Project]:
    return (
        Project.objects.filter(budget_id=project.budget_id, process_id=project.process_id)
        .shown()
        .exclude(pk=project.pk)
        .filter(status__in=[Project.Status.PROPOSED, Project.Status.ACCEPTED])
        .order_by("title", "pk")
    )


class ProjectFilterForm(forms.Form):
    budget = forms.ChoiceField(label=_("Budget"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), *Project.Status.choices],
    )

    def __init__(self, *args: Any, process: BudgetProcess, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["budget"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Every budget"))] + [
            (str(b.pk), str(b)) for b in budgets_of(process)
        ]


# --- Paper ballots ---------------------------------------------------------------------------


class PaperBallotForm(forms.Form):
    """A paper ballot as the voter marked it, in the shape of the process's ballot."""

    reference = text_field(
        _("Reference number on the paper"),
        64,
        required_message=_("Enter the reference number on the paper."),
        help_text=_("So the same paper is never entered twice."),
    )

    def __init__(
        self, *args: Any, process: BudgetProcess, projects: list[Project], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.kind = process.ballot_kind
        self.projects = projects
        label = {p.pk: f"{p.title} ({domain.money(p.cost)})" for p in projects}
        if self.kind == BallotKind.APPROVAL:
            self.fields["choices"] = forms.MultipleChoiceField(
                label=_("Projects marked on the paper"),
                required=False,
                choices=[(str(p.pk), label[p.pk]) for p in projects],
                widget=forms.CheckboxSelectMultiple,
                error_messages={"invalid_choice": _("Choose projects from the ballot.")},
            )
        elif self.kind == BallotKind.CUMULATIVE:
            for p in projects:
                self.fields[f"points_{p.pk}"] = forms.CharField(
                    label=label[p.pk],
                    required=False,
                    max_length=NUMBER_LIMIT,
                    error_messages={"max_length": _("Points must be whole numbers.")},
                )
        else:
            positions = [("", _("Not ranked"))] + [
                (str(n), str(n)) for n in range(1, len(projects) + 1)
            ]
            for p in projects:
                self.fields[f"rank_{p.pk}"] = forms.ChoiceField(
                    label=label[p.pk],
                    required=False,
                    choices=positions,
                    error_messages={"invalid_choice": _("Choose a position from the list.")},
                )

    def project_fields(self) -> list[tuple[Project, Any]]:
        prefix = "points_" if self.kind == BallotKind.CUMULATIVE else "rank_"
        return [(p, self[f"{prefix}{p.pk}"]) for p in self.projects]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.kind == BallotKind.RANKING:
            taken = [data.get(f"rank_{p.pk}") for p in self.projects]
            taken = [t for t in taken if t]
            if len(set(taken)) != len(taken):
                raise forms.ValidationError(_("Give each position to one project only."))
        return data

    def choices(self) -> Any:
        data = self.cleaned_data
        if self.kind == BallotKind.APPROVAL:
            return [int(pk) for pk in data.get("choices", [])]
        if self.kind == BallotKind.CUMULATIVE:
            return {p.pk: (data.get(f"points_{p.pk}") or "0").strip() or "0" for p in self.projects}
        ranked = sorted(
            (int(data[f"rank_{p.pk}"]), p.pk) for p in self.projects if data.get(f"rank_{p.pk}")
        )
        return [pk for _position, pk in ranked]


class VoidForm(forms.Form):
    reason = reason_field(
        _("Why it is removed"),
        required=True,
        help_text=_("Recorded in the audit log, for example “Entered against the wrong ward”."),
    )


# --- Delivery ---------------------------------------------------------------------------------


class DeliveryForm(_Pictures, forms.Form):
    status = choice_field(
        _("Delivery status"), Project.Delivery.choices, _("Choose the delivery status.")
    )
    progress = _number(_("Progress, in per cent"), help_text=_("From 0 to 100."))
    body = text_field(
        _("What happened (optional)"),
        domain.UPDATE_LIMIT,
        required=False,
        textarea=True,
        help_text=_(
            "Published on the project's page and sent to its followers. You can use Markdown."
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _picture_fields(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        self.clean_pictures(data)
        return data
