"""Answering a survey: who may, drafts, submitting and changing, anonymous form tokens,
invitation codes and the rate limit.

Signed in: one response per person per survey (a draft until submitted), held by the
database's unique constraint — concurrent first submits end with one row, the others
change it (where changes are allowed) or are told they already answered.

Anonymous (where the survey allows it): the form carries a signed, single-use token; the
response row holds the answers, the groups and the day, nothing else — no account, address,
browser or time of day. A spent token's digest is kept, unlinked, until it expires.

Invitation codes: only a keyed digest is stored, and a code's row is deleted in the
transaction that stores the response it allowed, so nothing ties the two together.

Every refusal stores nothing: all checks run before the first write, in one transaction.
After a response is submitted or changed, the registered listeners (results) hear the
survey's id once the transaction commits.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from engagement.http.rate_limits import RateLimited, rate_limited
from engagement.people import eligibility
from engagement.people import permissions as people_permissions
from engagement.people.models import Residence, ResidentProfile
from engagement.statistics import age_band
from surveys import answers as rules
from surveys import permissions
from surveys.models import (
    Answer,
    InvitationCode,
    Response,
    ResponseStatus,
    SpentFormToken,
    Survey,
    SurveyState,
)
from surveys.selectors import question_specs, questions_of, with_structure
from surveys.services import counts

logger = logging.getLogger(__name__)

# The rate limit of responses per person (signed in) or per address (anonymous), counted
# in the cache only (``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]``).
RATE_SCOPE = "survey_response"

FORM_TOKEN_SALT = "kopa.surveys.form-token"
FORM_TOKEN_MAX_AGE = 24 * 60 * 60  # seconds: a form may be filled in for a day
INVITATION_SALT = "kopa.surveys.invitation"
# No I, L, O, 0 or 1: a code read aloud or from paper is not misread.
INVITATION_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
INVITATION_LENGTH = 10
MAX_INVITATIONS = 1000  # in one batch

# --- after a response: listeners ------------------------------------------------------------

ResponseListener = Callable[[int], None]
RESPONSE_LISTENERS: list[ResponseListener] = []


def register_response_listener(fn: ResponseListener) -> None:
    """Call ``fn(survey_id)`` after every committed submit or change (live results)."""
    if fn not in RESPONSE_LISTENERS:
        RESPONSE_LISTENERS.append(fn)


def _announce(survey_id: int) -> None:
    def tell() -> None:
        for listener in list(RESPONSE_LISTENERS):
            try:
                listener(survey_id)
            except Exception:  # the response is stored; a listener's trouble is logged
                logger.exception("Survey response listener %r failed", listener)

    transaction.on_commit(tell)


# --- refusals ------------------------------------------------------------------------------


class NotEligible(PermissionDenied):
    """The person may not answer; ``codes`` are ``engagement.people.eligibility`` reasons."""

    def __init__(self, codes: list[str]) -> None:
        self.codes = codes
        super().__init__(
            " ".join(eligibility.eligibility_message(c, eligibility.SURVEY) for c in codes)
        )

    @property
    def reasons(self) -> list[dict[str, str]]:
        return eligibility.eligibility_reasons(self.codes, eligibility.SURVEY)


class AnswersInvalid(ValidationError):
    """Answers that do not fit their questions: ``by_question`` maps a question code to its
    messages (the API answers ``{"answers": by_question}``)."""

    def __init__(self, by_question: dict[str, list[str]]) -> None:
        self.by_question = by_question
        super().__init__(
            {
                "answers": [
                    ValidationError(f"{code}: {message}", code="invalid_answer")
                    for code, messages in by_question.items()
                    for message in messages
                ]
            }
        )


class TooManyResponses(PermissionDenied):
    """The client sent more responses than the rate allows; ``wait`` seconds, if known."""

    def __init__(self, refused: RateLimited) -> None:
        self.wait = refused.wait
        super().__init__(
            _("Too many responses from here. Try again in %(seconds)s seconds.")
            % {"seconds": refused.seconds()}
        )


def _refuse(field: str, message: str, code: str) -> ValidationError:
    return ValidationError({field: ValidationError(message, code=code)})


def _hold_structure(survey: Survey, specs: list[rules.QuestionSpec]) -> None:
    """Keep the survey's structure as checked for the rest of this transaction.

    The builder changes a structure only with the survey row locked FOR UPDATE, and only
    while no response exists. A share lock here waits for such a change to commit (or makes
    it wait for this response, which then locks the structure); if the survey still has no
    response, the answers were checked against a structure read before the lock, so it is
    read again and a change refuses the response instead of storing it against questions
    that no longer exist.
    """
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM surveys_survey WHERE id = %s FOR SHARE", [survey.pk])
    if Response.objects.filter(survey=survey).exists():
        return
    current = with_structure(Survey.objects.filter(pk=survey.pk)).get()
    if question_specs(current) != specs:
        raise _refuse(
            "survey",
            _("The survey changed while you were answering. Check your answers and send again."),
            "survey_changed",
        )


@dataclass(frozen=True)
class Submitted:
    response: Response
    changed: bool  # an earlier submitted response was replaced


# --- who may answer ------------------------------------------------------------------------


def _local_today(survey: Survey) -> date:
    return timezone.localdate(timezone=ZoneInfo(survey.organisation.time_zone))


def _person(actor: Any) -> Any:
    """The signed-in person, or None for an anonymous visitor; a missing actor is refused."""
    if actor is None:
        raise PermissionDenied(_("Nobody to answer as."))
    if isinstance(actor, people_permissions.SystemActor):
        return None
    return actor if getattr(actor, "is_authenticated", False) else None


def _rules_of(survey: Survey) -> eligibility.EligibilityRules:
    return eligibility.EligibilityRules(
        min_age=survey.min_age,
        residence_required=survey.residence_required,
        verified_email_required=survey.verified_email_required,
    )


def _has_rules(survey: Survey) -> bool:
    return survey.min_age is not None or survey.residence_required or survey.verified_email_required


def eligibility_codes(survey: Survey, actor: Any) -> list[str]:
    """Why ``actor`` may not answer ``survey`` (empty: they may).

    Anonymous visitors may answer where the survey allows it and sets no rule (age,
    residence, verified e-mail) that only an account can show; the system (paper
    questionnaires typed in, the demo) always may.
    """
    if isinstance(actor, people_permissions.SystemActor):
        return []
    person = _person(actor)
    if person is None:
        return [] if survey.anonymous_allowed and not _has_rules(survey) else ["not_signed_in"]
    if not _has_rules(survey):
        return []
    facts = eligibility.VoterFacts(
        signed_in=True,
        email_verified=survey.verified_email_required
        and EmailAddress.objects.filter(user=person, verified=True).exists(),
        birth_year=ResidentProfile.objects.filter(user=person)
        .values_list("birth_year", flat=True)
        .first()
        if survey.min_age is not None
        else None,
        residence_district_id=None,
        resident=survey.residence_required
        and Residence.objects.filter(user=person, organisation_id=survey.organisation_id).exists(),
    )
    return eligibility.organisation_ineligibility(
        _rules_of(survey), facts, year=_local_today(survey).year
    )


def _require_open(survey: Survey) -> None:
    state = permissions.current_state(survey)
    if state == SurveyState.OPEN:
        return
    if state == SurveyState.CLOSED:
        raise _refuse("survey", _("This survey is closed."), "closed")
    raise _refuse("survey", _("This survey is not open for answers yet."), "not_open")


def _require_eligible(survey: Survey, actor: Any) -> None:
    codes = eligibility_codes(survey, actor)
    if codes:
        raise NotEligible(codes)


def _count_rate(client: Any) -> None:
    if client is None:
        return
    refused = rate_limited(client, RATE_SCOPE)
    if refused is not None:
        raise TooManyResponses(refused)


# --- prefill -------------------------------------------------------------------------------


def prefill(survey: Survey, actor: Any) -> dict[str, Any]:
    """Answers to the survey's profile questions (with prefill on) taken from the signed-in
    resident's profile: district of residence, age band, target groups — where they are
    among the question's options. Nothing for anonymous visitors."""
    person = _person(actor)
    wanted = [q for q in questions_of(survey) if q.prefill and q.kind in rules.PROFILE_KINDS]
    if person is None or not wanted:
        return {}
    profile = ResidentProfile.objects.filter(user=person).first()
    district = (
        Residence.objects.filter(user=person, organisation_id=survey.organisation_id)
        .values_list("district__slug", flat=True)
        .first()
    )
    values: dict[str, Any] = {}
    for question in wanted:
        codes = [option.code for option in question.options.all()]
        if question.kind == rules.DISTRICT and district in codes:
            values[question.code] = district
        elif question.kind == rules.AGE_BAND and profile is not None:
            band = age_band(profile.birth_year, _local_today(survey).year)
            if band in codes:
                values[question.code] = band
        elif question.kind == rules.TARGET_GROUP and profile is not None:
            values[question.code] = [c for c in codes if c in (profile.target_groups or [])]
    return values


