"""Staff pages that build surveys: an organisation's surveys, a new survey, its settings, the
structure editor (sections, questions, options, conditions — forms and buttons, no
JavaScript needed), a preview as residents see it, and publishing.

Thin views: the forms read the page, ``surveys.services.building`` decides and writes, and
refusals go back on the form or into the page's error summary.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from engagement.people import permissions as people_permissions
from engagement.people.models import Organisation
from frontend.service_errors import add_service_errors
from frontend.staff_access import require_role, signed_in, staff_crumbs, staff_page
from frontend.surveys.staff.forms import (
    ConditionForm,
    OptionForm,
    QuestionAddForm,
    QuestionForm,
    SectionForm,
    SurveyCreateForm,
    SurveySettingsForm,
)
from surveys import definitions, permissions, questions
from surveys.models import Option, Question, QuestionKind, Section, Survey, SurveyState
from surveys.services import building

STATE_BADGE = {
    SurveyState.DRAFT: "",
    SurveyState.SCHEDULED: "badge--warn",
    SurveyState.OPEN: "badge--ok",
    SurveyState.CLOSED: "",
}


def find_survey(slug: str) -> tuple[Survey, Organisation]:
    survey = get_object_or_404(Survey.objects.select_related("organisation"), slug=slug)
    return survey, survey.organisation


def survey_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """A build page of one survey: sign-in, then administrators of its organisation."""
    return staff_page(permissions.can_build, find_survey)(view)


def _errors_of(exc: ValidationError) -> list[str]:
    return list(exc.messages)


def survey_context(
    request: HttpRequest, survey: Survey, current: str, page_title: str, **extra: Any
) -> dict[str, Any]:
    organisation = survey.organisation
    count = building.response_count(survey)
    state = permissions.current_state(survey)
    crumbs = staff_crumbs(
        organisation,
        (_("Surveys"), reverse("frontend:staff_surveys", args=[organisation.slug])),
        (survey.title, reverse("frontend:staff_survey_build", args=[survey.slug])),
    )
    if current != "staff_survey_build":
        crumbs.append({"label": page_title, "url": ""})
    nav = [
        (_("Structure"), "staff_survey_build"),
        (_("Settings"), "staff_survey_settings"),
        (_("Preview"), "staff_survey_preview"),
        *([(_("Invitations"), "staff_survey_invitations")] if survey.invitation_required else []),
        (_("Results"), "staff_survey_results"),
        (_("Files"), "staff_survey_exports"),
        (_("Public page"), "survey"),
    ]
    return {
        "organisation": organisation,
        "survey": survey,
        "page_title": page_title,
        "crumbs": crumbs,
        "current": current,
        "survey_links": [
            {"label": label, "url": reverse(f"frontend:{name}", args=[survey.slug]), "name": name}
            for label, name in nav
        ],
        "state": state,
        "state_label": SurveyState(state).label,
        "state_badge": STATE_BADGE.get(state, ""),
        "response_count": count,
        "locked": count > 0,
        "lock_message": building.lock_message(count) if count else "",
        **extra,
    }


# --- the organisation's surveys ------------------------------------------------------------


@staff_page(people_permissions.is_staff_of)
def staff_surveys(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    """Every survey of the organisation, drafts included; administrators build them."""
    surveys = list(
        Survey.objects.filter(organisation=organisation)
        .annotate(answers=Count("responses"))
        .order_by("-created_at")
    )
    rows = [
        {
            "survey": survey,
            "state": SurveyState(permissions.current_state(survey)).label,
            "badge": STATE_BADGE.get(permissions.current_state(survey), ""),
            "url": reverse("frontend:staff_survey_build", args=[survey.slug]),
        }
        for survey in surveys
    ]
    return render(
        request,
        "surveys/staff/build_list.html",
        {
            "organisation": organisation,
            "rows": rows,
            "can_build": permissions.can_build(request.user, organisation),
            "crumbs": staff_crumbs(organisation, (_("Surveys"), None)),
        },
    )


@staff_page(permissions.can_build)
def staff_survey_create(request: HttpRequest, organisation: Organisation) -> HttpResponse:
    """A new draft: blank, or started from a built-in template."""
    templates = definitions.template_choices()
    status = 200
    if request.method == "POST":
        form = SurveyCreateForm(request.POST, templates=templates, organisation=organisation)
        if form.is_valid():
            try:
                survey = building.survey_create(
                    actor=request.user,
                    organisation=organisation,
                    title=form.cleaned_data["title"],
                    slug=form.cleaned_data["slug"] or None,
                    template=form.cleaned_data["start"],
                    budget_round_id=form.cleaned_data["budget_round_id"],
                )
            except ValidationError as exc:
                add_service_errors(
                    form, exc, {"template": "start", "budget_round": "budget_round_id"}
                )
            else:
                messages.success(
                    request,
                    _("The survey “%(title)s” was created as a draft.") % {"title": survey.title},
                )
                return redirect("frontend:staff_survey_build", survey.slug)
        status = 400
    else:
        # Links from a round's staff page: ?round=<slug>&template=<key>.
        rounds = {
            slug: pk
            for pk, slug in Survey._meta.get_field("budget_round")
            .related_model.objects.filter(organisation=organisation)  # type: ignore[union-attr]
            .values_list("pk", "slug")
        }
        template = request.GET.get("template", "")
        form = SurveyCreateForm(
            templates=templates,
            organisation=organisation,
            initial={
                "start": template if template in dict(templates) else "",
                "budget_round_id": rounds.get(request.GET.get("round", "")),
            },
        )
    return render(
        request,
        "surveys/staff/build_new.html",
        {
            "organisation": organisation,
            "form": form,
            "crumbs": staff_crumbs(
                organisation,
                (_("Surveys"), reverse("frontend:staff_surveys", args=[organisation.slug])),
                (_("New survey"), None),
            ),
        },
        status=status,
    )


def staff_survey_new(request: HttpRequest) -> HttpResponse:
    """A new survey for a round (``?round=<slug>&template=<key>``, linked from the round's
    staff page): the organisation's new-survey page with both chosen."""
    redirect_response = signed_in(request)
    if redirect_response is not None:
        return redirect_response
    model = Survey._meta.get_field("budget_round").related_model
    budget_round = get_object_or_404(
        model.objects.select_related("organisation"),  # type: ignore[union-attr]
        slug=request.GET.get("round", ""),
    )
    require_role(request, budget_round.organisation, permissions.can_build)
    query = urlencode({"round": budget_round.slug, "template": request.GET.get("template", "")})
    url = reverse("frontend:staff_survey_create", args=[budget_round.organisation.slug])
    return redirect(f"{url}?{query}")


