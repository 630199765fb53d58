"""Back-office for processes, ideas and moderation (read-mostly: decisions go through services)."""

from django.contrib import admin

# --- Processes, ideas and moderation -----------------------------------------------------------
# Moderation happens through the services (the API): hiding here would bypass the log, so the
# moderation fields are read-only, and the log itself can be read but never changed.
from engagement.ideas.models import (
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
