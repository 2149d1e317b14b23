"""An invitation from the directory arrives by email, and its link sets the password."""

from __future__ import annotations

from tests.integration.conftest import PORTAL
from tests.integration.notifier_fixtures import NotifierFactory, ServedDirectory
from tests.support.mail import MailServer, tagged


async def test_an_invitation_arrives_by_email_and_its_link_sets_the_password(
    served_directory: ServedDirectory, notifier_factory: NotifierFactory, mail_server: MailServer
) -> None:
    newcomer = tagged("jana")
    async with notifier_factory(directory_url=served_directory.url):
        organisation = await served_directory.register(
            "Kulturverein La Casa", email=tagged("info-lacasa"), preferred_language="en"
        )
        await served_directory.invite(organisation["id"], newcomer, "Jana Petrenko")

        [mail] = await mail_server.wait_for(lambda m: m.to == newcomer)

    assert mail.header("Subject") == "Invitation to Integrationsnetz: Kulturverein La Casa"
    assert mail.header("To") == f"Jana Petrenko <{newcomer}>"
    assert mail.header("Content-Language") == "en"
    assert "Hello Jana Petrenko," in mail.text
    # asked for once: no unsubscribe header on a transactional email
    assert mail.header("List-Unsubscribe") == ""
    link = mail.link(rf"{PORTAL}/set-password\?token=\S+")
    assert link in mail.html

    password = "a-long-and-new-password"
    await served_directory.set_password(link, password)
    logged_in = await served_directory.client.post(
        "/auth/token", data={"username": newcomer, "password": password}
    )
    assert logged_in.status_code == 200, logged_in.text
