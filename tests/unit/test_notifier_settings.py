"""The notifier (and the directory, which also puts links into emails) refuse to start in
production with links nobody can open or SMTP credentials over an unencrypted connection."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from services.directory.settings import DirectorySettings
from services.notifier.settings import NotifierSettings

PUBLIC = "https://integrationsnetz.stadt-am-fluss.example"
PRODUCTION: dict[str, Any] = {
    "environment": "production",
    "signing_secret": "a-real-signing-secret-of-32-characters-or-more",
    "match_feedback_secret": "a-real-match-feedback-secret-of-32-characters-or-more",
    "rabbitmq_url": "amqp://notifier:s3cret@rabbitmq:5672/",
    "public_base_url": PUBLIC,
    "notifier_public_url": f"{PUBLIC}/notifier",
}


def notifier(**values: Any) -> NotifierSettings:
    return NotifierSettings(_env_file=None, **{**PRODUCTION, **values})


@pytest.mark.parametrize("encryption", [{}, {"smtp_starttls": False, "smtp_tls": False}])
def test_production_refuses_smtp_credentials_without_starttls_or_tls(
    encryption: dict[str, Any],
) -> None:
    with pytest.raises(ValidationError, match="SMTP_STARTTLS=true or SMTP_TLS=true"):
        notifier(smtp_username="mailer", smtp_password="s3cret", **encryption)


@pytest.mark.parametrize("encryption", [{"smtp_starttls": True}, {"smtp_tls": True}])
def test_production_sends_credentials_over_starttls_or_implicit_tls(
    encryption: dict[str, Any],
) -> None:
    assert notifier(smtp_username="mailer", smtp_password="s3cret", **encryption)


def test_development_may_talk_to_a_local_mail_catcher_with_credentials() -> None:
    assert notifier(environment="development", smtp_username="any", smtp_password="any")


@pytest.mark.parametrize(
    "url",
    ["http://127.0.0.1:8000", "http://localhost:8004", "http://[::1]:8004", "http://0.0.0.0", ""],
)
@pytest.mark.parametrize("setting", ["public_base_url", "notifier_public_url"])
def test_production_refuses_links_in_emails_to_this_machine_or_nowhere(
    setting: str, url: str
) -> None:
    with pytest.raises(ValidationError, match=setting.upper()):
        notifier(**{setting: url})


def test_the_notifier_starts_in_production_with_reachable_links() -> None:
    assert notifier().notifier_public_url == f"{PUBLIC}/notifier"


def test_the_directory_refuses_invitation_links_to_this_machine_in_production() -> None:
    with pytest.raises(ValidationError, match="PUBLIC_BASE_URL"):
        DirectorySettings(
            _env_file=None,
            environment="production",
            admin_password="a-real-secret-for-production",
            rabbitmq_url="amqp://directory:s3cret@rabbitmq:5672/",
        )
