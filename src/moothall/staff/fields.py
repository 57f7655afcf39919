"""Form fields shared by the back-office forms, each with the same messages everywhere:
text and reasons, choices, dates and times (typed the British way, in the site's time zone).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from moothall.core.forms import text_field as text_field  # shared with the public forms
from moothall.core.validation import MAX_REASON_LENGTH

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d %m %Y", "%d-%m-%Y"]
TIME_FORMATS = ["%H:%M", "%H.%M", "%H:%M:%S"]


class DateField(forms.DateField):
    """A date in the years a council's business can fall in (so date sums never overflow)."""

    FIRST_YEAR, LAST_YEAR = 1900, 2199

    def validate(self, value: Any) -> None:
        super().validate(value)
        if value and not self.FIRST_YEAR <= value.year <= self.LAST_YEAR:
            raise forms.ValidationError(
                _("Enter a real date, for example 14/03/2030."), code="invalid"
            )


def local_moment(day: dt.date, time: dt.time) -> dt.datetime:
    """``day`` at ``time`` in the site's time zone (Europe/London)."""
    return timezone.make_aware(dt.datetime.combine(day, time))


# A moment typed as a date and an optional time, by the verb's field name: (the date field,
# the time field, the time taken when none is typed).
Moments = Mapping[str, tuple[str, str, dt.time]]


def moments_initial(obj: Any, moments: Moments) -> dict[str, str]:
    """The date and time fields' initial values for ``obj``'s moments that are set."""
    initial: dict[str, str] = {}
    for name, (day, time, _default) in moments.items():
        moment = getattr(obj, name)
        if moment is not None:
            local = timezone.localtime(moment)
            initial[day] = local.date().strftime("%d/%m/%Y")
            initial[time] = local.time().strftime("%H:%M")
    return initial


def require_dates(form: forms.Form, data: Mapping[str, Any], moments: Moments) -> None:
    """In ``form.clean``: a time typed without its date is an error on the date."""
    for _name, (day, time, _default) in moments.items():
        if (
            day in form.fields
            and data.get(time) is not None
            and data.get(day) is None
            and day not in form.errors
        ):
            form.add_error(day, _("Enter the date as well as the time."))


def moments_of(form: forms.Form, moments: Moments) -> dict[str, dt.datetime | None]:
    """The verb's moments from a cleaned ``form``'s date and time fields (those it has)."""
    data = form.cleaned_data
    return {
        name: None if data.get(day) is None else local_moment(data[day], data.get(time) or default)
        for name, (day, time, default) in moments.items()
        if day in form.fields
    }


def reason_field(
    label: StrOrPromise, *, required: bool = True, help_text: StrOrPromise = ""
) -> forms.CharField:
    """Why an officer did something, in a box of its own."""
    return text_field(
        label,
        MAX_REASON_LENGTH,
        required=required,
        required_message=_("Enter a reason."),
        textarea=True,
        help_text=help_text,
    )


def choice_field(
    label: StrOrPromise,
    choices: Any,
    message: StrOrPromise,
    *,
    radios: bool = True,
    required: bool = True,
    help_text: StrOrPromise = "",
    **kwargs: Any,
) -> forms.ChoiceField:
    """One of ``choices`` (radios, or a select with ``radios=False``); ``message`` says what
    to do when none or an unknown one is sent."""
    return forms.ChoiceField(
        label=label,
        choices=choices,
        required=required,
        help_text=help_text,
        widget=forms.RadioSelect if radios else forms.Select,
        error_messages={"required": message, "invalid_choice": message},
        **kwargs,
    )


def date_field(
    label: StrOrPromise, *, required: bool = True, help_text: StrOrPromise = ""
) -> DateField:
    return DateField(
        label=label,
        required=required,
        input_formats=DATE_FORMATS,
        help_text=help_text or _("For example, 14/03/2030."),
        error_messages={
            "required": _("Enter a date."),
            "invalid": _("Enter a real date, for example 14/03/2030."),
        },
    )


def time_field(label: StrOrPromise, *, required: bool = True) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=required,
        input_formats=TIME_FORMATS,
        help_text=_("Use the 24-hour clock, for example 18:30."),
        error_messages={
            "required": _("Enter a time."),
            "invalid": _("Enter a real time, for example 18:30."),
        },
    )
