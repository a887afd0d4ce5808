"""The e-mail digest: one message (HTML part plus the Markdown as text part) over SMTP with STARTTLS.

Settings come from `[email]` in collabsync.toml (schema below, validated with the rest of the config);
the password is written as ${ENV_VAR} and never appears in an error or a log.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from collabsync.errors import CollabsyncError, ConfigError
from collabsync.redact import redact, register_secret

__all__ = ["EMAIL_SCHEMA", "MailError", "build_message", "parse_recipients", "send"]

EMAIL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["host", "from"],
    "properties": {
        "host": {"type": "string", "minLength": 1, "description": "SMTP server"},
        "port": {"type": "integer", "minimum": 1, "maximum": 65535, "description": "Default 587"},
        "from": {"type": "string", "pattern": "^[^@\\s]+@[^@\\s]+$", "description": "Sender address"},
        "to": {
            "type": "array",
            "items": {"type": "string", "pattern": "^[^@\\s]+@[^@\\s]+$"},
            "description": "Recipients when --email names none",
        },
        "username": {"type": "string"},
        "password": {"type": "string", "description": "Write ${ENV_VAR}; never a literal"},
        "starttls": {"type": "boolean", "description": "Upgrade the connection with STARTTLS (default true)"},
        "ca_file": {"type": "string", "description": "PEM file of the CA that signed the server's certificate"},
        "timeout": {"type": "number", "exclusiveMinimum": 0, "description": "Seconds per SMTP step (default 30)"},
        "subject": {"type": "string", "description": "Default 'collabsync status {day}'"},
    },
}


class MailError(CollabsyncError):
    """The digest could not be sent: which server and why (credentials never shown)."""

    def __init__(self, host: str, cause: str) -> None:
        super().__init__(f"e-mail via {host}: {redact(cause)}")


def parse_recipients(text: str, settings: Mapping[str, Any]) -> list[str]:
    """`a@x,b@y` from --email (or `[email] to` when the option is given empty); a bad address is a ConfigError."""
    found = [p.strip() for p in text.split(",") if p.strip()] or [str(t) for t in settings.get("to") or []]
    bad = [p for p in found if p.count("@") != 1 or any(c.isspace() for c in p)]
    if bad or not found:
        raise ConfigError.single(
            "--email",
            f"not an e-mail address: {', '.join(bad)}"
            if bad
            else "no recipient: pass --email a@example.com,b@example.com or set [email] to",
        )
    return found


def build_message(settings: Mapping[str, Any], recipients: Sequence[str], subject: str, text: str, html: str) -> Any:
    """A multipart/alternative message: the Markdown text first, the HTML as the preferred part."""
    from email.message import EmailMessage
    from email.utils import formatdate, make_msgid

    sender = str(settings["from"])
    msg = EmailMessage()
    msg["Subject"] = subject
    msg["From"] = sender
    msg["To"] = ", ".join(recipients)
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or None)
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no vacation replies to a nightly digest
    msg.set_content(text, subtype="plain", charset="utf-8")
    msg.add_alternative(html, subtype="html", charset="utf-8")
    return msg


def send(settings: Mapping[str, Any], message: Any) -> None:
    """Deliver over SMTP, STARTTLS unless turned off, login when a username is set; errors become MailError."""
    import smtplib
    import ssl

    host, port = str(settings["host"]), int(settings.get("port", 587))
    password = str(settings.get("password") or "")
    if password:
        register_secret(password)
    try:
        context = ssl.create_default_context(cafile=settings.get("ca_file"))
        with smtplib.SMTP(host, port, timeout=float(settings.get("timeout", 30))) as smtp:
            smtp.ehlo()
            if settings.get("starttls", True):
                smtp.starttls(context=context)
                smtp.ehlo()
            if settings.get("username"):
                smtp.login(str(settings["username"]), password)
            refused = smtp.send_message(message)
    except smtplib.SMTPAuthenticationError as exc:
        raise MailError(
            f"{host}:{port}",
            f"login refused for {settings.get('username')} ({exc.smtp_code}); "
            "check [email] username and the password variable",
        ) from None
    except smtplib.SMTPNotSupportedError:
        raise MailError(
            f"{host}:{port}",
            "the server does not offer STARTTLS; set [email] starttls = false only for a relay on the same host",
        ) from None
    except (smtplib.SMTPException, ssl.SSLError, OSError) as exc:
        raise MailError(f"{host}:{port}", f"{type(exc).__name__}: {exc}") from None
    if refused:
        raise MailError(f"{host}:{port}", f"refused recipients: {', '.join(sorted(refused))}")