def initial_answers(survey: Survey, actor: Any) -> dict[str, Any]:
    """What a form starts with: the person's draft or response over the profile's values."""
    person = _person(actor)
    values = prefill(survey, actor)
    if person is not None:
        own = Response.objects.filter(survey=survey, respondent=person).first()
        if own is not None:
            values.update(own.answers)
    return values


# --- anonymous form tokens -----------------------------------------------------------------


def issue_form_token(survey: Survey) -> str:
    """A signed token for one anonymous response to ``survey``, valid for a day."""
    return signing.dumps(
        {"s": survey.pk, "n": secrets.token_urlsafe(16)}, salt=FORM_TOKEN_SALT, compress=False
    )


def form_token_or_none(survey: Survey, actor: Any) -> str | None:
    """A form token where one is needed: an anonymous visitor of an open survey that takes
    answers without an account."""
    if (
        survey.anonymous_allowed
        and _person(actor) is None
        and not isinstance(actor, people_permissions.SystemActor)
        and permissions.current_state(survey) == SurveyState.OPEN
    ):
        return issue_form_token(survey)
    return None


def _token_digest(nonce: str) -> str:
    return hashlib.sha256(f"{FORM_TOKEN_SALT}:{nonce}".encode()).hexdigest()


def _form_token_nonce(survey: Survey, token: str | None) -> str:
    if not token:
        raise _refuse(
            "form_token", _("This form has no token; reload the page and answer again."), "required"
        )
    try:
        payload = signing.loads(token, salt=FORM_TOKEN_SALT, max_age=FORM_TOKEN_MAX_AGE)
    except signing.SignatureExpired:
        raise _refuse(
            "form_token", _("This form has expired; reload the page and answer again."), "expired"
        ) from None
    except signing.BadSignature:
        payload = None
    if not isinstance(payload, dict) or payload.get("s") != survey.pk or not payload.get("n"):
        raise _refuse(
            "form_token", _("This form is not valid; reload the page and answer again."), "invalid"
        )
    return str(payload["n"])


