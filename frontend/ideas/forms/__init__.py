"""Forms of the ideas pages, one module per part as the views: ``ideas``, ``discussion``,
``reports``, the staff queues' ``review`` and ``moderation``; ``common`` holds what they share.

They render the fields and read the input the way the API does: the idea form hands its
values to the API's input serializer (``IdeaFieldsInput``: coordinates, amounts in the
process's currency, district slugs), so a page and the API refuse exactly the same input
with the same messages. Services then decide the rest (phase, author, sanitising) and their
``ValidationError`` is put back on the form field it names
(``frontend.service_errors.add_service_errors``).
"""
