"""Every form of TALKBACK_SMTP_URL against a real SMTP server on loopback: STARTTLS and
implicit TLS with a certificate from a private CA, and authentication."""

from __future__ import annotations

import ssl
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.smtp import AuthResult, LoginPassword

from talkback.mail.transport import SmtpTransport, parse_smtp_url
from talkback.outbox.worker import DeliveryFailed
from tests.mail_sink import MailSink

pytestmark = [
    # aiosmtpd warns when AUTH is offered without STARTTLS, not counting implicit TLS as
    # TLS; raised as an error in its server thread it would end the connection.
    pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS:UserWarning"),
]

USER, PASSWORD = "talkback", "p@ss:word/with%odd chars"


@pytest.fixture(scope="module")
def certificates(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, Path]:
    """A private CA, its PEM file, and a certificate for 127.0.0.1 signed by it."""
    authority = trustme.CA()
    server = authority.issue_cert("127.0.0.1")
    ca_file = tmp_path_factory.mktemp("ca") / "ca.pem"
    authority.cert_pem.write_to_path(str(ca_file))
    return server, ca_file


def _server_context(server: Any) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server.configure_cert(context)
    return context


def _check_login(
    server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
        USER.encode(),
        PASSWORD.encode(),
    )
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535


def _note() -> EmailMessage:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "n@example.org", "r@example.org", "Hi"
    message.set_content("Body")
    return message


async def _send(url: str) -> None:
    transport = SmtpTransport(url)
    try:
        await transport.send(_note())
    finally:
        await transport.close()


def _userinfo() -> str:
    from urllib.parse import quote

    return f"{quote(USER, safe='')}:{quote(PASSWORD, safe='')}"


async def test_starttls_with_authentication(certificates: tuple[Any, Path]) -> None:
    server, ca_file = certificates
    sink = MailSink(
        tls_context=_server_context(server),
        require_starttls=True,
        authenticator=_check_login,
        auth_required=True,
        auth_exclude_mechanism=["LOGIN"],  # PLAIN alone: one refusal, one 535
    )
    sink.start()
    try:
        await _send(f"smtp+starttls://{_userinfo()}@127.0.0.1:{sink.port}?cafile={ca_file}")
        assert len(await sink.until(1)) == 1
        with pytest.raises(DeliveryFailed) as refused:
            await _send(
                f"smtp+starttls://{USER}:wrong@127.0.0.1:{sink.port}?cafile={ca_file}&timeout=5"
            )
        # Refused credentials are the server's setting, not the message's fault: the mail
        # waits for its retry, by which time an admin may have fixed TALKBACK_SMTP_URL.
        assert not refused.value.permanent
        assert "login refused" in refused.value.error
        with pytest.raises(DeliveryFailed):  # the server's CA is not trusted by default
            await _send(f"smtp+starttls://{_userinfo()}@127.0.0.1:{sink.port}")
    finally:
        sink.stop()
    assert len(sink.messages) == 1


async def test_implicit_tls_with_authentication(certificates: tuple[Any, Path]) -> None:
    server, ca_file = certificates
    # aiosmtpd counts only STARTTLS as TLS when it decides whether to offer AUTH; the
    # whole connection is TLS here, so it is told not to wait for a STARTTLS.
    sink = MailSink(
        ssl_context=_server_context(server),
        authenticator=_check_login,
        auth_required=True,
        auth_require_tls=False,
    )
    sink.start()
    try:
        await _send(f"smtps://{_userinfo()}@127.0.0.1:{sink.port}?cafile={ca_file}")
        assert len(await sink.until(1)) == 1
    finally:
        sink.stop()


def test_the_url_forms() -> None:
    plain = parse_smtp_url("smtp://relay.internal")
    assert (plain.port, plain.use_tls, plain.start_tls, plain.username) == (25, False, False, None)
    starttls = parse_smtp_url("smtp+starttls://u%40x:p%3Aw@mail.example?timeout=5")
    assert (starttls.port, starttls.start_tls, starttls.username, starttls.password) == (
        587, True, "u@x", "p:w",
    )  # fmt: skip
    assert starttls.timeout == 5.0
    assert parse_smtp_url("smtps://mail.example").port == 465
    for wrong in ("http://mail.example", "smtp://", "mail.example:25"):
        with pytest.raises(ValueError, match="TALKBACK_SMTP_URL"):
            parse_smtp_url(wrong)
