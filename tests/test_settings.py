"""AppSettings.from_env: defaults, validation with one-line errors, secrets kept out of repr."""

from __future__ import annotations

from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from bot.ops.errors import SettingsError
from bot.ops.settings import AppSettings

SECRET = "whsec-9f8e7d6c5b4a"


def pem(key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey, password: bytes | None = None) -> str:
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, encryption
    ).decode()


@pytest.fixture(scope="module")
def rsa_key() -> rsa.RSAPrivateKey:
    """One RSA key for the module: generating keys is the slow part of these tests."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def rsa_pem(rsa_key: rsa.RSAPrivateKey) -> str:
    """The key in the PKCS#1 form GitHub hands out."""
    return pem(rsa_key)


@pytest.fixture
def env(rsa_pem: str) -> dict[str, str]:
    return {
        "GITHUB_APP_ID": "12345",
        "GITHUB_PRIVATE_KEY": rsa_pem,
        "GITHUB_WEBHOOK_SECRET": SECRET,
    }


def key_body(text: str) -> str:
    """A line from the middle of a PEM block: enough to spot a leak."""
    return text.strip().splitlines()[5]


def test_happy_path_with_defaults(env: dict[str, str], rsa_pem: str) -> None:
    settings = AppSettings.from_env(env)
    assert settings.app_id == 12345
    assert settings.private_key == rsa_pem.strip() + "\n"
    assert settings.webhook_secret == SECRET
    assert settings.redis_url == "redis://127.0.0.1:6379/0"
    assert settings.api_url == "https://api.github.com"
    assert settings.app_slug == "review-tiers"
    assert settings.bot_login == "review-tiers[bot]"
    assert settings.log_level == "INFO"
    assert settings.debounce_seconds == 0.0


def test_every_optional_variable(env: dict[str, str]) -> None:
    env |= {
        "REDIS_URL": "rediss://:pw@cache.internal:6380/2",
        "GITHUB_API_URL": "https://ghe.example.com/api/v3/",
        "GITHUB_APP_SLUG": "acme-tiers",
        "LOG_LEVEL": "debug",
        "REVIEW_TIERS_DEBOUNCE_SECONDS": "0.5",
    }
    settings = AppSettings.from_env(env)
    assert settings.redis_url == "rediss://:pw@cache.internal:6380/2"
    assert settings.api_url == "https://ghe.example.com/api/v3"
    assert settings.bot_login == "acme-tiers[bot]"
    assert settings.log_level == "DEBUG"
    assert settings.debounce_seconds == 0.5


def test_rubber_stamp_minutes(env: dict[str, str]) -> None:
    assert AppSettings.from_env(env).rubber_stamp_minutes == 5
    env["REVIEW_TIERS_RUBBER_STAMP_MINUTES"] = "15"
    assert AppSettings.from_env(env).rubber_stamp_minutes == 15
    env["REVIEW_TIERS_RUBBER_STAMP_MINUTES"] = "-1"
    with pytest.raises(SettingsError, match="RUBBER_STAMP_MINUTES"):
        AppSettings.from_env(env)


def test_metrics_ports(env: dict[str, str]) -> None:
    defaults = AppSettings.from_env(env)
    assert (defaults.metrics_port, defaults.web_metrics_port) == (9100, 9101)
    env |= {"REVIEW_TIERS_METRICS_PORT": "0", "REVIEW_TIERS_WEB_METRICS_PORT": " 9200 "}
    settings = AppSettings.from_env(env)
    assert (settings.metrics_port, settings.web_metrics_port) == (0, 9200)


def test_recovery_settings(env: dict[str, str]) -> None:
    defaults = AppSettings.from_env(env)
    assert (defaults.recovery_seconds, defaults.recovery_lookback_seconds) == (300, 3600)
    assert defaults.recovery_min_remaining == 500
    env.update(
        REVIEW_TIERS_RECOVERY_SECONDS="60",
        REVIEW_TIERS_RECOVERY_LOOKBACK_SECONDS="259200",
        REVIEW_TIERS_RECOVERY_MIN_REMAINING="0",
    )
    settings = AppSettings.from_env(env)
    assert (settings.recovery_seconds, settings.recovery_lookback_seconds) == (60, 259200)
    assert settings.recovery_min_remaining == 0
    assert "recovery_seconds=60" in repr(settings)


def test_mode(env: dict[str, str]) -> None:
    assert AppSettings.from_env(env).mode == "enforce"
    env["REVIEW_TIERS_MODE"] = " Shadow "
    settings = AppSettings.from_env(env)
    assert settings.mode == "shadow" and "mode='shadow'" in repr(settings)
    env["REVIEW_TIERS_MODE"] = "enforce"
    assert AppSettings.from_env(env).mode == "enforce"


