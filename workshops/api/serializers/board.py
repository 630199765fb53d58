"""Serializers of the board API: inputs (JSON bodies) and the shapes answered."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from engagement.http.api import Input, exactly_one_of
from workshops.models import BoardStage
from workshops.services.board import MAX_PROMPTS, TIMER_MAX_SECONDS


def _field_error(field: str, message: Any, code: str) -> serializers.ValidationError:
    return serializers.ValidationError({field: [serializers.ErrorDetail(str(message), code=code)]})


# --- inputs -----------------------------------------------------------------------------


class BoardJoinInput(Input):
    code = serializers.CharField(max_length=20, help_text="The join code shown in the room.")


class BoardNoteInput(Input):
    client_id = serializers.UUIDField(
        help_text="Made by the client for each new note; a retry with the same id and text "
        "returns the note already made."
    )
    prompt = serializers.IntegerField(min_value=1, help_text="The prompt (column) answered.")
    text = serializers.CharField(max_length=500, trim_whitespace=True)
    display_name = serializers.CharField(
        max_length=60,
        required=False,
        allow_blank=True,
        default="",
        help_text="Empty: anonymous.",
    )
    idea_consent = serializers.BooleanField(
        required=False,
        default=False,
        help_text="A named note may become an idea under this name (ignored when anonymous).",
    )


class BoardMoveInput(Input):
    cluster = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, help_text="null: out of its cluster."
    )
    prompt = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, help_text="null or absent: same prompt."
    )


class BoardClusterInput(Input):
    title = serializers.CharField(max_length=200)
    prompt = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    notes = serializers.ListField(
        child=serializers.IntegerField(min_value=1), required=False, default=list, max_length=500
    )


class BoardClusterRenameInput(Input):
    title = serializers.CharField(max_length=200)


class BoardMergeInput(Input):
    target = serializers.IntegerField(min_value=1, help_text="The cluster that takes it all.")


class BoardDotInput(Input):
    schema_rules = exactly_one_of("note", "cluster")

    note = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    cluster = serializers.IntegerField(min_value=1, required=False, allow_null=True)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if (attrs.get("note") is None) == (attrs.get("cluster") is None):
            raise _field_error("note", _("Name one note or one cluster."), "one_target")
        return attrs


class BoardStageInput(Input):
    stage = serializers.ChoiceField(
        choices=[c for c in BoardStage.choices if c[0] != BoardStage.NOT_OPEN]
    )


class BoardTimerInput(Input):
    seconds = serializers.IntegerField(
        min_value=0,
        max_value=TIMER_MAX_SECONDS,
        help_text="How long the timer runs; 0 stops it.",
    )
    label = serializers.CharField(max_length=120, required=False, allow_blank=True, default="")


class BoardPromptsInput(Input):
    prompts = serializers.ListField(
        child=serializers.CharField(max_length=200),
        min_length=1,
        max_length=MAX_PROMPTS,
        help_text="The board's columns, in order; existing ones are rewritten in place.",
    )


# --- outputs ----------------------------------------------------------------------------


class BoardPromptOutput(serializers.Serializer):
    id = serializers.IntegerField()
    text = serializers.CharField()
    position = serializers.IntegerField()


class BoardClusterOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    prompt = serializers.IntegerField(allow_null=True)
    position = serializers.IntegerField()
    dots = serializers.IntegerField()
    idea = serializers.IntegerField(allow_null=True)


class BoardNoteOutput(serializers.Serializer):
    id = serializers.IntegerField()
    client_id = serializers.UUIDField()
    prompt = serializers.IntegerField()
    cluster = serializers.IntegerField(allow_null=True)
    text = serializers.CharField()
    display_name = serializers.CharField(help_text="Empty: anonymous.")
    dots = serializers.IntegerField()
    idea = serializers.IntegerField(allow_null=True)
    hidden = serializers.BooleanField(
        required=False, help_text="Facilitators and moderators only (hidden notes included)."
    )
    created_at = serializers.DateTimeField()


class BoardPostedNoteOutput(BoardNoteOutput):
    created = serializers.BooleanField(help_text="false: a retry; the note already existed.")


class BoardTimerOutput(serializers.Serializer):
    ends_at = serializers.DateTimeField()
    label = serializers.CharField()


class BoardOutput(serializers.Serializer):
    workshop = serializers.IntegerField()
    stage = serializers.CharField(help_text="not_open, ideation, clustering, voting or closed.")
    timer = BoardTimerOutput(allow_null=True)
    dots_per_participant = serializers.IntegerField()
    join_code = serializers.CharField(
        required=False,
        allow_null=True,
        help_text="Facilitators only; null until the board is first opened.",
    )
    presence = serializers.IntegerField(help_text="Pages watching the board live now.")
    prompts = BoardPromptOutput(many=True)
    clusters = BoardClusterOutput(many=True)
    notes = BoardNoteOutput(many=True)
    seq = serializers.IntegerField(
        help_text="The live topic's seq this state includes: subscribe to "
        "workshop:<id>:board with since=seq."
    )
    dots_left = serializers.IntegerField(
        allow_null=True, help_text="The caller's dots left; null without a seat."
    )
    can_facilitate = serializers.BooleanField()
    can_moderate = serializers.BooleanField()


class BoardJoinOutput(serializers.Serializer):
    workshop = serializers.IntegerField()
    dots_left = serializers.IntegerField()
    guest = serializers.BooleanField(help_text="A guest seat, kept by this browser session.")


class BoardDotsLeftOutput(serializers.Serializer):
    dots_left = serializers.IntegerField()


class BoardIdeaOutput(serializers.Serializer):
    idea = serializers.IntegerField(help_text="The new idea draft's id.")