@staff_page(people_permissions.is_staff_of, find_survey)
def staff_survey(request: HttpRequest, survey: Survey) -> HttpResponse:
    """A survey's staff page: its builders edit it; other staff go to its results."""
    if permissions.can_build(request.user, survey.organisation):
        return redirect("frontend:staff_survey_build", survey.slug)
    return redirect("frontend:staff_survey_results", survey.slug)


# --- settings ------------------------------------------------------------------------------


@survey_page
def staff_survey_settings(request: HttpRequest, survey: Survey) -> HttpResponse:
    status = 200
    if request.method == "POST":
        form = SurveySettingsForm(request.POST, survey=survey)
        if form.is_valid():
            try:
                building.survey_update(actor=request.user, survey=survey, **form.settings_data())
            except ValidationError as exc:
                add_service_errors(
                    form, exc, {"budget_round": "budget_round_id", "process": "process_id"}
                )
            else:
                messages.success(request, _("The survey's settings were saved."))
                return redirect("frontend:staff_survey_settings", survey.slug)
        status = 400
        survey.refresh_from_db()
    else:
        form = SurveySettingsForm(survey=survey)
    return render(
        request,
        "surveys/staff/build_settings.html",
        survey_context(request, survey, "staff_survey_settings", _("Settings"), form=form),
        status=status,
    )


# --- the structure -------------------------------------------------------------------------

STATE_ACTIONS = {
    "publish": building.survey_publish,
    "close": building.survey_close,
    "reopen": building.survey_reopen,
    "draft": building.survey_to_draft,
}
STATE_DONE = {
    "publish": _("The survey was published."),
    "close": _("The survey was closed."),
    "reopen": _("The survey was reopened."),
    "draft": _("The survey is a draft again."),
}


def _state_actions(survey: Survey, state: str, count: int) -> list[dict[str, str]]:
    """The state changes open now, as buttons."""
    actions = []
    if state == SurveyState.DRAFT:
        actions.append({"action": "publish", "label": _("Publish")})
    if state == SurveyState.OPEN:
        actions.append({"action": "close", "label": _("Close now")})
    if state == SurveyState.CLOSED:
        actions.append({"action": "reopen", "label": _("Reopen")})
    if state != SurveyState.DRAFT and not count:
        actions.append({"action": "draft", "label": _("Back to draft")})
    return actions


