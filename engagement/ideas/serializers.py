"""Input and output serializers of the ideas API.

Inputs check shape and turn references into objects (district slugs, idea ids) and
decimal amounts into minor units (``engagement.http.fields``); services decide the rest and
sanitise text. Outputs describe exactly what is returned; money needs
``context["currency"]``, per-viewer fields ``context["user"]``.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from budgeting.ports import BudgetRound
from engagement.http.api import Input, exactly_one_of
from engagement.http.fields import (
    AmountDisplay,
    AmountInput,
    LatitudeInput,
    LongitudeInput,
    amount_to_minor,
)
from engagement.ideas import permissions as rules
from engagement.ideas import services
from engagement.ideas.models import (
    CollectionPhase,
    Comment,
    Idea,
    IdeaImage,
    IdeaStatus,
    ModerationLog,
    ParticipatoryProcess,
    ProcessKind,
    Report,
    ReportReason,
    ReportStatus,
)
from engagement.people.models import District, Organisation

SORT_CHOICES = [
    ("newest", _("Newest first")),
    ("oldest", _("Oldest first")),
    ("most_supported", _("Most supported first")),
    ("most_discussed", _("Most discussed first")),
]


def field_error(field: str, message: Any, code: str) -> serializers.ValidationError:
    return serializers.ValidationError({field: [serializers.ErrorDetail(str(message), code=code)]})


def author_name(user: Any) -> str | None:
    """What others see of an author: the display name, never the e-mail address."""
    if user is None:
        return None
    return user.display_name or str(_("Anonymous resident"))


# --- fields -------------------------------------------------------------------------------


def _coordinate_output() -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=9, decimal_places=6, coerce_to_string=False, read_only=True, allow_null=True
    )


# --- processes ----------------------------------------------------------------------------


class ProcessOutput(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    round = serializers.SlugRelatedField(
        source="budget_round",
        slug_field="slug",
        read_only=True,
        allow_null=True,
        help_text="Budget processes: the round (its slug in /api/v1/rounds/).",
    )
    phase = serializers.SerializerMethodField(
        help_text="The phase in force: the round's phase for budget processes; draft, "
        "collecting, reviewing or closed for idea collections (dates may have moved it)."
    )
    open_actions = serializers.SerializerMethodField(
        help_text="What the phase allows now: submit, withdraw, discuss, review, merge."
    )
    categories = serializers.ListField(child=serializers.CharField(), read_only=True)
    currency = serializers.CharField(read_only=True)
    idea_count = serializers.IntegerField(read_only=True, help_text="Public ideas.")

    class Meta:
        model = ParticipatoryProcess
        fields = [
            "slug",
            "title",
            "description",
            "kind",
            "organisation",
            "round",
            "phase",
            "open_actions",
            "categories",
            "currency",
            "collecting_from",
            "reviewing_from",
            "closes_at",
            "idea_count",
            "created_at",
        ]
        read_only_fields = fields

    def get_phase(self, obj: ParticipatoryProcess) -> str:
        return rules.current_phase(obj)

    def get_open_actions(self, obj: ParticipatoryProcess) -> list[str]:
        return rules.open_actions(obj)


class ProcessListQuery(serializers.Serializer):
    organisation = serializers.SlugField(max_length=80, required=False, help_text="Its slug.")
    kind = serializers.ChoiceField(choices=ProcessKind.choices, required=False)


class ProcessSettingsInput(Input):
    schema_rules = {"properties": {"categories": {"uniqueItems": True}}}

    title = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(allow_blank=True, max_length=20_000, required=False)
    categories = serializers.ListField(
        child=serializers.CharField(max_length=80), max_length=50, required=False
    )
    collecting_from = serializers.DateTimeField(allow_null=True, required=False)
    reviewing_from = serializers.DateTimeField(allow_null=True, required=False)
    closes_at = serializers.DateTimeField(allow_null=True, required=False)


_ABSENT_OR_NULL = {"not": {"type": "string"}}  # the fields are strings or null


class ProcessCreateInput(ProcessSettingsInput):
    # What the model checks of the kinds (ParticipatoryProcess.clean), for the schema.
    schema_rules = {
        **ProcessSettingsInput.schema_rules,
        "oneOf": [
            {
                "description": "A budget process: the idea phase of a round, on its dates.",
                "properties": {
                    "kind": {"enum": [ProcessKind.BUDGET]},
                    "round": {"type": "string"},
                    "collecting_from": _ABSENT_OR_NULL,
                    "reviewing_from": _ABSENT_OR_NULL,
                    "closes_at": _ABSENT_OR_NULL,
                },
                "required": ["round"],
            },
            {
                "description": "An idea collection, with a title and its own dates.",
                "properties": {"kind": {"enum": [ProcessKind.IDEAS]}, "round": _ABSENT_OR_NULL},
                "required": ["title"],
            },
        ],
    }

    organisation = serializers.SlugField(max_length=80, help_text="The organisation's slug.")
    kind = serializers.ChoiceField(choices=ProcessKind.choices)
    slug = serializers.SlugField(max_length=120)
    title = serializers.CharField(max_length=200, required=False)
    round = serializers.SlugField(
        max_length=120, required=False, allow_null=True, help_text="Budget processes: the round."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        organisation = Organisation.objects.filter(slug=attrs.pop("organisation")).first()
        if organisation is None:
            raise field_error("organisation", _("There is no such organisation."), "does_not_exist")
        attrs["organisation"] = organisation
        slug = attrs.pop("round", None)
        attrs["budget_round"] = None
        if slug:
            budget_round = BudgetRound.objects.filter(slug=slug, organisation=organisation).first()
            if budget_round is None:
                raise field_error(
                    "round", _("This organisation has no such round."), "does_not_exist"
                )
            attrs["budget_round"] = budget_round
        return attrs


class ProcessPhaseInput(Input):
    to_phase = serializers.ChoiceField(choices=CollectionPhase.choices)


# --- ideas --------------------------------------------------------------------------------


class IdeaDistrictOutput(serializers.ModelSerializer):
    class Meta:
        model = District
        fields = ["slug", "name"]
        read_only_fields = fields


class IdeaImageOutput(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = IdeaImage
        fields = ["id", "url", "width", "height", "alt_text"]
        read_only_fields = fields

    def get_url(self, obj: IdeaImage) -> str:
        return obj.file.url


class IdeaRefOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class IdeaProjectOutput(serializers.Serializer):
    round = serializers.CharField(source="round.slug", help_text="The round's slug.")
    id = serializers.CharField(source="external_id", help_text="The project's id in the round.")
    title = serializers.CharField()
    status = serializers.CharField()
    district = serializers.CharField(source="district_budget.key")


class IdeaReviewOutput(serializers.Serializer):
    feasible = serializers.BooleanField(allow_null=True)
    cost = serializers.IntegerField(source="admin_cost", allow_null=True)
    cost_display = AmountDisplay(source="admin_cost", allow_null=True)
    public_reason = serializers.CharField()
    reviewed_at = serializers.DateTimeField(allow_null=True)


class IdeaOutput(serializers.ModelSerializer):
    process = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    description = serializers.CharField(
        read_only=True, help_text="Sanitised HTML: p, br, strong, em, ul, ol, li, a[href]."
    )
    district = IdeaDistrictOutput(read_only=True, allow_null=True)
    latitude = _coordinate_output()
    longitude = _coordinate_output()
    estimated_cost_display = AmountDisplay(source="estimated_cost", allow_null=True)
    author = serializers.SerializerMethodField(
        help_text="The author's display name; null once the account was deleted."
    )
    is_mine = serializers.SerializerMethodField()
    images = IdeaImageOutput(many=True, read_only=True)
    support_count = serializers.IntegerField(read_only=True)
    comment_count = serializers.IntegerField(read_only=True)
    supported = serializers.BooleanField(read_only=True, help_text="By the signed-in person.")
    following = serializers.BooleanField(read_only=True, help_text="By the signed-in person.")
    review = serializers.SerializerMethodField()
    merged_into = serializers.SerializerMethodField()
    project = serializers.SerializerMethodField(
        help_text="The ballot project this accepted idea became."
    )
    hidden = serializers.BooleanField(
        read_only=True, help_text="Hidden by moderators (shown to the organisation's staff only)."
    )

    class Meta:
        model = Idea
        fields = [
            "id",
            "process",
            "title",
            "description",
            "category",
            "district",
            "latitude",
            "longitude",
            "estimated_cost",
            "estimated_cost_display",
            "status",
            "author",
            "is_mine",
            "images",
            "support_count",
            "comment_count",
            "supported",
            "following",
            "review",
            "merged_into",
            "project",
            "hidden",
            "moderation_note",
            "submitted_at",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_author(self, obj: Idea) -> str | None:
        return author_name(obj.author)

    def get_is_mine(self, obj: Idea) -> bool:
        return rules.is_author(self.context.get("user"), obj)

    @extend_schema_field(IdeaReviewOutput(allow_null=True))
    def get_review(self, obj: Idea) -> dict[str, Any] | None:
        if obj.reviewed_at is None:
            return None
        return IdeaReviewOutput(obj, context=self.context).data

    @extend_schema_field(IdeaRefOutput(allow_null=True))
    def get_merged_into(self, obj: Idea) -> dict[str, Any] | None:
        target = obj.merged_into
        if target is None or target.hidden:
            return None
        return {"id": target.pk, "title": target.title}

    @extend_schema_field(IdeaProjectOutput(allow_null=True))
    def get_project(self, obj: Idea) -> dict[str, Any] | None:
        return IdeaProjectOutput(obj.project).data if obj.project_id else None


class IdeaPermissionsOutput(serializers.Serializer):
    edit = serializers.BooleanField()
    submit = serializers.BooleanField()
    withdraw = serializers.BooleanField()
    comment = serializers.BooleanField()
    support = serializers.BooleanField()
    review = serializers.BooleanField()
    merge = serializers.BooleanField()
    moderate = serializers.BooleanField()


class IdeaDetailOutput(IdeaOutput):
    permissions = serializers.SerializerMethodField(
        help_text="What the signed-in person may do with this idea now."
    )

    class Meta(IdeaOutput.Meta):
        fields = [*IdeaOutput.Meta.fields, "permissions"]
        read_only_fields = fields

    @extend_schema_field(IdeaPermissionsOutput)
    def get_permissions(self, obj: Idea) -> dict[str, bool]:
        return rules.idea_permissions(self.context.get("user"), obj)


class IdeaListQuery(serializers.Serializer):
    status = serializers.ChoiceField(choices=IdeaStatus.choices, required=False)
    category = serializers.CharField(max_length=80, required=False)
    district = serializers.SlugField(max_length=80, required=False, help_text="District slug.")
    project = serializers.CharField(
        max_length=120, required=False, help_text="The ballot project id an idea became."
    )
    q = serializers.CharField(max_length=200, required=False, help_text="Words to search for.")
    mine = serializers.BooleanField(
        required=False, default=False, help_text="Only my ideas, drafts included."
    )
    sort = serializers.ChoiceField(choices=SORT_CHOICES, required=False, default="newest")


class SimilarQuery(serializers.Serializer):
    text = serializers.CharField(max_length=2000, help_text="The title and/or text being written.")
    exclude = serializers.IntegerField(
        required=False, min_value=1, help_text="An idea to leave out (the one being edited)."
    )


class IdeaFieldsInput(Input):
    """What an author writes; every field optional (``PATCH``)."""

    title = serializers.CharField(max_length=services.TITLE_MAX, required=False)
    description = serializers.CharField(
        max_length=services.DESCRIPTION_MAX,
        required=False,
        help_text="Rich text: p, br, strong, em, ul, ol, li, a[href]; anything else removed.",
    )
    category = serializers.CharField(max_length=80, allow_blank=True, required=False)
    district = serializers.SlugField(
        max_length=80, allow_null=True, required=False, help_text="A district slug."
    )
    latitude = LatitudeInput(allow_null=True, required=False)
    longitude = LongitudeInput(allow_null=True, required=False)
    estimated_cost = AmountInput(
        allow_null=True, required=False, help_text="The author's estimate, in currency units."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """Districts by slug within the process's organisation; amounts to minor units."""
        process: ParticipatoryProcess = self.context["process"]
        if attrs.get("district") is not None:
            district = District.objects.filter(
                organisation_id=process.organisation_id, slug=attrs["district"]
            ).first()
            if district is None:
                raise field_error(
                    "district",
                    _("%(organisation)s has no district %(district)s.")
                    % {"organisation": process.organisation.name, "district": attrs["district"]},
                    "unknown_district",
                )
            attrs["district"] = district
        if attrs.get("estimated_cost") is not None:
            attrs["estimated_cost"] = amount_to_minor(
                attrs["estimated_cost"], process.currency, "estimated_cost"
            )
        return attrs


