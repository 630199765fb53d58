"""What the ideas feature holds about a person, for the personal-data export.

Registered with the kernel (``engagement.personal_data``) when the app loads. On account
deletion authored content stays, anonymised (the foreign keys set the author to NULL);
supports and follows go with the account.
"""

from __future__ import annotations

from typing import Any

from engagement import personal_data
from engagement.ideas.models import Comment, Follow, Idea, Report, Support
from engagement.personal_data import iso


def _ideas(user: Any) -> list[dict[str, Any]]:
    return [
        {
            "id": i.pk,
            "process": i.process.slug,
            "title": i.title,
            "description": i.description,
            "category": i.category,
            "district": i.district.slug if i.district_id else None,
            "latitude": str(i.latitude) if i.latitude is not None else None,
            "longitude": str(i.longitude) if i.longitude is not None else None,
            "estimated_cost": i.estimated_cost,
            "status": i.status,
            "hidden": i.hidden,
            "moderation_note": i.moderation_note,
            "images": [
                {"file": image.file.name, "alt_text": image.alt_text} for image in i.images.all()
            ],
            "created_at": iso(i.created_at),
            "submitted_at": iso(i.submitted_at),
        }
        for i in Idea.objects.filter(author=user)
        .select_related("process", "district")
        .prefetch_related("images")
        .order_by("created_at", "pk")
    ]


def _comments(user: Any) -> list[dict[str, Any]]:
    return [
        {
            "id": c.pk,
            "idea": c.idea_id,
            "parent": c.parent_id,
            "body": c.body,
            "hidden": c.hidden,
            "moderation_note": c.moderation_note,
            "created_at": iso(c.created_at),
            "edited_at": iso(c.edited_at),
            "deleted_at": iso(c.deleted_at),
        }
        for c in Comment.objects.filter(author=user).order_by("created_at", "pk")
    ]


def _supports(user: Any) -> list[dict[str, Any]]:
    return [
        {"idea": s.idea_id, "title": s.idea.title, "since": iso(s.created_at)}
        for s in Support.objects.filter(user=user).select_related("idea")
    ]


def _followed_ideas(user: Any) -> list[dict[str, Any]]:
    return [
        {"idea": f.idea_id, "title": f.idea.title, "since": iso(f.created_at)}
        for f in Follow.objects.filter(user=user).select_related("idea")
    ]


def _reports(user: Any) -> list[dict[str, Any]]:
    return [
        {
            "idea": r.idea_id,
            "comment": r.comment_id,
            "reason": r.reason,
            "details": r.details,
            "status": r.status,
            "created_at": iso(r.created_at),
        }
        for r in Report.objects.filter(reporter=user).order_by("created_at", "pk")
    ]


def register() -> None:
    for position, (name, export) in enumerate(
        [
            ("ideas", _ideas),
            ("comments", _comments),
            ("supports", _supports),
            ("followed_ideas", _followed_ideas),
            ("reports", _reports),
        ]
    ):
        personal_data.register_section(name, export, position=110 + 10 * position)