def _spend_form_token(survey: Survey, nonce: str) -> None:
    """Record the token as spent (inside the response's transaction); a replay is refused.
    Spent tokens past their expiry are purged here, on write."""
    today = _local_today(survey)
    SpentFormToken.objects.filter(expires_on__lt=today).delete()
    try:
        with transaction.atomic():
            SpentFormToken.objects.create(
                digest=_token_digest(nonce), expires_on=today + timedelta(days=2)
            )
    except IntegrityError:
        raise _refuse(
            "form_token",
            _("This form was already sent. Reload the page to answer again."),
            "spent",
        ) from None


# --- invitation codes ----------------------------------------------------------------------


def normalise_code(code: str) -> str:
    """The code as stored: capitals, without spaces or dashes."""
    return "".join(ch for ch in str(code).upper() if ch.isalnum())


def format_code(code: str) -> str:
    """``ABCDEFGHJK`` -> ``ABCDE-FGHJK`` (as printed)."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def invitation_digest(survey: Survey, code: str) -> str:
    """The keyed digest of a code (HMAC-SHA256 with a key derived from SECRET_KEY)."""
    return salted_hmac(
        INVITATION_SALT, f"{survey.pk}:{normalise_code(code)}", algorithm="sha256"
    ).hexdigest()


def generate_invitations(survey: Survey, count: int, *, actor: Any) -> list[str]:
    """``count`` new single-use codes for ``survey`` (its administrators). The codes are
    returned once, to be printed; only their digests are kept."""
    if not permissions.can_build(actor, survey.organisation_id):
        raise PermissionDenied(_("Only administrators of this organisation can do this."))
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_INVITATIONS:
        raise _refuse(
            "count",
            _("Ask for 1 to %(max)s codes at a time.") % {"max": MAX_INVITATIONS},
            "invalid",
        )
    codes: list[str] = []
    seen: set[str] = set()
    while len(codes) < count:
        code = "".join(secrets.choice(INVITATION_ALPHABET) for _i in range(INVITATION_LENGTH))
        if code not in seen:
            seen.add(code)
            codes.append(code)
    with transaction.atomic():
        InvitationCode.objects.bulk_create(
            InvitationCode(survey=survey, digest=invitation_digest(survey, code)) for code in codes
        )
        Survey.objects.filter(pk=survey.pk).update(
            invitations_issued=F("invitations_issued") + count
        )
    survey.refresh_from_db(fields=["invitations_issued"])
    return [format_code(code) for code in codes]


def _redeem_invitation(survey: Survey, code: str | None) -> None:
    """Delete the code's row (inside the response's transaction): used once, then gone."""
    if not code or not normalise_code(code):
        raise _refuse("invitation_code", _("Enter the invitation code you were given."), "required")
    deleted, _rows = InvitationCode.objects.filter(
        survey=survey, digest=invitation_digest(survey, code)
    ).delete()
    if not deleted:
        raise _refuse(
            "invitation_code",
            _("This invitation code is not valid for this survey, or it has been used."),
            "invalid",
        )


# --- drafts and responses ------------------------------------------------------------------


def _checked(specs: list[rules.QuestionSpec], answers: Any, *, partial: bool) -> rules.Checked:
    checked = rules.check(specs, answers, partial=partial)
    if not checked.valid:
        raise AnswersInvalid(checked.errors)
    return checked


def _write_counted(
    survey: Survey,
    specs: list[rules.QuestionSpec],
    response: Response,
    clean: Mapping[str, Any],
    *,
    replacing: bool,
) -> None:
    """Write the response's counted rows for ``clean`` answers, and its answer counts.

    ``replacing``: the response was submitted before; its old rows go and their counts are
    subtracted in the same statement that adds the new ones (last, see ``counts.add``)."""
    questions = {q.code: q for q in questions_of(survey)}
    kinds = {q.pk: q.kind for q in questions.values()}
    options = {
        (q.code, option.code): option for q in questions.values() for option in q.options.all()
    }
    delta: Counter[tuple[int, str]] = Counter()
    if replacing:
        old = Answer.objects.filter(response=response)
        delta.subtract(
            counts.count_keys(
                counts.CountedAnswer(qid, kinds[qid], oid, number, day)
                for qid, oid, number, day in old.values_list(
                    "question_id", "option_id", "number", "date"
                )
            )
        )
        old.delete()
    rows = [
        Answer(
            response=response,
            survey=survey,
            question=questions[row.question],
            option=options[(row.question, row.option)] if row.option else None,
            number=row.number,
            text=row.text,
            date=row.date,
        )
        for row in rules.counted_rows(specs, clean)
    ]
    Answer.objects.bulk_create(rows)
    delta.update(
        counts.count_keys(
            counts.CountedAnswer(a.question_id, kinds[a.question_id], a.option_id, a.number, a.date)
            for a in rows
        )
    )
    counts.add(survey.pk, delta)


def _as_submitted(
    survey: Survey, specs: list[rules.QuestionSpec], response: Response, clean: dict[str, Any]
) -> None:
    groups = rules.respondent_groups(specs, clean)
    today = _local_today(survey)
    response.answers = clean
    response.status = ResponseStatus.SUBMITTED
    response.submitted_on = response.submitted_on or today
    response.updated_on = today
    response.district = groups.district
    response.age_band = groups.age_band
    response.target_groups = list(groups.target_groups)


def save_draft(survey: Survey, answers: Mapping[str, Any], *, actor: Any) -> Response:
    """Keep a signed-in person's unfinished answers (each must fit its question; none is
    required yet). A submitted response is changed with :func:`submit`, not here."""
    person = _person(actor)
    if person is None:
        raise PermissionDenied(_("Sign in to save your answers and continue later."))
    _require_open(survey)
    _require_eligible(survey, actor)
    clean = _checked(question_specs(survey), answers, partial=True).answers
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                response = (
                    Response.objects.select_for_update()
                    .filter(survey=survey, respondent=person)
                    .first()
                )
                if response is not None and response.status == ResponseStatus.SUBMITTED:
                    raise _refuse(
                        "status",
                        _("Your answers are already sent; change them instead of a draft."),
                        "already_submitted",
                    )
                if response is None:
                    response = Response(survey=survey, respondent=person)
                response.answers = clean
                response.updated_on = _local_today(survey)
                response.save()
                return response
        except IntegrityError:  # a draft created at the same instant: use that one
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def submit(
    survey: Survey,
    answers: Mapping[str, Any],
    *,
    actor: Any,
    form_token: str | None = None,
    invitation_code: str | None = None,
    client: Any = None,
) -> Submitted:
    """Submit (or, where the survey allows it, change) a response.

    ``actor``: a signed-in person, ``AnonymousUser`` (with ``form_token`` from
    :func:`issue_form_token`), or ``SYSTEM`` (typing in a paper questionnaire: stored like
    an anonymous response, no token). ``invitation_code`` where the survey requires one
    (not for changing a response already sent). ``client``: the request, whose person or
    address is counted against the rate limit first.
    """
    person = _person(actor)
    _count_rate(client)
    _require_open(survey)
    _require_eligible(survey, actor)
    specs = question_specs(survey)
    clean = _checked(specs, answers, partial=False).answers
    if person is None:
        return _submit_anonymous(survey, specs, clean, actor, form_token, invitation_code)
    for attempt in (1, 2):
        try:
            return _submit_signed_in(survey, specs, person, clean, invitation_code)
        except IntegrityError:
            # Another submit of the same person inserted first; the second pass finds it.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _submit_signed_in(
    survey: Survey,
    specs: list[rules.QuestionSpec],
    person: Any,
    clean: dict[str, Any],
    invitation_code: str | None,
) -> Submitted:
    with transaction.atomic():
        _hold_structure(survey, specs)
        response = (
            Response.objects.select_for_update().filter(survey=survey, respondent=person).first()
        )
        changed = response is not None and response.status == ResponseStatus.SUBMITTED
        if changed and not survey.responses_editable:
            raise _refuse(
                "status",
                _("You have already answered this survey; answers cannot be changed."),
                "already_answered",
            )
        if not changed and survey.invitation_required:
            _redeem_invitation(survey, invitation_code)
        if response is None:
            response = Response(survey=survey, respondent=person)
        _as_submitted(survey, specs, response, clean)
        response.save()
        _write_counted(survey, specs, response, clean, replacing=changed)
        _announce(survey.pk)
    return Submitted(response, changed)


def _submit_anonymous(
    survey: Survey,
    specs: list[rules.QuestionSpec],
    clean: dict[str, Any],
    actor: Any,
    form_token: str | None,
    invitation_code: str | None,
) -> Submitted:
    system = isinstance(actor, people_permissions.SystemActor)
    nonce = None if system else _form_token_nonce(survey, form_token)
    with transaction.atomic():
        _hold_structure(survey, specs)
        if nonce is not None:
            _spend_form_token(survey, nonce)
        if survey.invitation_required and not system:
            _redeem_invitation(survey, invitation_code)
        response = Response(survey=survey, respondent=None)
        _as_submitted(survey, specs, response, clean)
        response.save()
        _write_counted(survey, specs, response, clean, replacing=False)
        _announce(survey.pk)
    return Submitted(response, False)


def may_change(survey: Survey, response: Response | None) -> bool:
    """Whether a submitted ``response`` may still be changed."""
    return (
        response is not None
        and response.status == ResponseStatus.SUBMITTED
        and survey.responses_editable
        and permissions.current_state(survey) == SurveyState.OPEN
    )