def _structure(survey: Survey) -> list[dict[str, Any]]:
    sections = list(survey.sections.order_by("position", "id"))
    by_section: dict[int, list[Question]] = {s.pk: [] for s in sections}
    for question in (
        Question.objects.filter(survey=survey)
        .prefetch_related("options")
        .order_by("section__position", "position", "id")
    ):
        by_section[question.section_id].append(question)
    return [{"section": s, "questions": by_section[s.pk]} for s in sections]


def _find(model: Any, pk: str | None, **lookup: Any) -> Any:
    """The item with this id among ``lookup`` (the survey's own), or None."""
    if not pk or not pk.isdigit():
        return None
    return model.objects.filter(pk=int(pk), **lookup).first()


@survey_page
def staff_survey_build(request: HttpRequest, survey: Survey) -> HttpResponse:
    """The structure editor: sections with their questions, each with buttons to move and
    remove; a form to add a question to each section and one to add a section."""
    organisation = survey.organisation
    section_forms: dict[int, SectionForm] = {}
    add_forms: dict[int, QuestionAddForm] = {}
    new_section_form = SectionForm(organisation=organisation)
    errors: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action", "")
        response = _build_action(request, survey, action, section_forms, add_forms, errors)
        if response is not None:
            return response
        if action == "section_add":
            new_section_form = SectionForm(request.POST, organisation=organisation)
            if new_section_form.is_valid():
                try:
                    building.section_add(
                        actor=request.user,
                        survey=survey,
                        title=new_section_form.cleaned_data["title"],
                        description=new_section_form.cleaned_data["description"],
                        translations=new_section_form.translations(),
                    )
                except ValidationError as exc:
                    add_service_errors(new_section_form, exc)
                else:
                    messages.success(request, _("The section was added."))
                    return redirect("frontend:staff_survey_build", survey.slug)
    structure = _structure(survey)
    for entry in structure:
        section = entry["section"]
        entry["form"] = section_forms.get(section.pk) or SectionForm(
            organisation=organisation, section=section
        )
        entry["add_form"] = add_forms.get(section.pk) or QuestionAddForm(section=section)
        entry["rows"] = [
            {
                "question": q,
                "kind": QuestionKind(q.kind).label,
                "condition": _condition_text(q),
                "options": q.options.all(),
            }
            for q in entry["questions"]
        ]
    status = 400 if request.method == "POST" else 200
    context = survey_context(request, survey, "staff_survey_build", survey.title)
    return render(
        request,
        "surveys/staff/build_structure.html",
        {
            **context,
            "structure": structure,
            "new_section_form": new_section_form,
            "page_errors": errors,
            "state_actions": _state_actions(survey, context["state"], context["response_count"]),
            "all_forms": [
                *(e["form"] for e in structure),
                *(e["add_form"] for e in structure),
                new_section_form,
            ],
        },
        status=status,
    )


def _condition_text(question: Question) -> str:
    condition = question.condition or {}
    if not condition:
        return ""
    code = condition.get("question", "")
    if "options" in condition:
        return _("Shown when %(code)s is %(options)s") % {
            "code": code,
            "options": ", ".join(condition["options"]),
        }
    low, high = condition.get("min"), condition.get("max")
    if low is not None and high is not None:
        return _("Shown when %(code)s is from %(low)s to %(high)s") % {
            "code": code,
            "low": low,
            "high": high,
        }
    if low is not None:
        return _("Shown when %(code)s is at least %(low)s") % {"code": code, "low": low}
    return _("Shown when %(code)s is at most %(high)s") % {"code": code, "high": high}


