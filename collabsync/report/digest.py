"""What a nightly `report` run does beyond its files: the portfolio page and the e-mail digest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from collabsync.report.render.digest import portfolio_rows, render_digest_html, render_digest_text, render_portfolio

if TYPE_CHECKING:
    from collabsync.config import Config
    from collabsync.report.nightly import InstanceRun

__all__ = ["PORTFOLIO_FILE", "email_digest", "write_portfolio"]

PORTFOLIO_FILE = "index.html"


def write_portfolio(out_dir: Path, runs: Sequence[InstanceRun], formats: Sequence[str], today: dt.date) -> Path | None:
    """index.html beside the reports, linking each; None when an instance's own file would be index.html."""
    from collabsync.report.nightly import write_atomically

    if any(r.instance == "index" for r in runs) and "html" in formats:
        return None
    ext = "html" if "html" in formats else formats[0]
    links = {r.instance: f"{r.instance}.{ext}" for r in runs if not r.error}
    rows = portfolio_rows(
        [r.report for r in runs if r.report is not None], links, {r.instance: r.error for r in runs if r.error}
    )
    path = out_dir / PORTFOLIO_FILE
    write_atomically(
        path,
        render_portfolio(
            rows,
            title=f"collabsync portfolio {today.isoformat()}",
            generated=dt.datetime.now(dt.UTC).isoformat(timespec="minutes"),
        ),
    )
    return path


def email_digest(config: Config, runs: Sequence[InstanceRun], recipients_text: str, today: dt.date) -> list[str]:
    """One message for the whole run: HTML part (mail-safe tables) and the reports' Markdown as the text part."""
    from collabsync.report.mail import build_message, parse_recipients, send
    from collabsync.report.render import render

    settings = config.email_settings()
    recipients = parse_recipients(recipients_text, settings)
    reports = [r.report for r in runs if r.report is not None]
    subject = str(settings.get("subject") or "collabsync status {day}").replace("{day}", today.isoformat())
    rows = portfolio_rows(reports, errors={r.instance: r.error for r in runs if r.error})
    html = render_digest_html(rows, title=subject)
    text = render_digest_text([render(r, "md") for r in reports] or ["No report could be made; see the errors."])
    send(settings, build_message(settings, recipients, subject, text, html))
    return recipients
