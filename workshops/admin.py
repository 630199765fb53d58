"""Workshops in the Django admin: for operators looking into a problem. Staff use the staff
pages (which go through the services); counts and states are read-only here."""

from __future__ import annotations

from django.contrib import admin

from workshops.models import AgendaItem, Registration, Workshop, WorkshopPhoto


class AgendaInline(admin.TabularInline):
    model = AgendaItem
    extra = 0


class PhotoInline(admin.TabularInline):
    model = WorkshopPhoto
    extra = 0
    fields = ("file", "alt_text", "position")


@admin.register(Workshop)
class WorkshopAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "organisation",
        "format",
        "status",
        "starts_at",
        "capacity",
        "registered",
    )
    list_filter = ("status", "format", "organisation")
    search_fields = ("title", "venue", "address")
    date_hierarchy = "starts_at"
    raw_id_fields = ("process", "budget_round", "district", "copied_from", "created_by")
    filter_horizontal = ("facilitators",)
    # Kept by the registering transaction only: editing it here would break the count.
    readonly_fields = ("registered", "join_code", "cancelled_at", "outcome_published_at")
    inlines = [AgendaInline, PhotoInline]


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ("workshop", "user", "status", "registered_at", "attended")
    list_filter = ("status", "attended")
    raw_id_fields = ("workshop", "user")
    readonly_fields = (
        "status",
        "registered_at",
        "promoted_at",
        "cancelled_at",
        "reminded_day_at",
        "reminded_hour_at",
        "answers_deleted_at",
    )