def _build_action(
    request: HttpRequest,
    survey: Survey,
    action: str,
    section_forms: dict[int, SectionForm],
    add_forms: dict[int, QuestionAddForm],
    errors: list[str],
) -> HttpResponse | None:
    """Carry out one button of the structure editor: a redirect when done, ``None`` with the
    refusal in a form or ``errors``."""
    actor = request.user
    done = redirect("frontend:staff_survey_build", survey.slug)
    section = _find(Section, request.POST.get("section_id"), survey=survey)
    question = _find(Question, request.POST.get("question_id"), survey=survey)
    try:
        if action in STATE_ACTIONS:
            STATE_ACTIONS[action](actor=actor, survey=survey)
            messages.success(request, STATE_DONE[action])
            return done
        if action == "duplicate":
            copy = building.survey_duplicate(actor=actor, survey=survey)
            messages.success(request, _("This is the copy, a new draft."))
            return redirect("frontend:staff_survey_build", copy.slug)
        if action in ("section_up", "section_down") and section is not None:
            building.section_move(actor=actor, section=section, direction=action.split("_")[1])
            return done
        if action == "section_delete" and section is not None:
            building.section_delete(actor=actor, section=section)
            messages.success(request, _("The section was removed."))
            return done
        if action in ("question_up", "question_down") and question is not None:
            building.question_move(actor=actor, question=question, direction=action.split("_")[1])
            return done
        if action == "question_delete" and question is not None:
            building.question_delete(actor=actor, question=question)
            messages.success(request, _("The question was removed."))
            return done
    except ValidationError as exc:
        errors.extend(_errors_of(exc))
        return None
    if action == "section_save" and section is not None:
        form = SectionForm(request.POST, organisation=survey.organisation, section=section)
        section_forms[section.pk] = form
        if form.is_valid():
            try:
                building.section_update(
                    actor=actor,
                    section=section,
                    title=form.cleaned_data["title"],
                    description=form.cleaned_data["description"],
                    translations=form.translations(),
                )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                messages.success(request, _("The section was saved."))
                return done
        return None
    if action == "question_add" and section is not None:
        form = QuestionAddForm(request.POST, section=section)
        add_forms[section.pk] = form
        if form.is_valid():
            try:
                added = building.question_add(
                    actor=actor,
                    section=section,
                    kind=form.cleaned_data["kind"],
                    text=form.cleaned_data["text"],
                    required=form.cleaned_data["required"],
                    options=form.option_texts(),
                )
            except ValidationError as exc:
                add_service_errors(form, exc, {"settings": "kind", "condition": "kind"})
            else:
                messages.success(request, _("Question %(code)s was added.") % {"code": added.code})
                return redirect("frontend:staff_question_edit", survey.slug, added.pk)
        return None
    if action != "section_add":
        errors.append(_("That part of the survey no longer exists. Reload the page."))
    return None


# --- one question --------------------------------------------------------------------------


