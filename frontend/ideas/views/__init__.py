"""The pages of participatory processes and citizen ideas, one module per part, as the
services of ``engagement.ideas.services``: ``processes`` (an organisation's page and a
process's page), ``ideas`` (the list, similar ideas, writing, editing, withdrawing, images,
the idea's page), ``discussion`` (comments), ``supports`` (support and follow), ``reports``
(reporting content), and the staff queues ``review`` and ``moderation``; ``common`` holds what
the public pages share.

Thin views over the same selectors and services as the ideas API
(``engagement.ideas.selectors`` / ``services``): what a visitor may see is decided by the
selectors (drafts, hidden content and draft processes are a 404), what they may do by the
services (a refusal becomes a 400 with the message on the field it names, or a 403).
Without JavaScript every action is a POST and a redirect with a message; with htmx the
support, follow and comment forms and the idea list's results are swapped in place
(``HX-Request``), answering with the same fragment templates the full pages include.

The staff queues check the role with the predicates of ``engagement.people.permissions``
(anonymous: sign-in page; anyone else without the role: 403), read through the selectors and
write through the services the API uses. A service refusal re-renders the form with status
400 and its messages under the fields.
"""
