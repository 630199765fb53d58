"""Back-office views of surveys for the install's operators.

Surveys are built and run through the services, the API and the staff pages; responses are
read-only here, and anonymous ones carry nothing that identifies their author.
"""

from django.contrib import admin

from surveys.models import Option, Question, Section, Survey


class SectionInline(admin.TabularInline):
    model = Section
    extra = 0


class OptionInline(admin.TabularInline):
    model = Option
    extra = 0


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ["title", "slug", "organisation", "purpose", "state", "opens_at", "closes_at"]
    list_filter = ["state", "purpose", "organisation"]
    search_fields = ["title", "slug"]
    readonly_fields = ["state", "created_at", "updated_at"]
    inlines = [SectionInline]
    list_select_related = ["organisation"]


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ["code", "text", "kind", "survey", "required"]
    list_filter = ["kind"]
    search_fields = ["code", "text"]
    inlines = [OptionInline]
    list_select_related = ["survey"]