class IdeaCreateInput(IdeaFieldsInput):
    title = serializers.CharField(max_length=services.TITLE_MAX)
    description = serializers.CharField(max_length=services.DESCRIPTION_MAX)
    submit = serializers.BooleanField(
        default=False, help_text="Submit at once instead of keeping a draft."
    )


class IdeaImageInput(Input):
    image = serializers.FileField(
        allow_empty_file=False,
        help_text="JPEG, PNG or WebP (checked by content, not by name); at most 8 MB.",
    )
    alt_text = serializers.CharField(max_length=300, allow_blank=True, required=False)


# --- discussion ---------------------------------------------------------------------------


class IdeaCommentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    depth = serializers.IntegerField()
    author = serializers.SerializerMethodField()
    is_mine = serializers.SerializerMethodField()
    body = serializers.SerializerMethodField(
        help_text="Sanitised HTML; empty for deleted comments, and for hidden ones unless you "
        "are the organisation's staff."
    )
    deleted = serializers.SerializerMethodField()
    hidden = serializers.BooleanField()
    moderation_note = serializers.SerializerMethodField(
        help_text="Why moderators hid the comment (public)."
    )
    created_at = serializers.DateTimeField()
    edited_at = serializers.DateTimeField(allow_null=True)
    replies = serializers.SerializerMethodField()

    def _shown(self, obj: Comment) -> bool:
        return not obj.is_deleted and (not obj.hidden or self.context.get("staff", False))

    def get_author(self, obj: Comment) -> str | None:
        return author_name(obj.author) if self._shown(obj) else None

    def get_is_mine(self, obj: Comment) -> bool:
        return rules.is_author(self.context.get("user"), obj)

    def get_body(self, obj: Comment) -> str:
        return obj.body if self._shown(obj) else ""

    def get_deleted(self, obj: Comment) -> bool:
        return obj.is_deleted

    def get_moderation_note(self, obj: Comment) -> str:
        return obj.moderation_note if obj.hidden else ""

    def get_replies(self, obj: Comment) -> list[dict[str, Any]]:
        replies = getattr(obj, "thread_replies", [])
        return IdeaCommentOutput(replies, many=True, context=self.context).data


