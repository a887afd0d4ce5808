"""The nightly run of issue 16: `report --all --out DIR --publish --email` on the emulators and a loopback SMTP server.

One status entry per tool and department (a second run the same day edits it), one e-mail per run
with a Markdown text part and a mail-safe HTML part, received over STARTTLS with a login, and an
index.html that renders in headless Chromium without console errors.
"""

from __future__ import annotations

import email
import email.policy
import json
import socket
import ssl
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import trustme
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner

from collabsync.cli import main
from collabsync.testing.stack import Stack, running_stack
from report_browser import DevTools
from test_publish import _ref, jira_comments, local_entries, trello_comments
from test_report_browser import need_chromium

VARS = ["--var", "product=Nova", "--var", "launch=2027-03-01"]
USER, PASSWORD = "reports", "s3cret-smtp-pass"


def cli(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == code, result.output
    return result.output


@dataclass
class Inbox:
    """What the loopback SMTP server received: (envelope sender, recipients, raw message, TLS on)."""

    messages: list[tuple[str, list[str], bytes, bool]] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(
            (envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content, session.ssl is not None)
        )
        return "250 OK"


def _login(server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == USER.encode()
        and auth_data.password == PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself


@pytest.fixture
def smtp(tmp_path: Path) -> Iterator[tuple[Inbox, int, Path]]:
    """aiosmtpd on 127.0.0.1 that requires STARTTLS (certificate from a throw-away CA) and a login."""
    ca = trustme.CA()
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1").configure_cert(server_ctx)
    ca_file = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(ca_file))
    inbox = Inbox()
    with socket.socket() as probe:  # aiosmtpd's start() connects to its own port, so it cannot be 0
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    controller = Controller(
        inbox,
        hostname="127.0.0.1",
        port=port,
        tls_context=server_ctx,
        require_starttls=True,
        authenticator=_login,
        auth_required=True,
    )
    controller.start()
    try:
        yield inbox, port, ca_file
    finally:
        controller.stop()


@pytest.fixture
def stack(isolated_home: Path, smtp: tuple[Inbox, int, Path], monkeypatch: pytest.MonkeyPatch) -> Iterator[Stack]:
    _, port, ca_file = smtp
    monkeypatch.setenv("SMTP_PASSWORD", PASSWORD)
    with running_stack() as s:
        config = s.write_config(Path("collabsync.toml"))
        with config.open("a") as fh:
            fh.write(
                f'\n[email]\nhost = "127.0.0.1"\nport = {port}\nfrom = "collabsync@example.com"\n'
                f'username = "{USER}"\npassword = "${{SMTP_PASSWORD}}"\nca_file = "{ca_file}"\ntimeout = 10\n'
            )
        cli("stamp", "product-launch", "--name", "nova", *VARS, "--yes")
        yield s


def test_nightly_report_publishes_mails_and_writes_the_portfolio(
    stack: Stack, smtp: tuple[Inbox, int, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, isolated_home: Path
) -> None:
    inbox = smtp[0]
    out = tmp_path / "out"
    args = (
        "report",
        "--all",
        "--out",
        str(out),
        "--format",
        "html,md",
        "--publish",
        "--email",
        "director@example.com,ops@example.com",
        "--today",
        "2026-12-16",
    )
    first = cli(*args)
    assert "e-mail: digest sent to director@example.com, ops@example.com" in first
    assert first.count("): published") == 7  # one entry per department: 3 SaaS tools, 4 departments on local
    assert "Blocked in engineering" not in json.dumps(jira_comments(stack)[0].body)
    stack.jira.set_status(_ref(isolated_home, "feature-complete"), "Blocked")  # the day moves on in Jira
    second = cli(*args)
    assert second.count("): edited") == 7 and "): published" not in second
    assert "Blocked in engineering (1)" in json.dumps(jira_comments(stack)[0].body)  # edited: the new text
    assert len(local_entries(isolated_home)) == 4 and len(trello_comments(stack)) == 1
    assert stack.jira.count("POST", "/comment") == 1 and stack.jira.count("PUT", "/comment/") == 1
    assert stack.trello.count("POST", "/actions/comments") == 1
    assert len(stack.asana.store.status_updates) == 1

    assert len(inbox.messages) == 2  # one digest per run
    sender, rcpts, raw, tls = inbox.messages[0]
    assert sender == "collabsync@example.com" and rcpts == ["director@example.com", "ops@example.com"] and tls
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    assert msg["Subject"] == "collabsync status 2026-12-16" and msg["Auto-Submitted"] == "auto-generated"
    assert msg["Message-ID"] and msg["Date"] and msg.get_content_type() == "multipart/alternative"
    text, html = msg.get_body(("plain",)), msg.get_body(("html",))
    assert text is not None and html is not None
    assert text.get_content().startswith("# ") and "nova" in text.get_content()
    body = html.get_content()
    assert "<table" in body and "engineering" in body
    for forbidden in ("display:flex", "display: flex", "<svg", "<script", "<link", 'src="http', "@import"):
        assert forbidden not in body
    assert PASSWORD not in raw.decode("utf-8", "replace")

    index = out / "index.html"
    page = index.read_text()
    assert 'href="nova.html"' in page and 'data-instance="nova"' in page
    with DevTools(need_chromium()) as dev:
        loaded = dev.load(index)
    assert loaded.console_errors == [] and loaded.title == "collabsync portfolio 2026-12-16"
    assert loaded.requests == [index.resolve().as_uri()]

    # A wrong password: one clear line, never the password; the reports are still written; exit 1.
    monkeypatch.setenv("SMTP_PASSWORD", "wrong-password-123")
    out = cli(
        "report", "--all", "--out", str(tmp_path / "o"), "--email", "a@example.com", "--today", "2026-12-16", code=1
    )
    assert "error: e-mail via 127.0.0.1:" in out and "login refused for reports" in out
    assert "wrong-password-123" not in out
    assert (tmp_path / "o" / "nova.html").exists() and (tmp_path / "o" / "index.html").exists()
