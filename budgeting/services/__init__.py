"""Writes for budget rounds. Each service validates, checks who asks, and writes in one
transaction; failures raise ``ValidationError`` (field-level, with codes) or
``PermissionDenied``."""
