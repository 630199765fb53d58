"""The moderation queue of an organisation: open reports grouped by the idea or comment they
name, hiding, restoring or dismissing (with htmx, the row swapped for its outcome), and the
moderation log.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from engagement.ideas import selectors
from engagement.ideas.models import Comment, Idea, ModerationAction, ReportReason
from engagement.ideas.services import moderation as moderation_services
from engagement.people import permissions
from engagement.people.models import Organisation
from frontend.ideas.forms.moderation import ModerationForm
from frontend.ideas.views.common import is_htmx
from frontend.service_errors import add_service_errors
from frontend.staff_access import require, signed_in, staff_crumbs

LOG_PAGE_SIZE = 25


def _content_of(report: Any) -> tuple[str, Idea, Comment | None]:
    if report.comment_id:
        return "comment", report.comment.idea, report.comment
    return "idea", report.idea, None


def _report_groups(reports: Any, organisation: Organisation) -> list[dict[str, Any]]:
    """Open reports grouped by the idea or comment they name, in order of the oldest."""
    groups: dict[tuple[str, int], dict[str, Any]] = {}
    reason_labels = dict(ReportReason.choices)
    action_url = reverse("frontend:staff_moderation", args=[organisation.slug])
    for report in reports:
        kind, idea, comment = _content_of(report)
        key = (kind, comment.pk if comment else idea.pk)
        group = groups.get(key)
        if group is None:
            group = groups[key] = {
                "kind": kind,
                "target_id": key[1],
                "idea": idea,
                "comment": comment,
                "content": comment if comment else idea,
                "reports": [],
                "reasons": Counter(),
                "first_at": report.created_at,
                "form": None,
                "action_url": action_url,
            }
        group["reports"].append(report)
        group["reasons"][str(reason_labels.get(report.reason, report.reason))] += 1
    for group in groups.values():
        group["count"] = len(group["reports"])
        group["reasons"] = group["reasons"].most_common()
        group["dom_id"] = f"report-{group['kind']}-{group['target_id']}"
    return list(groups.values())


def _moderation_target(
    organisation: Organisation, kind: str, target_id: int
) -> dict[str, Idea | Comment]:
    if kind == "comment":
        comment = get_object_or_404(
            Comment.objects.select_related("idea__process", "author"),
            pk=target_id,
            idea__process__organisation=organisation,
        )
        return {"comment": comment}
    idea = get_object_or_404(
        Idea.objects.select_related("process", "author"),
        pk=target_id,
        process__organisation=organisation,
    )
    return {"idea": idea}


MODERATION_SERVICES = {
    "hide": moderation_services.content_hide,
    "restore": moderation_services.content_restore,
    "dismiss": moderation_services.reports_dismiss,
}


@require_http_methods(["GET", "POST"])
def moderation(request: HttpRequest, org_slug: str) -> HttpResponse:
    if (response := signed_in(request)) is not None:
        return response
    organisation = get_object_or_404(Organisation, slug=org_slug)
    require(
        request,
        permissions.can_moderate(request.user, organisation),
        _("Only moderators of this organisation can see the moderation queue."),
    )
    failed: ModerationForm | None = None
    if request.method == "POST":
        form = ModerationForm(request.POST, auto_id=_moderation_auto_id(request.POST))
        outcome = _moderate(request, organisation, form)
        if outcome is not None:
            return outcome
        failed = form
    queue = selectors.moderation_queue(request.user, organisation=organisation)
    groups = _report_groups(queue, organisation)
    if failed is not None:
        for group in groups:
            if (group["kind"], group["target_id"]) == (
                failed.data.get("target"),
                _int(failed.data.get("target_id")),
            ):
                group["form"] = failed
    log = _log_page(request, organisation, request.GET.get("page"))
    if failed is not None and failed.data.get("region") == "log":
        failed_key = (failed.data.get("target"), _int(failed.data.get("target_id")))
        for entry in log.object_list:
            key = ("comment", entry.comment_id) if entry.comment_id else ("idea", entry.idea_id)
            entry.restore_form = failed if entry.can_restore and key == failed_key else None
    return render(
        request,
        "frontend/staff/queues/moderation.html",
        {
            "organisation": organisation,
            "groups": groups,
            "report_count": sum(g["count"] for g in groups),
            "page_obj": log,
            "failed": failed,
            "crumbs": staff_crumbs(organisation, (_("Moderation"), None)),
        },
        status=400 if failed is not None else 200,
    )


def _moderation_auto_id(data: Any) -> str:
    """Field ids of the row the form came from, so the error summary links to its note."""
    kind = "comment" if data.get("target") == "comment" else "idea"
    target_id = _int(data.get("target_id")) or 0
    prefix = "restore" if data.get("region") == "log" else "report"
    return f"{prefix}-{kind}-{target_id}-%s"


def _log_page(request: HttpRequest, organisation: Organisation, number: Any) -> Any:
    entries = selectors.moderation_log(request.user, organisation=organisation)
    page = Paginator(entries.select_related("comment__idea"), LOG_PAGE_SIZE).get_page(number)
    _mark_restorable(page.object_list)
    return page


def _mark_restorable(entries: Any) -> None:
    """Offer "restore" on the newest hide entry of content that is still hidden."""
    seen: set[tuple[str, int]] = set()
    for entry in entries:
        key = ("comment", entry.comment_id) if entry.comment_id else ("idea", entry.idea_id)
        content = entry.comment if entry.comment_id else entry.idea
        entry.can_restore = (
            entry.action == ModerationAction.HIDE and content.hidden and key not in seen
        )
        seen.add(key)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _moderate(
    request: HttpRequest, organisation: Organisation, form: ModerationForm
) -> HttpResponse | None:
    """Run one moderation decision; ``None`` when the form must be shown again (400)."""
    region = request.POST.get("region", "queue")
    if form.is_valid():
        kind = form.cleaned_data["target"]
        target = _moderation_target(organisation, kind, form.cleaned_data["target_id"])
        action = form.cleaned_data["action"]
        try:
            entry = MODERATION_SERVICES[action](
                actor=request.user, note=form.cleaned_data.get("note", ""), **target
            )
        except ValidationError as error:
            add_service_errors(form, error, aliases={"target": "__all__"})
        else:
            done = {
                ModerationAction.HIDE: _("Hidden, with your public note. Its author is told."),
                ModerationAction.RESTORE: _("Shown again. Its author is told."),
                ModerationAction.DISMISS: _("Reports dismissed; the content stays visible."),
            }[entry.action]
            if is_htmx(request):
                # The row becomes the outcome; the log's first page is swapped in too.
                return render(
                    request,
                    "frontend/staff/queues/_moderation_done.html",
                    {
                        "message": done,
                        "entry": entry,
                        "region": region,
                        # Restoring from the log swaps within the log: no second copy.
                        "page_obj": _log_page(request, organisation, 1)
                        if region == "queue"
                        else None,
                    },
                )
            messages.success(request, done)
            return redirect(
                reverse("frontend:staff_moderation", args=[organisation.slug])
                + _page_query(request)
            )
    if is_htmx(request):
        return _moderation_partial(request, organisation, form, region)
    return None


def _page_query(request: HttpRequest) -> str:
    page = _int(request.POST.get("page"))
    return f"?page={page}" if page and page > 1 else ""


def _moderation_partial(
    request: HttpRequest, organisation: Organisation, form: ModerationForm, region: str
) -> HttpResponse:
    """The row the form came from, with its errors (htmx swaps it in place; status 400)."""
    kind = form.data.get("target")
    target_id = _int(form.data.get("target_id"))
    if region == "log" and target_id:
        target = _moderation_target(organisation, kind if kind == "comment" else "idea", target_id)
        return render(
            request,
            "frontend/staff/queues/_moderation_restore.html",
            {
                "form": form,
                "kind": "comment" if "comment" in target else "idea",
                "target_id": target_id,
                "dom_id": f"restore-{kind}-{target_id}",
            },
            status=400,
        )
    queue = selectors.moderation_queue(request.user, organisation=organisation)
    queue = (
        queue.filter(comment_id=target_id)
        if kind == "comment"
        else queue.filter(idea_id=target_id, comment__isnull=True)
    )
    groups = _report_groups(queue, organisation)
    if not groups:
        return render(
            request,
            "frontend/staff/queues/_moderation_done.html",
            {"message": _("These reports were already handled."), "region": region},
            status=400,
        )
    group = groups[0]
    group["form"] = form
    return render(
        request, "frontend/staff/queues/_moderation_group.html", {"group": group}, status=400
    )
