"""Settings helpers: safe defaults when unset, loud failures on bad values."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_database, env_int, env_list, env_redis_url, env_str


class TestEnvBool:
    @pytest.mark.parametrize("raw", ["1", "true", "TRUE", "yes", "on", " On "])
    def test_truthy_spellings(self, raw):
        assert env_bool("X", False, environ={"X": raw}) is True

    @pytest.mark.parametrize("raw", ["0", "false", "no", "off"])
    def test_falsy_spellings(self, raw):
        assert env_bool("X", True, environ={"X": raw}) is False

    def test_unset_or_empty_gives_default(self):
        assert env_bool("X", True, environ={}) is True
        assert env_bool("X", False, environ={"X": "  "}) is False

    def test_garbage_is_rejected_naming_the_variable(self):
        with pytest.raises(ImproperlyConfigured, match="KOPA_DEBUG='maybe'"):
            env_bool("KOPA_DEBUG", False, environ={"KOPA_DEBUG": "maybe"})


class TestEnvInt:
    def test_parses(self):
        assert env_int("N", 3, environ={"N": "42"}) == 42

    def test_default(self):
        assert env_int("N", 3, environ={}) == 3

    def test_not_a_number(self):
        with pytest.raises(ImproperlyConfigured, match="expected an integer"):
            env_int("N", 3, environ={"N": "4.5"})

    def test_bounds(self):
        with pytest.raises(ImproperlyConfigured, match="at least 1"):
            env_int("N", 3, minimum=1, environ={"N": "0"})
        with pytest.raises(ImproperlyConfigured, match="at most 10"):
            env_int("N", 3, maximum=10, environ={"N": "11"})


class TestEnvStrAndList:
    def test_choices_enforced(self):
        assert env_str("M", "a", choices=("a", "b"), environ={"M": "b"}) == "b"
        with pytest.raises(ImproperlyConfigured, match="expected one of a, b"):
            env_str("M", "a", choices=("a", "b"), environ={"M": "c"})

    def test_list_splits_and_trims(self):
        assert env_list("L", environ={"L": " a.example, b.example ,,"}) == [
            "a.example",
            "b.example",
        ]
        assert env_list("L", ["x"], environ={}) == ["x"]


class TestEnvDatabase:
    def test_postgres_url(self):
        config = env_database("DB", "sqlite:///x", environ={"DB": "postgres://u:p@h:5433/kopa"})
        assert config["ENGINE"] == "django.db.backends.postgresql"
        assert (config["NAME"], config["HOST"], config["PORT"], config["USER"]) == (
            "kopa",
            "h",
            5433,
            "u",
        )

    def test_default_is_sqlite(self):
        config = env_database("DB", "sqlite:////tmp/kopa.sqlite3", environ={})
        assert config["ENGINE"] == "django.db.backends.sqlite3"
        assert config["NAME"] == "/tmp/kopa.sqlite3"

    @pytest.mark.parametrize(
        ("url", "reason"),
        [
            ("mysql://root@localhost/kopa", "PostgreSQL or SQLite only"),
            ("nonsense://x", "not a database URL"),
            ("postgres://localhost", "names no database"),
        ],
    )
    def test_rejected(self, url, reason):
        with pytest.raises(ImproperlyConfigured, match=reason):
            env_database("DATABASE_URL", "sqlite:///x", environ={"DATABASE_URL": url})


class TestEnvRedisUrl:
    def test_accepts_redis_urls(self):
        assert env_redis_url("R", environ={"R": "redis://127.0.0.1:6379/0"}).startswith("redis://")

    def test_unset_is_none(self):
        assert env_redis_url("R", environ={}) is None

    def test_rejects_other_schemes(self):
        with pytest.raises(ImproperlyConfigured, match="REDIS_URL='http://x'"):
            env_redis_url("REDIS_URL", environ={"REDIS_URL": "http://x"})


def test_env_example_lists_every_variable_the_settings_read():
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    read = set()
    for source in (root / "config").glob("*.py"):
        read |= set(re.findall(r'env_\w+\(\s*"([A-Z_]+)"', source.read_text()))
    listed = set(re.findall(r"^([A-Z_]+)=", (root / ".env.example").read_text(), re.MULTILINE))
    assert read, "no settings variables found"
    assert read - listed == set()
