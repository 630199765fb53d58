"""Citizen ideas: processes and their phases, ideas, discussion, moderation and review.

``services`` write (one transaction each, permission and phase checked, notifications
queued), ``selectors`` read (bounded query counts), ``api`` is the thin REST layer.
``phases``, ``sanitise`` and ``search.tokens`` are plain Python.
"""