def test_previous_webhook_secret(env: dict[str, str]) -> None:
    assert AppSettings.from_env(env).webhook_secrets == (SECRET,)
    env["GITHUB_WEBHOOK_SECRET_PREVIOUS"] = " old secret "  # kept byte for byte, like the current
    settings = AppSettings.from_env(env)
    assert settings.webhook_secrets == (SECRET, " old secret ")
    assert "old secret" not in repr(settings) and "webhook_secret_previous='***'" in repr(settings)


def test_blank_optional_values_mean_default(env: dict[str, str]) -> None:
    env |= {"REDIS_URL": "", "GITHUB_API_URL": " ", "LOG_LEVEL": ""}
    settings = AppSettings.from_env(env)
    assert settings.redis_url == "redis://127.0.0.1:6379/0"
    assert settings.api_url == "https://api.github.com"
    assert settings.log_level == "INFO"


def test_unix_socket_redis(env: dict[str, str]) -> None:
    env["REDIS_URL"] = "unix:///run/redis.sock?db=1"
    assert AppSettings.from_env(env).redis_url == "unix:///run/redis.sock?db=1"


def test_key_with_escaped_newlines(env: dict[str, str], rsa_pem: str) -> None:
    env["GITHUB_PRIVATE_KEY"] = rsa_pem.strip().replace("\n", "\\n")
    assert AppSettings.from_env(env).private_key == rsa_pem.strip() + "\n"


def test_key_from_file(env: dict[str, str], rsa_pem: str, tmp_path: Path) -> None:
    path = tmp_path / "app.pem"
    path.write_text(rsa_pem)
    del env["GITHUB_PRIVATE_KEY"]
    env["GITHUB_PRIVATE_KEY_PATH"] = str(path)
    assert AppSettings.from_env(env).private_key == rsa_pem.strip() + "\n"


def test_pkcs8_key_is_accepted(env: dict[str, str], rsa_key: rsa.RSAPrivateKey) -> None:
    env["GITHUB_PRIVATE_KEY"] = rsa_key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    assert "BEGIN PRIVATE KEY" in AppSettings.from_env(env).private_key


