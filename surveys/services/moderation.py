"""Moderators hide a free-text answer from public results and listings, or show it again.
Staff still see it, marked, and exports keep it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from surveys.models import Answer, Survey
from surveys.permissions import can_moderate_answers
from surveys.services.live_updates import publish_results


def set_answer_hidden(survey: Survey, answer_id: int, *, hidden: bool, actor: Any) -> Answer:
    """Hide (or show) one free-text answer of ``survey``."""
    if actor is None or not can_moderate_answers(actor, survey.organisation_id):
        raise PermissionDenied(_("Only the organisation's moderators may hide answers."))
    with transaction.atomic():
        answer = (
            Answer.objects.select_for_update()
            .filter(survey=survey, pk=answer_id, option__isnull=True)
            .exclude(text="")
            .first()
        )
        if answer is None:
            # The answer is named in the address: no such answer is a missing page.
            raise Http404(_("This survey has no such free-text answer."))
        if answer.hidden != hidden:
            answer.hidden = hidden
            answer.save(update_fields=["hidden"])
            publish_results(survey.pk)
    return answer


def hide_answer(survey: Survey, answer_id: int, *, actor: Any) -> Answer:
    return set_answer_hidden(survey, answer_id, hidden=True, actor=actor)


def show_answer(survey: Survey, answer_id: int, *, actor: Any) -> Answer:
    return set_answer_hidden(survey, answer_id, hidden=False, actor=actor)
