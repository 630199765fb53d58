"""Responses as stored. An anonymous response holds its answers and nothing that identifies
who gave them: no account, address, browser or time finer than the day, and a random id."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from surveys.models.surveys import Option, Question, Survey


class ResponseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")


class Response(models.Model):
    """One person's answers to one survey.

    ``answers`` is the response as given (question code → value, see ``surveys.kinds``);
    for a submitted response, :class:`Answer` rows hold the same answers in columns SQL can
    count. ``district``, ``age_band`` and ``target_groups`` are the respondent's groups for
    cross-tabulation, taken from the profile questions' answers.
    """

    # Random, so the ids of anonymous responses do not give away their order.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="survey_responses",
    )
    status = models.CharField(
        max_length=10, choices=ResponseStatus.choices, default=ResponseStatus.DRAFT
    )
    answers = models.JSONField(default=dict, blank=True)
    # Days only: a finer time could single out an anonymous respondent.
    submitted_on = models.DateField(null=True, blank=True)
    updated_on = models.DateField()
    district = models.SlugField(max_length=120, blank=True)
    age_band = models.CharField(max_length=20, blank=True)
    target_groups = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            # One response (draft or submitted) per signed-in person per survey.
            models.UniqueConstraint(
                fields=["survey", "respondent"],
                condition=Q(respondent__isnull=False),
                name="survey_response_one_per_person",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ResponseStatus.values), name="survey_response_known_status"
            ),
            # Only signed-in people keep drafts; an anonymous response is submitted at once.
            models.CheckConstraint(
                condition=Q(respondent__isnull=False) | Q(status=ResponseStatus.SUBMITTED),
                name="survey_response_anonymous_submitted",
            ),
            models.CheckConstraint(
                condition=Q(status=ResponseStatus.DRAFT) | Q(submitted_on__isnull=False),
                name="survey_response_submitted_has_day",
            ),
        ]
        indexes = [
            models.Index(fields=["survey", "status"], name="survey_response_status"),
            # Cross-tabulations join answers to their responses' groups: read from this
            # index (PostgreSQL), not from rows that hold the whole answers.
            models.Index(
                fields=["id"],
                include=["district", "age_band", "target_groups"],
                name="survey_response_groups",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.survey_id}: {self.id}"


class Answer(models.Model):
    """One counted answer of a submitted response, in columns SQL aggregates.

    A choice: one row per chosen option (``option``), "other" as ``text``. Scale and number:
    ``number``. Ranking: one row per ranked option with its position (1 = first) in
    ``number``. Matrix: one row per row (``option``) with its scale value in ``number``.
    Text: ``text``. Date: ``date``.
    """

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="counted")
    # Denormalised so one survey's answers are read by index, without a join.
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    # Indexed with the option, response and hidden flag (below), not alone.
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="answers", db_index=False
    )
    option = models.ForeignKey(
        Option, on_delete=models.CASCADE, null=True, blank=True, related_name="answers"
    )
    number = models.FloatField(null=True, blank=True)
    text = models.TextField(blank=True)
    date = models.DateField(null=True, blank=True)
    # Moderators hide free text from public results; staff exports keep it.
    hidden = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        indexes = [
            # Results group one survey's answers by question, option and value: with the
            # value in the index, PostgreSQL counts them from the index alone.
            models.Index(
                fields=["survey", "question", "option", "number"], name="survey_answer_count"
            ),
            # One question's answers: cross-tabulations read option and response, free-text
            # counts the hidden flag, from the index alone.
            models.Index(
                fields=["question", "option", "response", "hidden"], name="survey_answer_question"
            ),
            # Written answers of one question, latest (highest id) first: a page is read
            # backwards from this index, and the public count (hidden flag included) from
            # the index alone. Partial: most answers are not written ones.
            models.Index(
                fields=["question", "id"],
                include=["hidden"],
                condition=Q(option__isnull=True) & ~Q(text=""),
                name="survey_answer_text",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.question_id}: {self.option_id or self.number or self.text[:20]}"


class AnswerCount(models.Model):
    """How many submitted responses gave one answer to one question, kept up to date in the
    transaction that stores, changes or removes counted rows, so results read a survey's
    counts instead of its answers (``surveys.services.counts`` derives the keys).

    ``key``: ``answered`` (respondents to the question), ``o:<option id>`` (chose it),
    ``other``, ``v:<value>`` (scale and number), ``r:<option id>:<position>`` (ranking),
    ``m:<row option id>:<value>`` (matrix), ``d:YYYY-MM`` (dates by month). Free text is
    not counted here: its counts change with moderation and account deletion, so results
    count it from ``Answer``.
    """

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="+")
    # Indexed by the unique constraint (question, key); no index of its own.
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    key = models.CharField(max_length=80)
    # Signed: one statement adds and subtracts (a change), and a check on the proposed row
    # would refuse a subtraction before the conflict turns it into an update.
    n = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("answer count")
        verbose_name_plural = _("answer counts")
        constraints = [
            models.UniqueConstraint(fields=["question", "key"], name="survey_answer_count_key"),
        ]

    def __str__(self) -> str:
        return f"{self.question_id} {self.key}: {self.n}"


class InvitationCode(models.Model):
    """A single-use code handed to one person of a closed audience. Only a keyed digest is
    stored; a used code is deleted, so nothing ties it to the response it allowed."""

    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="invitations")
    digest = models.CharField(max_length=64, unique=True)

    class Meta:
        verbose_name = _("invitation code")
        verbose_name_plural = _("invitation codes")

    def __str__(self) -> str:
        return f"{self.survey_id}: {self.digest[:8]}…"


class SpentFormToken(models.Model):
    """The digest of an anonymous form token already used, kept until the token expires so
    a replayed form is refused. Not linked to any response."""

    digest = models.CharField(max_length=64, primary_key=True)
    expires_on = models.DateField()

    class Meta:
        verbose_name = _("spent form token")
        verbose_name_plural = _("spent form tokens")

    def __str__(self) -> str:
        return self.digest[:8]
