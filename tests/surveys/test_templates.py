"""The built-in needs-assessment and evaluation templates: valid definitions with stable codes,
worded in the organisation's language and translated into every interface language."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import trans_real

from engagement.content.languages import validate_translations
from engagement.people.models import Role
from engagement.people.permissions import SYSTEM
from surveys import definitions, templates
from surveys.models import Option, Question, QuestionKind, Section, Survey, SurveyPurpose
from surveys.services import building
from tests import factories

pytestmark = pytest.mark.django_db

SURVEY_KEYS = {
    "title",
    "description",
    "translations",
    "purpose",
    "anonymous_allowed",
    "responses_editable",
    "results_visibility",
    "min_age",
    "residence_required",
    "verified_email_required",
    "sections",
}
SECTION_KEYS = {"title", "description", "translations", "questions"}
QUESTION_KEYS = {
    "code",
    "kind",
    "text",
    "help_text",
    "translations",
    "required",
    "shuffle_options",
    "prefill",
    "settings",
    "condition",
    "options",
}
OPTION_KEYS = {"code", "text", "translations"}
PROFILE_KINDS = {QuestionKind.DISTRICT, QuestionKind.AGE_BAND, QuestionKind.TARGET_GROUP}
NO_OPTIONS = {"short_text", "long_text", "scale", "number", "date"}
SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")


@pytest.fixture
def city():
    organisation = factories.OrganisationFactory(slug="city", languages=["en"])
    factories.DistrictFactory(organisation=organisation, slug="centre", name="Centre")
    factories.DistrictFactory(organisation=organisation, slug="harbour", name="Harbour")
    return organisation


def questions(definition: dict[str, Any]) -> list[dict[str, Any]]:
    return [q for section in definition["sections"] for q in section["questions"]]


def by_code(definition: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {q["code"]: q for q in questions(definition)}


def structure_problems(definition: dict[str, Any]) -> list[str]:
    """The surveys contract (SURVEYS.md) checked by hand: keys, kinds, codes, options and
    settings of each kind, translations of known languages and fields."""
    problems = []
    if set(definition) != SURVEY_KEYS:
        problems.append(f"survey keys {sorted(set(definition) ^ SURVEY_KEYS)}")
    validate_translations(definition["translations"], fields=("title", "description"))
    codes = [q["code"] for q in questions(definition)]
    if len(codes) != len(set(codes)) or not all(SLUG.match(c) for c in codes):
        problems.append(f"question codes {codes}")
    for section in definition["sections"]:
        if set(section) != SECTION_KEYS:
            problems.append(f"section keys {sorted(section)}")
        validate_translations(section["translations"], fields=("title", "description"))
        for q in section["questions"]:
            where = q["code"]
            if set(q) != QUESTION_KEYS:
                problems.append(f"{where}: keys {sorted(set(q) ^ QUESTION_KEYS)}")
            if q["kind"] not in QuestionKind.values:
                problems.append(f"{where}: kind {q['kind']}")
            if not q["text"]:
                problems.append(f"{where}: no text")
            validate_translations(
                q["translations"],
                fields=("text", "help_text", "low_label", "high_label", "unit"),
            )
            option_codes = [o["code"] for o in q["options"]]
            if len(option_codes) != len(set(option_codes)):
                problems.append(f"{where}: option codes {option_codes}")
            for option in q["options"]:
                if set(option) != OPTION_KEYS or not SLUG.match(option["code"]):
                    problems.append(f"{where}: option {option}")
                validate_translations(option["translations"], fields=("text",))
            n = len(q["options"])
            if q["kind"] in PROFILE_KINDS or q["kind"] in NO_OPTIONS:
                if n:
                    problems.append(f"{where}: a {q['kind']} question lists options")
            elif n < 2:
                problems.append(f"{where}: {n} options")
            rules = q["settings"]
            if q["kind"] == "scale" and (rules.get("scale_min"), rules.get("scale_max")) not in {
                (1, 5),
                (1, 7),
                (0, 10),
            }:
                problems.append(f"{where}: scale {rules}")
            if q["kind"] == "ranking" and not 1 <= rules.get("rank_count", n) <= n:
                problems.append(f"{where}: rank_count {rules}")
            if q["kind"] == "multiple_choice":
                most = n + (1 if rules.get("allow_other") else 0)
                if not 1 <= rules.get("max_picks", most) <= most:
                    problems.append(f"{where}: max_picks {rules}")
            if q["kind"] == "long_text" and not 1 <= rules.get("max_length", 5000) <= 20000:
                problems.append(f"{where}: max_length {rules}")
            if q["condition"] is not None:
                problems.append(f"{where}: a condition")
    return problems


def stored(organisation, definition: dict[str, Any]) -> Survey:
    """The definition written as rows, every row checked by the models' own validation."""
    fields = {k: v for k, v in definition.items() if k != "sections"}
    survey = Survey(organisation=organisation, slug="from-template", **fields)
    survey.full_clean()
    survey.save()
    for s_position, section_data in enumerate(definition["sections"]):
        section = Section(
            survey=survey,
            position=s_position,
            **{k: v for k, v in section_data.items() if k != "questions"},
        )
        section.full_clean()
        section.save()
        for q_position, question_data in enumerate(section_data["questions"]):
            question = Question(
                survey=survey,
                section=section,
                position=q_position,
                **{k: v for k, v in question_data.items() if k != "options"},
            )
            question.full_clean()
            question.save()
            for o_position, option_data in enumerate(question_data["options"]):
                option = Option(question=question, position=o_position, **option_data)
                option.full_clean()
                option.save()
    return survey


