"""REST endpoints for processes, ideas, discussion, supports, moderation and review.

One view module per part of the feature (``processes``, ``ideas``, ``discussion``,
``supports``, ``moderation``, ``review``), its serializers in ``serializers`` under the same
names, what they share in ``common`` and the routes in ``urls``.

Each handler finds what the visitor may see (``selectors.visible_process`` /
``visible_idea`` / ``visible_comment``: drafts of processes and ideas, and hidden content,
are a 404 to whoever may not see them), asks the service's role check (so a caller without
the role gets 403 whatever the body says), reads the input with an input serializer, makes
one service or selector call and answers with an output serializer. Services check roles and
phases; their ``ValidationError`` becomes a 400 with field messages and ``error_codes``
(``engagement.http.api``), ``PermissionDenied`` a 403. Writes that people repeat — submitting ideas,
commenting, supporting, reporting — are rate-limited per person (DRF scoped throttles).
"""