def staff_question_edit(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A question: its wording, rules, settings, options and condition."""
    redirect_response = signed_in(request)
    if redirect_response is not None:
        return redirect_response
    survey, organisation = find_survey(slug)
    require_role(request, organisation, permissions.can_build)
    question = get_object_or_404(
        Question.objects.select_related("section", "survey__organisation"), pk=pk, survey=survey
    )
    with timezone.override(ZoneInfo(organisation.time_zone)):
        return _question_page(request, survey, question)


def _earlier(survey: Survey, question: Question) -> list[Question]:
    ordered = list(
        Question.objects.filter(survey=survey)
        .select_related("section")
        .prefetch_related("options")
        .order_by("section__position", "position", "id")
    )
    index = next(i for i, q in enumerate(ordered) if q.pk == question.pk)
    return ordered[:index]


def _question_page(request: HttpRequest, survey: Survey, question: Question) -> HttpResponse:
    organisation = survey.organisation
    locked = building.is_locked(survey)
    actor = request.user
    done = redirect("frontend:staff_question_edit", survey.slug, question.pk)
    form = QuestionForm(question=question, locked=locked)
    condition_form = ConditionForm(question=question, earlier=_earlier(survey, question))
    option_forms: dict[int, OptionForm] = {}
    new_option_form = OptionForm(organisation=organisation)
    errors: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action", "")
        option = _find(Option, request.POST.get("option_id"), question=question)
        try:
            if action == "question_save":
                form = QuestionForm(request.POST, question=question, locked=locked)
                if form.is_valid():
                    building.question_update(actor=actor, question=question, **form.changes())
                    messages.success(request, _("The question was saved."))
                    return done
            elif action == "condition_save":
                condition_form = ConditionForm(
                    request.POST, question=question, earlier=_earlier(survey, question)
                )
                if condition_form.is_valid():
                    building.question_set_condition(
                        actor=actor, question=question, condition=condition_form.condition()
                    )
                    messages.success(request, _("The condition was saved."))
                    return done
            elif action == "option_add":
                new_option_form = OptionForm(request.POST, organisation=organisation)
                if new_option_form.is_valid():
                    building.option_add(
                        actor=actor,
                        question=question,
                        text=new_option_form.cleaned_data["text"],
                        translations=new_option_form.translations(),
                    )
                    messages.success(request, _("The option was added."))
                    return done
            elif action == "option_save" and option is not None:
                option_form = OptionForm(request.POST, organisation=organisation, option=option)
                option_forms[option.pk] = option_form
                if option_form.is_valid():
                    building.option_update(
                        actor=actor,
                        option=option,
                        text=option_form.cleaned_data["text"],
                        translations=option_form.translations(),
                    )
                    messages.success(request, _("The option was saved."))
                    return done
            elif action in ("option_up", "option_down") and option is not None:
                building.option_move(actor=actor, option=option, direction=action.split("_")[1])
                return done
            elif action == "option_delete" and option is not None:
                building.option_delete(actor=actor, option=option)
                messages.success(request, _("The option was removed."))
                return done
            else:
                errors.append(_("That part of the survey no longer exists. Reload the page."))
        except ValidationError as exc:
            target = {
                "question_save": form,
                "condition_save": condition_form,
                "option_add": new_option_form,
            }.get(action) or option_forms.get(getattr(option, "pk", None))
            if target is not None:
                add_service_errors(target, _condition_aliases(exc, action))
            else:
                errors.extend(_errors_of(exc))
        question.refresh_from_db()
    options = list(question.options.order_by("position", "id"))
    option_rows = [
        {
            "option": o,
            "form": option_forms.get(o.pk) or OptionForm(organisation=organisation, option=o),
        }
        for o in options
    ]
    staff_options = questions.option_source(question.kind) == "staff"
    context = survey_context(
        request,
        survey,
        "staff_question_edit",
        _("Question %(code)s") % {"code": question.code},
    )
    return render(
        request,
        "surveys/staff/build_question.html",
        {
            **context,
            "question": question,
            "form": form,
            "condition_form": condition_form,
            "option_rows": option_rows,
            "new_option_form": new_option_form,
            "staff_options": staff_options,
            "generated_options": questions.option_source(question.kind) == "generated",
            "page_errors": errors,
            "all_forms": [form, condition_form, new_option_form, *option_forms.values()],
        },
        status=400 if request.method == "POST" else 200,
    )


def _condition_aliases(exc: ValidationError, action: str) -> Any:
    """Service paths (``condition.options``, ``settings.max_picks``) onto the page's fields."""
    if not hasattr(exc, "error_dict"):
        return exc
    fields = {
        "condition.question": "question",
        "condition.options": "options",
        "condition.min": "minimum",
        "condition.max": "maximum",
        "settings.min_picks": "min_picks",
        "settings.max_picks": "max_picks",
        "settings.max_length": "max_length",
        "settings.scale_max": "scale",
        "settings.scale_min": "scale",
        "settings.rank_count": "rank_count",
        "settings.low_label": "low_label",
        "settings.high_label": "high_label",
        "settings.unit": "unit",
        "settings.integer": "integer",
        "settings.allow_other": "allow_other",
    }
    if action == "question_save":
        fields.update({"settings.min": "number_min", "settings.max": "number_max"})
    return {fields.get(name, name): value for name, value in exc.error_dict.items()}


# --- preview -------------------------------------------------------------------------------


@survey_page
def staff_survey_preview(request: HttpRequest, survey: Survey) -> HttpResponse:
    """The survey as residents will read it, in the reader's language; nothing is sent."""
    structure = _structure(survey)
    for entry in structure:
        entry["items"] = [
            {
                "question": q,
                "options": list(q.options.all()),
                "settings": q.settings or {},
                "scale": list(range(*_inclusive(questions.scale_range(q.settings or {})))),
                "condition": _condition_text(q),
                "labels": _labels(q),
            }
            for q in entry["questions"]
        ]
    return render(
        request,
        "surveys/staff/preview.html",
        {
            **survey_context(request, survey, "staff_survey_preview", _("Preview")),
            "structure": structure,
        },
    )


def _labels(question: Question) -> dict[str, str]:
    """End labels and unit in the reader's language, else as written."""
    language = translation.get_language() or ""
    translations = question.translations or {}
    entry = translations.get(language) or translations.get(language.split("-")[0]) or {}
    return {
        key: entry.get(key) or (question.settings or {}).get(key, "")
        for key in ("low_label", "high_label", "unit")
    }


def _inclusive(pair: tuple[int, int]) -> tuple[int, int]:
    return pair[0], pair[1] + 1