def test_an_unknown_template_is_refused(city):
    with pytest.raises(ValidationError) as error:
        templates.template_definition("census", city)
    assert [e.code for e in error.value.error_dict["template"]] == ["does_not_exist"]


@pytest.mark.parametrize("key", ["needs_assessment", "evaluation"])
class TestEachTemplate:
    def test_follows_the_definition_contract(self, city, key):
        assert structure_problems(templates.template_definition(key, city)) == []

    def test_is_stored_as_valid_rows(self, city, key):
        survey = stored(city, templates.template_definition(key, city))
        assert survey.purpose == key
        assert survey.questions.count() == len(questions(templates.template_definition(key, city)))

    def test_a_new_dict_each_time(self, city, key):
        first = templates.template_definition(key, city)
        first["sections"][0]["questions"][0]["code"] = "changed"
        assert templates.template_definition(key, city)["sections"][0]["questions"][0]["code"] != (
            "changed"
        )

    def test_is_a_survey_the_builder_creates(self, city, key):
        survey = definitions.create_survey(
            city, templates.template_definition(key, city), actor=SYSTEM, template=key
        )
        assert survey.template == key
        assert survey.purpose == key
        district = survey.questions.filter(kind="district").first()
        if district is not None:
            assert set(district.options.values_list("code", flat=True)) == {"centre", "harbour"}


class TestNeedsAssessment:
    def test_stable_codes(self, city):
        definition = templates.template_definition("needs_assessment", city)
        assert [q["code"] for q in questions(definition)] == [
            "themes",
            "district",
            "problems",
            "problem_detail",
            "participation",
            "age_band",
            "target_groups",
        ]
        assert definition["purpose"] == SurveyPurpose.NEEDS_ASSESSMENT

    def test_themes_are_ranked(self, city):
        themes = by_code(templates.template_definition("needs_assessment", city))["themes"]
        assert themes["kind"] == "ranking"
        assert themes["required"] is True
        assert [o["code"] for o in themes["options"]][:5] == [
            "green_spaces",
            "mobility",
            "culture",
            "social_care",
            "safety",
        ]
        assert themes["settings"] == {"rank_count": 3}

    def test_profile_questions_prefill(self, city):
        found = by_code(templates.template_definition("needs_assessment", city))
        profile = {c: (found[c]["kind"], found[c]["prefill"]) for c in ("district", "age_band")}
        profile["target_groups"] = (
            found["target_groups"]["kind"],
            found["target_groups"]["prefill"],
        )
        assert profile == {
            "district": ("district", True),
            "age_band": ("age_band", True),
            "target_groups": ("target_group", True),
        }

    def test_no_district_question_where_the_organisation_has_no_districts(self):
        town = factories.OrganisationFactory(languages=["en"])
        definition = templates.template_definition("needs_assessment", town)
        assert "district" not in by_code(definition)
        assert structure_problems(definition) == []


class TestEvaluation:
    def test_stable_codes(self, city):
        definition = templates.template_definition("evaluation", city)
        assert [q["code"] for q in questions(definition)] == [
            "satisfaction",
            "clarity",
            "fairness",
            "trust",
            "again",
            "heard",
            "feedback",
            "district",
            "age_band",
            "target_groups",
        ]
        assert definition["purpose"] == SurveyPurpose.EVALUATION

    def test_the_comparison_reads_satisfaction_and_fairness_on_one_to_five(self, city):
        found = by_code(templates.template_definition("evaluation", city))
        for code in (templates.SATISFACTION, templates.FAIRNESS, templates.TRUST, "clarity"):
            assert found[code]["kind"] == "scale"
            assert (found[code]["settings"]["scale_min"], found[code]["settings"]["scale_max"]) == (
                1,
                5,
            )
        assert found["satisfaction"]["settings"]["low_label"] == "Very dissatisfied"
        assert found["satisfaction"]["settings"]["high_label"] == "Very satisfied"

    def test_heard_allows_other_and_feedback_is_long_text(self, city):
        found = by_code(templates.template_definition("evaluation", city))
        assert found["heard"]["kind"] == "multiple_choice"
        assert found["heard"]["settings"]["allow_other"] is True
        assert found["feedback"]["kind"] == "long_text"
        assert [o["code"] for o in found["again"]["options"]] == ["yes", "maybe", "no"]


