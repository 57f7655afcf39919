"""The Django admin for platform staff (``is_staff``): users, roles, verifications.

Council staff never use the Django admin; their back-office is /<council>/staff/,
which only ever shows their own council. Roles are granted and revoked here
through the same verbs as the back-office (so each change is audited), and
verifications are read-only: they are made and withdrawn in the back-office,
where the officer gives a reason.
"""

from __future__ import annotations

from typing import Any

from allauth.account.decorators import secure_admin_login
from django import forms
from django.contrib import admin
from django.contrib.admin.options import InlineModelAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from moothall.accounts import domain
from moothall.accounts.models import ResidentVerification, Role, User
from moothall.accounts.rules import can_change_roles_of

# Signing in to the admin goes through allauth's sign-in (and so through TOTP):
# Django's own admin login form would accept a password alone and skip MFA.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(_("An account with this email address already exists."))
        return email


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"

    def clean_email(self) -> str:
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        others = User.objects.filter(email__iexact=email).exclude(pk=self.instance.pk)
        if others.exists():
            raise ValidationError(_("An account with this email address already exists."))
        return email


class RoleInline(admin.TabularInline):
    """A person's roles, shown on their page; change them in the Role admin."""

    model = Role
    fk_name = "user"
    extra = 0
    can_delete = False
    fields = ("council", "kind", "councillor", "granted_by", "granted_at")
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    """An email-only user: no username, first or last name; the password is optional."""

    form = UserEditForm
    add_form = UserCreationForm
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Personal details"), {"fields": ("name", "postcode")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "usable_password", "password1", "password2"),
            },
        ),
    )
    list_display = ("email", "name", "postcode", "is_active", "is_staff", "date_joined")
    list_filter = ("is_staff", "is_superuser", "is_active")
    search_fields = ("email", "name")
    ordering = ("email",)
    readonly_fields = ("last_login", "date_joined")

    def get_inlines(self, request: HttpRequest, obj: Any) -> list[type[InlineModelAdmin]]:
        # A new account has no roles yet; its roles are shown once it exists.
        return [RoleInline] if obj is not None else []

    # An erasure request that reached the platform (UK GDPR): the same verb as the
    # person's own "Delete your account" page, so the row stays as an anonymous tombstone.
    actions = ["erase_accounts"]

    @admin.action(description=_("Delete the selected accounts (keep contributions, anonymised)"))
    def erase_accounts(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        from moothall.accounts import privacy

        erased = 0
        for user in queryset.filter(erased_at__isnull=True):
            try:
                privacy.delete_account(user, actor=request.user)
            except privacy.AccountDeletionRefused:
                self.message_user(
                    request,
                    gettext("%(user)s is a platform administrator: remove that access first.")
                    % {"user": user.email},
                    level="error",
                )
            else:
                erased += 1
        self.message_user(request, gettext("%(count)d accounts deleted.") % {"count": erased})


class RoleAddForm(forms.ModelForm):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=domain.MAX_REASON_LENGTH,
        widget=forms.Textarea,
    )
    actor: Any = None  # set per request by RoleAdmin.get_form

    class Meta:
        model = Role
        fields = ("user", "council", "kind", "councillor")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        user, council = cleaned.get("user"), cleaned.get("council")
        kind = cleaned.get("kind")
        if user is None or council is None or kind is None:
            return cleaned
        if not can_change_roles_of(self.actor, user, council):
            raise ValidationError(_("You may not change this person's roles."))
        domain.check_role(user, council, kind, cleaned.get("councillor"))
        return cleaned


@admin.register(Role)
class RoleAdmin(admin.ModelAdmin):
    """Roles are granted and revoked through the audited verbs; never edited in place."""

    form = RoleAddForm
    list_display = ("user", "council", "kind", "councillor", "granted_by", "granted_at")
    list_filter = ("kind",)
    search_fields = ("user__email", "user__name", "council__name", "council__slug")
    list_select_related = ("user", "council", "councillor__person", "granted_by")
    autocomplete_fields = ("user",)
    raw_id_fields = ("council", "councillor")
    readonly_fields = ("granted_by", "granted_at")

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user  # type: ignore[attr-defined]
        return form

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Role, form: Any, change: bool) -> None:
        role, _created = domain.grant_role(
            request.user,
            obj.user,
            obj.council,
            obj.kind,
            councillor=obj.councillor,
            reason=form.cleaned_data.get("reason", ""),
        )
        obj.pk = role.pk
        obj.granted_by = role.granted_by
        obj.granted_at = role.granted_at

    def delete_model(self, request: HttpRequest, obj: Role) -> None:
        domain.revoke_role(request.user, obj, gettext("Revoked in the Django admin."))

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Role]) -> None:
        for role in queryset.select_related("user", "council"):
            domain.revoke_role(request.user, role, gettext("Revoked in the Django admin."))


@admin.register(ResidentVerification)
class ResidentVerificationAdmin(admin.ModelAdmin):
    """Read-only: officers verify and revoke in the council back-office, giving reasons."""

    list_display = ("user", "council", "method", "created_at", "verified_by", "revoked_at")
    list_filter = ("method", ("revoked_at", admin.EmptyFieldListFilter))
    search_fields = ("user__email", "user__name", "council__name", "council__slug")
    list_select_related = ("user", "council", "verified_by")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
