from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from services.directory.settings import DirectorySettings

#: A production configuration with real secrets; the tests change one thing of it.
PRODUCTION: dict[str, Any] = {
    "environment": "production",
    "admin_password": "a-real-secret-for-production",
    "rabbitmq_url": "amqp://directory:s3cret@rabbitmq:5672/",
}


def settings(**values: object) -> DirectorySettings:
    return DirectorySettings(_env_file=None, **values)  # type: ignore[arg-type]


def test_development_may_run_with_the_default_admin_password() -> None:
    assert settings(environment="development").admin_password.get_secret_value()


@pytest.mark.parametrize("environment", ["test", "production"])
def test_a_default_admin_password_outside_development_refuses_to_start(environment: str) -> None:
    with pytest.raises(ValidationError, match=r"ADMIN_PASSWORD.*development default"):
        settings(environment=environment)


def test_production_refuses_the_rabbitmq_guest_account() -> None:
    with pytest.raises(ValidationError, match="guest account"):
        settings(**{**PRODUCTION, "rabbitmq_url": "amqp://guest:guest@rabbitmq:5672/"})


def test_production_starts_with_real_secrets() -> None:
    configured = settings(
        **PRODUCTION, public_base_url="https://integrationsnetz.stadt-am-fluss.example"
    )
    assert configured.database_name == "integrationsnetz_directory"
    assert configured.jwks_url == "http://127.0.0.1:8001/.well-known/jwks.json"
