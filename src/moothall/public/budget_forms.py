"""Forms residents fill in on the public participatory budgeting pages: proposing a
project, and the ballot (approval, points or ranking).

They check the shape of what was sent; the verbs in :mod:`moothall.budgeting.domain`
decide (``check_choices`` for the ballot's rules) and their ``ValidationError`` comes back
into the form beside the field it is about.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from moothall.budgeting import domain
from moothall.budgeting.models import BallotKind, Budget, BudgetProcess, Project
from moothall.core.forms import text_field
from moothall.ideas.images import MAX_BYTES, clean_image

if TYPE_CHECKING:
    pass

ALT_HINT = _("For people who cannot see it, for example “The pond in Moot Park, with no seats”.")
# Picture slots on the propose form (the verb allows a few more, added later by staff).
PICTURE_SLOTS = 3
# The points box takes at most this many characters: anything longer is a mistake.
POINTS_LENGTH = 7


class _BudgetChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj} ({domain.money(obj.amount)})"


def picture_names(slot: int) -> tuple[str, str]:
    """The form field names of picture ``slot`` (1-based) and of its description."""
    return ("image", "alt_text") if slot == 1 else (f"image_{slot}", f"alt_text_{slot}")


class ProjectForm(forms.Form):
    """A resident's project: what, which budget, roughly what it costs, where, pictures."""

    title = text_field(
        _("Project title"),
        domain.TITLE_LIMIT,
        required_message=_("Enter a title for your project."),
        help_text=_("A few words, for example “Benches in Moot Park”."),
    )
    description = text_field(
        _("Describe the project"),
        domain.DESCRIPTION_LIMIT,
        required_message=_("Describe your project."),
        textarea=True,
        help_text=_(
            "What should be done, where, and who it would help. You can use Markdown: "
            "*emphasis*, **bold**, lists and links."
        ),
    )
    cost_estimate = forms.CharField(
        label=_("Roughly how much would it cost? (optional)"),
        required=False,
        max_length=30,
        help_text=_("In pounds, for example 25000. Council officers will cost it properly."),
        error_messages={
            "max_length": _("Enter an amount in pounds, like 25000."),
            "null_characters_not_allowed": _("Enter an amount in pounds, like 25000."),
        },
    )
    location = text_field(
        _("Where? (optional)"),
        200,
        required=False,
        help_text=_("A street, a park or a building, for example “Moot Park, by the pond”."),
    )
    latitude = forms.CharField(
        label=_("Latitude (optional)"),
        required=False,
        max_length=20,
        help_text=_("If it is about one spot: for example 51.50735."),
        error_messages={
            "max_length": _("Enter a number, like 51.5072."),
            "null_characters_not_allowed": _("Enter a number, like 51.5072."),
        },
    )
    longitude = forms.CharField(
        label=_("Longitude (optional)"),
        required=False,
        max_length=20,
        help_text=_("For example -0.12776."),
        error_messages={
            "max_length": _("Enter a number, like -0.12776."),
            "null_characters_not_allowed": _("Enter a number, like -0.12776."),
        },
    )

    def __init__(
        self, *args: Any, process: BudgetProcess, with_pictures: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.process = process
        budgets = process.budgets.select_related("ward")
        order = ["title", "description"]
        if budgets.count() > 1:
            self.fields["budget"] = _BudgetChoice(
                label=_("Which budget is it for?"),
                queryset=budgets,
                empty_label=_("Choose a budget"),
                help_text=_(
                    "A project in one ward goes in that ward’s budget; one for the whole "
                    "area goes in the council-wide budget."
                ),
                error_messages={
                    "required": _("Choose which budget this project is for."),
                    "invalid_choice": _("Choose one of this process’s budgets."),
                },
            )
            order.append("budget")
        order += ["cost_estimate", "location", "latitude", "longitude"]
        self.picture_slots: list[tuple[str, str]] = []
        if with_pictures:
            for slot in range(1, PICTURE_SLOTS + 1):
                image, alt = picture_names(slot)
                self.fields[image] = forms.FileField(
                    label=_("Picture %(number)d (optional)") % {"number": slot},
                    required=False,
                    help_text=_("A JPEG, PNG or WebP picture of up to %(limit)d MB.")
                    % {"limit": MAX_BYTES // (1024 * 1024)},
                    error_messages={
                        "invalid": _("The file must be a picture: a JPEG, PNG or WebP image."),
                        "empty": _("The file you chose is empty."),
                    },
                )
                self.fields[alt] = text_field(
                    _("Describe picture %(number)d") % {"number": slot},
                    250,
                    required=False,
                    help_text=ALT_HINT,
                )
                self.picture_slots.append((image, alt))
                order += [image, alt]
        self.order_fields(order)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for image_name, alt_name in self.picture_slots:
            upload: UploadedFile | None = data.get(image_name)
            if not upload:
                continue
            if upload.size is not None and upload.size > MAX_BYTES:
                self.add_error(
                    image_name,
                    _("The picture must be %(limit)d MB or smaller.")
                    % {"limit": MAX_BYTES // (1024 * 1024)},
                )
                continue
            # Checked here too (the verb checks again) so the message names the picture.
            try:
                clean_image(upload.read(), image_name)
            except ValidationError as error:
                for message in error.messages:
                    self.add_error(image_name, message)
            finally:
                upload.seek(0)
            if not (data.get(alt_name) or "").strip():
                self.add_error(alt_name, _("Describe the picture for people who cannot see it."))
        return data

    def images(self) -> list[domain.ImageUpload]:
        out = []
        for image_name, alt_name in self.picture_slots:
            upload = self.cleaned_data.get(image_name)
            if upload:
                upload.seek(0)
                out.append(domain.ImageUpload(upload.read(), self.cleaned_data.get(alt_name, "")))
        return out


# --- The ballot ------------------------------------------------------------------------------


class BallotForm(forms.Form):
    """One budget's ballot, its fields made from the projects on it.

    - approval: ``choices``, the ids of the projects ticked;
    - cumulative: ``points_<id>``, a whole number per project;
    - ranking: ``rank_<id>``, "" (not ranked) or 1..n per project.

    :meth:`choices` gives what :func:`domain.check_choices` and :func:`domain.cast_ballot`
    take. The ballot's own rules (budget, how many, points to share) are the domain's."""

    def __init__(
        self,
        data: Any = None,
        *,
        process: BudgetProcess,
        budget: Budget,
        projects: Sequence[Project],
        current: Any = None,
    ) -> None:
        super().__init__(data, auto_id="%s")
        self.process, self.budget, self.projects = process, budget, list(projects)
        self.kind = process.ballot_kind
        ids = [str(p.pk) for p in self.projects]
        if self.kind == BallotKind.CUMULATIVE:
            most = process.max_points_per_project or process.points
            for project in self.projects:
                message = _(
                    "Enter a whole number of points from 0 to %(most)d for “%(title)s”."
                ) % {
                    "most": most,
                    "title": project.title,
                }
                self.fields[f"points_{project.pk}"] = forms.IntegerField(
                    label=project.title,
                    required=False,
                    min_value=0,
                    max_value=most,
                    initial=(current or {}).get(project.pk),
                    error_messages={
                        "invalid": message,
                        "min_value": message,
                        "max_value": message,
                    },
                )
        elif self.kind == BallotKind.RANKING:
            ranks = [("", str(_("Not ranked")))] + [
                (str(n), str(n)) for n in range(1, len(self.projects) + 1)
            ]
            for project in self.projects:
                self.fields[f"rank_{project.pk}"] = forms.TypedChoiceField(
                    label=project.title,
                    choices=ranks,
                    coerce=int,
                    empty_value=None,
                    required=False,
                    initial=(current or {}).get(project.pk),
                    error_messages={
                        "invalid_choice": _("Choose a rank for “%(title)s” from the list.")
                        % {"title": project.title},
                    },
                )
        else:
            self.fields["choices"] = forms.TypedMultipleChoiceField(
                label=_("Projects"),
                choices=[(pk, pk) for pk in ids],
                coerce=int,
                required=False,
                initial=[str(pk) for pk in (current or [])],
                widget=forms.CheckboxSelectMultiple,
                error_messages={
                    "invalid_choice": _("One of the projects you chose is not on this ballot."),
                    "invalid_list": _("Choose projects from the ballot."),
                },
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.kind == BallotKind.RANKING:
            seen: dict[int, list[Project]] = {}
            for project in self.projects:
                rank = data.get(f"rank_{project.pk}")
                if rank is not None:
                    seen.setdefault(rank, []).append(project)
            for rank, same in sorted(seen.items()):
                if len(same) > 1:
                    for project in same:
                        self.add_error(
                            f"rank_{project.pk}",
                            _(
                                "You gave rank %(rank)d to more than one project: give each "
                                "project a different rank."
                            )
                            % {"rank": rank},
                        )
        return data

    def choices(self) -> Any:
        """The choices in the shape the domain takes (call after ``is_valid()``)."""
        data = self.cleaned_data
        if self.kind == BallotKind.CUMULATIVE:
            return {
                p.pk: data[f"points_{p.pk}"]
                for p in self.projects
                if data.get(f"points_{p.pk}") is not None and data[f"points_{p.pk}"] > 0
            }
        if self.kind == BallotKind.RANKING:
            ranked = [
                (data[f"rank_{p.pk}"], p.pk)
                for p in self.projects
                if data.get(f"rank_{p.pk}") is not None
            ]
            return [pk for _rank, pk in sorted(ranked)]
        return list(data.get("choices") or [])

    def value_of(self, project: Project) -> Any:
        """What the form shows for ``project``: ticked, its points or its rank."""
        if self.kind == BallotKind.CUMULATIVE:
            value = self[f"points_{project.pk}"].value()
            return "" if value is None else value
        if self.kind == BallotKind.RANKING:
            value = self[f"rank_{project.pk}"].value()
            return "" if value is None else str(value)
        values = self["choices"].value() or []
        return str(project.pk) in {str(v) for v in values}