IdeaCommentOutput.get_replies = extend_schema_field(IdeaCommentOutput(many=True))(  # type: ignore[method-assign]
    IdeaCommentOutput.get_replies
)


class IdeaCommentInput(Input):
    body = serializers.CharField(
        max_length=services.COMMENT_MAX,
        help_text="Rich text: p, br, strong, em, ul, ol, li, a[href]; anything else removed.",
    )
    parent = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, help_text="The comment answered."
    )


class IdeaCommentUpdateInput(Input):
    body = serializers.CharField(max_length=services.COMMENT_MAX)


class CommentListQuery(serializers.Serializer):
    sort = serializers.ChoiceField(
        choices=[("oldest", _("Oldest first")), ("newest", _("Newest first"))],
        required=False,
        default="oldest",
    )


class IdeaSupportOutput(serializers.Serializer):
    supported = serializers.BooleanField()
    support_count = serializers.IntegerField()


class IdeaFollowOutput(serializers.Serializer):
    following = serializers.BooleanField()


# --- moderation ---------------------------------------------------------------------------


class ModerationTargetInput(Input):
    schema_rules = exactly_one_of("idea", "comment")

    idea = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    comment = serializers.IntegerField(required=False, allow_null=True, min_value=1)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if (attrs.get("idea") is None) == (attrs.get("comment") is None):
            raise field_error("idea", _("Name one idea or one comment."), "one_target")
        return attrs