# --- languages --------------------------------------------------------------------------------


def translatable_texts(definition: dict[str, Any]):
    """(where, base text, translations) for every text staff may translate."""
    yield "survey.title", definition["title"], definition["translations"], "title"
    for s_index, section in enumerate(definition["sections"]):
        yield f"section {s_index}", section["title"], section["translations"], "title"
        for q in section["questions"]:
            yield q["code"], q["text"], q["translations"], "text"
            if q["help_text"]:
                yield f"{q['code']} help", q["help_text"], q["translations"], "help_text"
            for label in ("low_label", "high_label"):
                if label in q["settings"]:
                    yield f"{q['code']} {label}", q["settings"][label], q["translations"], label
            for o in q["options"]:
                yield f"{q['code']}.{o['code']}", o["text"], o["translations"], "text"


@pytest.fixture
def marked_catalog(monkeypatch):
    """A catalog that translates every message into "[pl] message" (and so on), so a text
    that does not pass through gettext shows."""
    real = trans_real.gettext

    def gettext(message):
        language = translation.get_language()
        if language == "en":
            return real(message)
        return f"[{language}] {message}"

    monkeypatch.setattr(translation._trans, "gettext", gettext, raising=False)


@pytest.mark.parametrize("key", ["needs_assessment", "evaluation"])
def test_every_text_is_translated_into_each_other_interface_language(city, key, marked_catalog):
    definition = templates.template_definition(key, city)
    missing = []
    for where, base, translations, field in translatable_texts(definition):
        for language in ("pl", "de"):
            if translations.get(language, {}).get(field) != f"[{language}] {base}":
                missing.append(f"{where} ({language})")
    assert missing == []
    assert set(definition["translations"]) == {"pl", "de"}


def test_interface_languages_are_the_ones_offered():
    assert [code for code, _name in settings.LANGUAGES] == ["en", "pl", "de"]


def test_base_texts_in_the_organisations_first_language_with_a_catalog():
    polish = factories.OrganisationFactory(languages=["pl", "en"])
    definition = templates.template_definition("evaluation", polish)
    again = by_code(definition)["again"]
    assert [o["text"] for o in again["options"]][::2] == ["Tak", "Nie"]
    assert again["options"][0]["translations"]["en"] == {"text": "Yes"}
    assert again["options"][0]["translations"]["de"] == {"text": "Ja"}
    assert "pl" not in again["options"][0]["translations"]


def test_an_organisation_whose_language_has_no_catalog_gets_its_next_language_or_english():
    latvian_german = factories.OrganisationFactory(languages=["lv", "de"])
    assert templates.base_language(latvian_german) == "de"
    latvian = factories.OrganisationFactory(languages=["lv"])
    assert templates.base_language(latvian) == "en"
    again = by_code(templates.template_definition("evaluation", latvian))["again"]
    assert again["options"][0]["text"] == "Yes"
    assert set(again["options"][0]["translations"]) == {"pl", "de"}


def test_district_names_are_the_organisations_own(city, marked_catalog):
    definition = templates.template_definition("needs_assessment", city)
    assert by_code(definition)["district"]["options"] == []  # filled in from the districts


def test_registered_with_the_builders_registry(city):
    registered = {}
    templates.register_templates(
        lambda key, label, builder: registered.update({key: (str(label), builder)})
    )
    assert {key: label for key, (label, _b) in registered.items()} == {
        "needs_assessment": "Needs assessment",
        "evaluation": "Evaluation of a round",
    }
    builder = registered["evaluation"][1]
    assert builder(city) == templates.template_definition("evaluation", city)


# --- offered by the survey builder --------------------------------------------------------------


def test_the_builder_offers_both_templates():
    choices = dict(definitions.template_choices())
    assert choices["needs_assessment"] == "Needs assessment"
    assert choices["evaluation"] == "Evaluation of a round"


def test_a_rounds_needs_assessment_started_from_the_template(city):
    city_admin = factories.staff(city, Role.ADMINISTRATOR, email="admin@city.example")
    budget_round = factories.BudgetRoundFactory(organisation=city, phase="information")
    survey = building.survey_create(
        actor=city_admin,
        organisation=city,
        title="",
        template="needs_assessment",
        budget_round_id=budget_round.pk,
    )
    assert (survey.title, survey.purpose, survey.template, survey.budget_round_id) == (
        "What does your neighbourhood need?",
        "needs_assessment",
        "needs_assessment",
        budget_round.pk,
    )
    assert survey.state == "draft"
    codes = list(
        survey.questions.order_by("section__position", "position").values_list("code", flat=True)
    )
    assert codes[:3] == ["themes", "district", "problems"]
    themes = survey.questions.get(code="themes")
    assert themes.options.count() == 8
    assert set(survey.questions.get(code="district").options.values_list("code", flat=True)) == {
        "centre",
        "harbour",
    }