def test_reads_only_the_given_mapping(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GITHUB_APP_ID", "1")
    with pytest.raises(SettingsError, match="GITHUB_APP_ID"):
        AppSettings.from_env({})


def replace(name: str, value: str | None) -> dict[str, str | None]:
    return {name: value}


INVALID: dict[str, tuple[dict[str, str | None], str]] = {
    "no app id": (replace("GITHUB_APP_ID", None), "GITHUB_APP_ID"),
    "blank app id": (replace("GITHUB_APP_ID", "  "), "GITHUB_APP_ID"),
    "app id not a number": (replace("GITHUB_APP_ID", "my-app"), "GITHUB_APP_ID"),
    "app id zero": (replace("GITHUB_APP_ID", "0"), "GITHUB_APP_ID"),
    "app id negative": (replace("GITHUB_APP_ID", "-3"), "GITHUB_APP_ID"),
    "app id superscript digit": (replace("GITHUB_APP_ID", "\u00b2"), "GITHUB_APP_ID"),
    "no key": (replace("GITHUB_PRIVATE_KEY", None), "GITHUB_PRIVATE_KEY"),
    "key not PEM": (replace("GITHUB_PRIVATE_KEY", "not a key"), "GITHUB_PRIVATE_KEY"),
    "public key": (
        replace("GITHUB_PRIVATE_KEY", "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----"),
        "GITHUB_PRIVATE_KEY",
    ),
    "garbled key": (
        replace(
            "GITHUB_PRIVATE_KEY",
            "-----BEGIN RSA PRIVATE KEY-----\nbm90IGEga2V5\n-----END RSA PRIVATE KEY-----",
        ),
        "GITHUB_PRIVATE_KEY",
    ),
    "no secret": (replace("GITHUB_WEBHOOK_SECRET", None), "GITHUB_WEBHOOK_SECRET"),
    "blank secret": (replace("GITHUB_WEBHOOK_SECRET", "   "), "GITHUB_WEBHOOK_SECRET"),
    "redis scheme": (replace("REDIS_URL", "http://cache:6379"), "REDIS_URL"),
    "redis host only": (replace("REDIS_URL", "cache:6379"), "REDIS_URL"),
    "api scheme": (replace("GITHUB_API_URL", "ftp://ghe.example.com"), "GITHUB_API_URL"),
    "api without host": (replace("GITHUB_API_URL", "https://"), "GITHUB_API_URL"),
    "api not a URL": (replace("GITHUB_API_URL", "api.github.com"), "GITHUB_API_URL"),
    "api bad IPv6": (replace("GITHUB_API_URL", "http://[::1"), "GITHUB_API_URL"),
    "log level": (replace("LOG_LEVEL", "verbose"), "LOG_LEVEL"),
    "slug": (replace("GITHUB_APP_SLUG", "review tiers"), "GITHUB_APP_SLUG"),
    "debounce text": (replace("REVIEW_TIERS_DEBOUNCE_SECONDS", "soon"), "DEBOUNCE_SECONDS"),
    "debounce negative": (replace("REVIEW_TIERS_DEBOUNCE_SECONDS", "-1"), "DEBOUNCE_SECONDS"),
    "debounce nan": (replace("REVIEW_TIERS_DEBOUNCE_SECONDS", "nan"), "DEBOUNCE_SECONDS"),
    "debounce huge": (replace("REVIEW_TIERS_DEBOUNCE_SECONDS", "1e9"), "DEBOUNCE_SECONDS"),
    "metrics port text": (replace("REVIEW_TIERS_METRICS_PORT", "metrics"), "METRICS_PORT"),
    "web metrics port text": (replace("REVIEW_TIERS_WEB_METRICS_PORT", "x"), "WEB_METRICS_PORT"),
    "web metrics port big": (replace("REVIEW_TIERS_WEB_METRICS_PORT", "70000"), "WEB_METRICS_PORT"),
    "web metrics port sign": (replace("REVIEW_TIERS_WEB_METRICS_PORT", "-1"), "WEB_METRICS_PORT"),
    "web metrics superscript": (replace("REVIEW_TIERS_WEB_METRICS_PORT", "\u00b2"), "WEB_METRICS"),
    "blank previous secret": (replace("GITHUB_WEBHOOK_SECRET_PREVIOUS", "  "), "SECRET_PREVIOUS"),
    "recovery zero": (replace("REVIEW_TIERS_RECOVERY_SECONDS", "0"), "RECOVERY_SECONDS"),
    "recovery text": (replace("REVIEW_TIERS_RECOVERY_SECONDS", "5m"), "RECOVERY_SECONDS"),
    "lookback past redelivery": (
        replace("REVIEW_TIERS_RECOVERY_LOOKBACK_SECONDS", "259201"),
        "LOOKBACK_SECONDS",
    ),
    "min remaining sign": (replace("REVIEW_TIERS_RECOVERY_MIN_REMAINING", "-5"), "MIN_REMAINING"),
    "mode": (replace("REVIEW_TIERS_MODE", "dry-run"), "REVIEW_TIERS_MODE"),
}


@pytest.mark.parametrize("name", list(INVALID))
def test_invalid_setting(name: str, env: dict[str, str], rsa_pem: str) -> None:
    changes, variable = INVALID[name]
    for key, value in changes.items():
        if value is None:
            env.pop(key, None)
        else:
            env[key] = value
    with pytest.raises(SettingsError) as raised:
        AppSettings.from_env(env)
    message = str(raised.value)
    assert variable in message
    assert "\n" not in message
    assert SECRET not in message and key_body(rsa_pem) not in message


def assert_names_without_key(err: pytest.ExceptionInfo[SettingsError], name: str, key: str) -> None:
    message = str(err.value)
    assert name in message and "\n" not in message
    assert key_body(key) not in message


def test_encrypted_key(env: dict[str, str], rsa_key: rsa.RSAPrivateKey) -> None:
    key = pem(rsa_key, b"pass")
    env["GITHUB_PRIVATE_KEY"] = key
    with pytest.raises(SettingsError, match="unencrypted") as raised:
        AppSettings.from_env(env)
    assert_names_without_key(raised, "GITHUB_PRIVATE_KEY", key)


def test_non_rsa_key(env: dict[str, str]) -> None:
    key = pem(ec.generate_private_key(ec.SECP256R1()))
    env["GITHUB_PRIVATE_KEY"] = key
    with pytest.raises(SettingsError, match="RSA") as raised:
        AppSettings.from_env(env)
    message = str(raised.value)
    assert "GITHUB_PRIVATE_KEY" in message and key.splitlines()[1] not in message


def test_both_key_variables(env: dict[str, str], tmp_path: Path) -> None:
    env["GITHUB_PRIVATE_KEY_PATH"] = str(tmp_path / "app.pem")
    with pytest.raises(SettingsError, match="both set"):
        AppSettings.from_env(env)


def test_missing_key_file(env: dict[str, str], tmp_path: Path) -> None:
    del env["GITHUB_PRIVATE_KEY"]
    env["GITHUB_PRIVATE_KEY_PATH"] = str(tmp_path / "absent.pem")
    with pytest.raises(SettingsError, match=r"GITHUB_PRIVATE_KEY_PATH: cannot read .*absent\.pem"):
        AppSettings.from_env(env)


def test_binary_key_file(env: dict[str, str], tmp_path: Path) -> None:
    path = tmp_path / "app.der"
    path.write_bytes(b"\x30\x82\xff\xfe")
    del env["GITHUB_PRIVATE_KEY"]
    env["GITHUB_PRIVATE_KEY_PATH"] = str(path)
    with pytest.raises(SettingsError, match=r"GITHUB_PRIVATE_KEY_PATH: .* not a PEM text file"):
        AppSettings.from_env(env)


def test_invalid_key_file(env: dict[str, str], tmp_path: Path, rsa_pem: str) -> None:
    path = tmp_path / "app.pem"
    path.write_text(rsa_pem.replace("PRIVATE KEY-----", "CERTIFICATE-----"))
    del env["GITHUB_PRIVATE_KEY"]
    env["GITHUB_PRIVATE_KEY_PATH"] = str(path)
    with pytest.raises(SettingsError) as raised:
        AppSettings.from_env(env)
    assert_names_without_key(raised, "GITHUB_PRIVATE_KEY_PATH", rsa_pem)


def test_repr_and_str_hide_secrets(env: dict[str, str], rsa_pem: str) -> None:
    settings = AppSettings.from_env(env)
    for text in (repr(settings), str(settings), f"{settings}", repr([settings])):
        assert SECRET not in text
        assert key_body(rsa_pem) not in text and "PRIVATE KEY" not in text
        assert "private_key='***'" in text and "webhook_secret='***'" in text
        assert "app_id=12345" in text


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        ("redis://:hunter2-pw@cache:6379/0", "redis://:[redacted]@cache:6379/0"),
        ("rediss://default:hunter2-pw@cache:6380/1", "rediss://default:[redacted]@cache:6380/1"),
        ("redis://cache:6379/0?password=hunter2-pw", "redis://cache:6379/0?password=[redacted]"),
        ("unix://:hunter2-pw@/run/redis.sock?db=2", "unix://:[redacted]@/run/redis.sock?db=2"),
    ],
)
def test_repr_and_str_hide_the_redis_password(env: dict[str, str], url: str, shown: str) -> None:
    env["REDIS_URL"] = url
    settings = AppSettings.from_env(env)
    assert settings.redis_url == url  # the connection still gets the password
    for text in (repr(settings), str(settings), f"{settings}", repr([settings])):
        assert "hunter2" not in text
        assert f"redis_url={shown!r}" in text


