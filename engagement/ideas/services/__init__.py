"""Writes of the ideas feature, one module per part of it.

- ``processes``: create and change processes, move an idea collection on;
- ``ideas``: authors write, change, submit and withdraw ideas, and add images;
- ``discussion``: comments and replies;
- ``supports``: supports and follows;
- ``moderation``: reports, hiding and restoring, the moderation log;
- ``review``: feasibility decisions, merging, accepted ideas becoming ballot projects;
- ``checks``: what they all check first, and how they say no.

Each service checks who asks (``actor``: a person, or ``engagement.people.permissions.SYSTEM``
for the platform itself — never ``None``) and whether the phase allows it, then writes in
one transaction, and tells the people concerned through
``engagement.notifications.services.notify`` (recorded with the write, e-mailed after
commit). Refusals are ``PermissionDenied`` (role or account missing) or ``ValidationError``
with field names and stable codes: the phase under ``phase`` (``wrong_phase``), the idea's
state under ``status``. Text is sanitised here, on the way in (``engagement.content.sanitise``).
Callers import the module they need.
"""
