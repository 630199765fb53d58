"""Staff forms of a round, one module per page group. They read the page's input; shared
checks of ``budgeting.inputs`` and the services decide (errors come back with
:func:`frontend.service_errors.add_service_errors`)."""
