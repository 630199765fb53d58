"""Back-office for operators of the install (superusers): organisations, people, roles."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from engagement.models import District, Membership, Organisation, Residence, ResidentProfile, User


class DistrictInline(admin.TabularInline):
    model = District
    extra = 0
    prepopulated_fields = {"slug": ("name",)}


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "organisation"
    extra = 0
    autocomplete_fields = ["user"]
    readonly_fields = ["granted_by", "created_at"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "country", "region", "currency", "is_capital"]
    list_filter = ["country", "is_capital", "currency"]
    search_fields = ["name", "slug", "region"]
    prepopulated_fields = {"slug": ("name",)}
    inlines = [DistrictInline, MembershipInline]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role", "created_at"]
    list_filter = ["role", "organisation"]
    search_fields = ["user__email", "organisation__name"]
    autocomplete_fields = ["user", "organisation"]
    readonly_fields = ["granted_by", "created_at"]
    list_select_related = ["user", "organisation"]

    def save_model(self, request, obj, form, change):  # type: ignore[no-untyped-def]
        if not change:
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)


class ResidentProfileInline(admin.StackedInline):
    model = ResidentProfile
    can_delete = False
    extra = 0


class ResidenceInline(admin.TabularInline):
    model = Residence
    fk_name = "user"
    extra = 0


class UserMembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    extra = 0
    readonly_fields = ["granted_by", "created_at"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "display_name", "is_active", "is_staff", "date_joined"]
    list_filter = ["is_active", "is_staff", "is_superuser"]
    search_fields = ["email", "display_name"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        (_("Profile"), {"fields": ("display_name", "language")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    inlines = [ResidentProfileInline, ResidenceInline, UserMembershipInline]


# --- Processes, ideas and moderation -----------------------------------------------------------
# Moderation happens through the services (the API): hiding here would bypass the log, so the
# moderation fields are read-only, and the log itself can be read but never changed.

from engagement.models import (  # noqa: E402
    Comment,
    Idea,
    IdeaImage,
    ModerationLog,
    ParticipatoryProcess,
    Report,
)


@admin.register(ParticipatoryProcess)
class ParticipatoryProcessAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "organisation", "kind", "phase", "budget_round"]
    list_filter = ["kind", "phase", "organisation"]
    search_fields = ["title", "slug"]
    autocomplete_fields = ["organisation"]
    raw_id_fields = ["budget_round"]
    list_select_related = ["organisation", "budget_round"]


class IdeaImageInline(admin.TabularInline):
    model = IdeaImage
    extra = 0
    fields = ["file", "alt_text", "width", "height", "position"]
    readonly_fields = ["file", "width", "height"]


@admin.register(Idea)
class IdeaAdmin(admin.ModelAdmin):
    list_display = ["title", "process", "status", "hidden", "submitted_at"]
    list_filter = ["status", "hidden", "process__organisation"]
    search_fields = ["title"]
    raw_id_fields = ["process", "author", "district", "merged_into", "project", "reviewed_by"]
    readonly_fields = ["hidden", "hidden_at", "moderation_note", "created_at", "updated_at"]
    list_select_related = ["process"]
    inlines = [IdeaImageInline]


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["pk", "idea", "author", "depth", "hidden", "deleted_at", "created_at"]
    list_filter = ["hidden"]
    raw_id_fields = ["idea", "author", "parent", "root"]
    readonly_fields = ["hidden", "hidden_at", "moderation_note", "created_at", "edited_at"]
    list_select_related = ["idea", "author"]


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ["pk", "organisation", "reason", "status", "idea", "comment", "created_at"]
    list_filter = ["status", "reason", "organisation"]
    raw_id_fields = ["reporter", "idea", "comment", "resolved_by"]
    readonly_fields = ["status", "resolved_at", "resolved_by", "created_at"]
    list_select_related = ["organisation"]


@admin.register(ModerationLog)
class ModerationLogAdmin(admin.ModelAdmin):
    list_display = ["created_at", "organisation", "actor", "action", "idea", "comment"]
    list_filter = ["action", "organisation"]
    list_select_related = ["organisation", "actor"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
