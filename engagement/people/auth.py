"""Authentication backend: Django's ModelBackend with a cheaper session lookup.

``get_user`` runs on every signed-in request. The ORM spends ~200 µs of CPU compiling
``User.objects.get(pk=...)``; one plain SELECT of the same columns costs ~50 µs and
builds the identical model instance. PostgreSQL's driver already returns every column of the
user as its Python type; other databases (SQLite: dates as text) go through the ORM.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.db import connections, router

from engagement.people.models import User

_COLUMNS = tuple(f.column for f in User._meta.concrete_fields)
_SQL = f"SELECT {', '.join(_COLUMNS)} FROM {User._meta.db_table} WHERE id = %s"


def user_by_id(user_id: Any) -> User | None:
    try:
        user_id = int(user_id)
    except (TypeError, ValueError):
        return None
    alias = router.db_for_read(User)
    if connections[alias].vendor != "postgresql":
        return User.objects.using(alias).filter(pk=user_id).first()
    with connections[alias].cursor() as cursor:
        cursor.execute(_SQL, [user_id])
        row = cursor.fetchone()
    return None if row is None else User.from_db(alias, _COLUMNS, row)


class UserBackend(ModelBackend):
    def get_user(self, user_id: Any) -> User | None:
        user = user_by_id(user_id)
        return user if user is not None and self.user_can_authenticate(user) else None
