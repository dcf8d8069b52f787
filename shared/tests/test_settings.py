"""Settings come from the environment, validated, with the variable named in every error."""

import pytest
from em_shared.runtime.settings import CommonSettings, SettingsError, describe, load_settings


def test_defaults_apply_when_the_environment_is_empty():
    s = load_settings(CommonSettings, {})
    assert s.nats_url == "nats://127.0.0.1:14222"
    assert s.database_url.endswith(":15432/postgres")


def test_environment_overrides_and_converts_types():
    s = load_settings(
        CommonSettings, {"NATS_URL": "nats://n:4222", "DB_POOL_MAX": "3", "SHUTDOWN_GRACE_S": "2.5"}
    )
    assert (s.nats_url, s.db_pool_max, s.shutdown_grace_s) == ("nats://n:4222", 3, 2.5)


def test_a_malformed_value_names_its_variable():
    with pytest.raises(SettingsError, match="DB_POOL_MAX"):
        load_settings(CommonSettings, {"DB_POOL_MAX": "many"})


def test_settings_are_frozen():
    s = load_settings(CommonSettings, {})
    with pytest.raises(AttributeError):
        s.nats_url = "x"  # type: ignore[misc]


def test_every_setting_is_documented():
    rows = describe(CommonSettings)
    assert {r[0] for r in rows} >= {
        "NATS_URL",
        "DATABASE_URL",
        "TEMPORAL_ADDRESS",
        "EM_NAMESPACE",
        "LOG_LEVEL",
    }
    assert all(r[3] for r in rows), "every setting needs a description"