class ContentReportInput(ModerationTargetInput):
    reason = serializers.ChoiceField(choices=ReportReason.choices)
    details = serializers.CharField(
        max_length=services.DETAILS_MAX, allow_blank=True, required=False
    )


class ContentReportOutput(serializers.ModelSerializer):
    class Meta:
        model = Report
        fields = ["id", "idea", "comment", "reason", "details", "status", "created_at"]
        read_only_fields = fields


class ModerationInput(ModerationTargetInput):
    note = serializers.CharField(
        max_length=services.NOTE_MAX,
        allow_blank=True,
        required=False,
        help_text="Public: shown where the content was, and sent to its author.",
    )


class ReportedContentOutput(serializers.Serializer):
    kind = serializers.ChoiceField(choices=[("idea", "idea"), ("comment", "comment")])
    id = serializers.IntegerField()
    idea = serializers.IntegerField(help_text="The idea (itself, or the one commented on).")
    process = serializers.CharField()
    title = serializers.CharField(help_text="The idea's title.")
    text = serializers.CharField(help_text="The reported text (sanitised HTML).")
    author = serializers.CharField(allow_null=True)
    hidden = serializers.BooleanField()
    deleted = serializers.BooleanField()


class QueueEntryOutput(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    reporter = serializers.SerializerMethodField()
    content = serializers.SerializerMethodField()
    open_reports = serializers.IntegerField(
        read_only=True, help_text="Open reports on the same content."
    )

    class Meta:
        model = Report
        fields = [
            "id",
            "organisation",
            "reason",
            "details",
            "status",
            "reporter",
            "content",
            "open_reports",
            "created_at",
            "resolved_at",
        ]
        read_only_fields = fields

    def get_reporter(self, obj: Report) -> str | None:
        return author_name(obj.reporter)

    @extend_schema_field(ReportedContentOutput)
    def get_content(self, obj: Report) -> dict[str, Any]:
        if obj.comment_id:
            comment = obj.comment
            idea = comment.idea
            return {
                "kind": "comment",
                "id": comment.pk,
                "idea": idea.pk,
                "process": idea.process.slug,
                "title": idea.title,
                "text": comment.body,
                "author": author_name(comment.author),
                "hidden": comment.hidden,
                "deleted": comment.is_deleted,
            }
        idea = obj.idea
        return {
            "kind": "idea",
            "id": idea.pk,
            "idea": idea.pk,
            "process": idea.process.slug,
            "title": idea.title,
            "text": idea.description,
            "author": author_name(idea.author),
            "hidden": idea.hidden,
            "deleted": False,
        }


class ModerationLogOutput(serializers.ModelSerializer):
    organisation = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    actor = serializers.SerializerMethodField()

    class Meta:
        model = ModerationLog
        fields = [
            "id",
            "organisation",
            "actor",
            "action",
            "idea",
            "comment",
            "note",
            "reports_closed",
            "created_at",
        ]
        read_only_fields = fields

    def get_actor(self, obj: ModerationLog) -> str | None:
        return author_name(obj.actor)


class ModerationQueueQuery(serializers.Serializer):
    organisation = serializers.SlugField(max_length=80, required=False)
    status = serializers.ChoiceField(
        choices=ReportStatus.choices, required=False, default=ReportStatus.OPEN
    )


class ModerationLogQuery(serializers.Serializer):
    organisation = serializers.SlugField(max_length=80, required=False)


# --- review -------------------------------------------------------------------------------


class ReviewInput(Input):
    decision = serializers.ChoiceField(
        choices=[
            (IdeaStatus.UNDER_REVIEW, IdeaStatus.UNDER_REVIEW.label),
            (IdeaStatus.ACCEPTED, IdeaStatus.ACCEPTED.label),
            (IdeaStatus.REJECTED, IdeaStatus.REJECTED.label),
        ]
    )
    cost = AmountInput(
        required=False,
        allow_null=True,
        help_text="The administration's cost estimate (needed to accept into a budget).",
    )
    public_reason = serializers.CharField(
        max_length=services.NOTE_MAX, allow_blank=True, required=False
    )
    district = serializers.SlugField(
        max_length=80,
        required=False,
        allow_null=True,
        help_text="Budget processes: the round's district budget key for the project "
        "(default: the idea's district, else city-wide).",
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        process: ParticipatoryProcess = self.context["process"]
        if attrs.get("cost") is not None:
            attrs["cost"] = amount_to_minor(attrs["cost"], process.currency, "cost")
        return attrs


class MergeInput(Input):
    into = serializers.IntegerField(min_value=1, help_text="The idea this one duplicates.")
    public_reason = serializers.CharField(
        max_length=services.NOTE_MAX, allow_blank=True, required=False
    )