def test_repr_hides_credentials_in_the_api_url(env: dict[str, str]) -> None:
    env["GITHUB_API_URL"] = "https://app:hunter2-pw@ghe.example.com/api/v3"
    settings = AppSettings.from_env(env)
    assert "hunter2" not in repr(settings)
    assert "api_url='https://app:[redacted]@ghe.example.com/api/v3'" in repr(settings)


def test_repr_keeps_a_url_without_credentials(env: dict[str, str]) -> None:
    assert "redis_url='redis://127.0.0.1:6379/0'" in repr(AppSettings.from_env(env))


def test_settings_are_frozen(env: dict[str, str]) -> None:
    settings = AppSettings.from_env(env)
    with pytest.raises(AttributeError):
        settings.app_id = 1  # type: ignore[misc]


def test_the_audit_database_url_is_read_and_its_password_kept_out_of_repr(
    env: dict[str, str],
) -> None:
    assert AppSettings.from_env(env).audit_database_url == ""
    url = "postgresql://audit:pg-s3cret@db.internal:5432/audit"
    settings = AppSettings.from_env(env | {"REVIEW_TIERS_AUDIT_DATABASE_URL": f" {url} "})
    assert settings.audit_database_url == url
    assert "pg-s3cret" not in repr(settings)
    assert "db.internal:5432/audit" in repr(settings)
    with pytest.raises(SettingsError, match="REVIEW_TIERS_AUDIT_DATABASE_URL") as err:
        AppSettings.from_env(env | {"REVIEW_TIERS_AUDIT_DATABASE_URL": "mysql://u:pg-s3cret@db/a"})
    assert "pg-s3cret" not in str(err.value)
