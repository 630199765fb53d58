"""Back-office views of budgeting data for the install's operators.

Running a round (phases, review, tally, publication) happens through the services, the
API and the staff pages, not here; ballots are read-only and, in secret rounds, carry no
link to their voters.
"""

from django.contrib import admin

from budgeting.models import BudgetRound, DistrictBudget, PhaseSchedule, Project, TallyResult


class DistrictBudgetInline(admin.TabularInline):
    model = DistrictBudget
    extra = 0


class PhaseScheduleInline(admin.TabularInline):
    model = PhaseSchedule
    extra = 0
    readonly_fields = ["done_at"]


@admin.register(BudgetRound)
class BudgetRoundAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "organisation", "phase", "ballot_format", "outcome_rule"]
    list_filter = ["phase", "ballot_format", "outcome_rule", "organisation"]
    search_fields = ["title", "slug"]
    readonly_fields = ["phase", "phase_changed_at", "created_at", "updated_at"]
    inlines = [DistrictBudgetInline, PhaseScheduleInline]
    list_select_related = ["organisation"]


@admin.register(Project)
class ProjectAdmin(admin.ModelAdmin):
    list_display = ["external_id", "title", "round", "district_budget", "cost", "status"]
    list_filter = ["status", "round"]
    search_fields = ["external_id", "title"]
    list_select_related = ["round", "district_budget"]


@admin.register(TallyResult)
class TallyResultAdmin(admin.ModelAdmin):
    list_display = ["district_budget", "rule", "tie_break", "ballot_count", "spent", "published_at"]
    list_filter = ["rule", "published_at"]
    readonly_fields = [f.name for f in TallyResult._meta.fields]
    list_select_related = ["district_budget"]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
