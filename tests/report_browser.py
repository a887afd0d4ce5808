"""Drive headless Chromium over the DevTools protocol: load a file, record console errors and requests.

Run as a script to refresh the docs image: `python tests/report_browser.py docs/sample-report.png`.
"""

from __future__ import annotations

import base64
import json
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import websocket

CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--remote-debugging-port=0",
    "--remote-debugging-address=127.0.0.1",
    "--hide-scrollbars",
)
STARTUP_TIMEOUT = 60.0
CALL_TIMEOUT = 30.0

BARS_JS = """JSON.stringify(Array.from(document.querySelectorAll('svg.bar')).map(svg => {
  const box = svg.getBoundingClientRect();
  return {department: svg.dataset.department, width: box.width, height: box.height,
          segments: Array.from(svg.querySelectorAll('rect.seg')).map(r => {
            const b = r.getBoundingClientRect();
            return {status: r.dataset.status, width: b.width, height: b.height};
          })};
}))"""


def find_chromium() -> str | None:
    """The first Chromium-like browser on PATH."""
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


@dataclass
class PageLoad:
    """What the browser saw while loading a page."""

    requests: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    bars: list[dict[str, Any]] = field(default_factory=list)
    title: str = ""
    screenshot: bytes | None = None


class DevTools:
    """A headless Chromium with its own profile, spoken to over one page's DevTools websocket."""

    def __init__(self, browser: str, width: int = 1100) -> None:
        self.profile = tempfile.mkdtemp(prefix="collabsync-chromium-")
        self.proc = subprocess.Popen(
            [browser, *CHROMIUM_FLAGS, f"--user-data-dir={self.profile}", f"--window-size={width},900", "about:blank"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.width = width
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        try:
            self.ws = websocket.create_connection(self._page_ws_url(), timeout=CALL_TIMEOUT, suppress_origin=True)
        except BaseException:
            self._stop()
            raise

    def _page_ws_url(self) -> str:
        """Wait for DevToolsActivePort, then ask the local endpoint for the page target."""
        port_file = Path(self.profile) / "DevToolsActivePort"
        deadline = time.monotonic() + STARTUP_TIMEOUT
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"chromium exited with {self.proc.returncode} before DevTools started")
            if port_file.exists() and port_file.read_text().strip():
                port = int(port_file.read_text().split()[0])
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=CALL_TIMEOUT) as resp:
                    targets = json.load(resp)
                pages = [t for t in targets if t.get("type") == "page"]
                if pages:
                    return pages[0]["webSocketDebuggerUrl"]
            time.sleep(0.1)
        raise TimeoutError("chromium DevTools did not start")

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        """Send one command and return its result; events seen meanwhile are kept."""
        self._next_id += 1
        ident = self._next_id
        self.ws.send(json.dumps({"id": ident, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == ident:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            if "method" in message:
                self.events.append(message)

    def wait_for(self, event: str) -> dict[str, Any]:
        """Block until an event arrives (the socket timeout bounds the wait)."""
        for seen in self.events:
            if seen["method"] == event:
                return seen
        while True:
            message = json.loads(self.ws.recv())
            if "method" in message:
                self.events.append(message)
                if message["method"] == event:
                    return message

    def load(self, path: Path, screenshot: bool = False) -> PageLoad:
        """Open a local file and report requests, console errors, bar geometry and optionally a PNG."""
        for domain in ("Page", "Network", "Runtime", "Log"):
            self.call(f"{domain}.enable")
        self.call("Page.navigate", url=path.resolve().as_uri())
        self.wait_for("Page.loadEventFired")
        result = PageLoad()
        result.bars = json.loads(
            self.call("Runtime.evaluate", expression=BARS_JS, returnByValue=True)["result"]["value"]
        )
        result.title = self.call("Runtime.evaluate", expression="document.title", returnByValue=True)["result"]["value"]
        if screenshot:
            height = self.call(
                "Runtime.evaluate", expression="document.documentElement.scrollHeight", returnByValue=True
            )["result"]["value"]
            self.call(
                "Emulation.setDeviceMetricsOverride",
                width=self.width,
                height=int(height),
                deviceScaleFactor=1,
                mobile=False,
            )
            data = self.call("Page.captureScreenshot", format="png", captureBeyondViewport=True)["data"]
            result.screenshot = base64.b64decode(data)
        self.call("Runtime.evaluate", expression="1")  # flush events queued before this point
        for event in self.events:
            method, params = event["method"], event.get("params", {})
            if method == "Network.requestWillBeSent":
                result.requests.append(params["request"]["url"])
            elif method == "Runtime.exceptionThrown":
                result.console_errors.append(json.dumps(params.get("exceptionDetails", {}))[:500])
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "warning", "assert"):
                result.console_errors.append(json.dumps(params.get("args", []))[:500])
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") in ("error", "warning"):
                result.console_errors.append(params["entry"].get("text", "")[:500])
        return result

    def close(self) -> None:
        """Close the browser, wait for it, and remove the profile."""
        try:
            self.ws.send(json.dumps({"id": 0, "method": "Browser.close"}))
            self.ws.close()
        except (OSError, websocket.WebSocketException):
            pass
        self._stop()

    def _stop(self) -> None:
        """Wait for (or kill) the browser process and drop its profile."""
        try:
            self.proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=15)
        shutil.rmtree(self.profile, ignore_errors=True)

    def __enter__(self) -> DevTools:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def main(out: str) -> None:
    """Render the realistic demo report (tests/report_demo.py) and save its screenshot."""
    sys.path.insert(0, str(Path(__file__).parent))
    from report_demo import demo_html

    browser = find_chromium()
    if browser is None:
        raise SystemExit("chromium not found")
    with tempfile.TemporaryDirectory() as tmp, demo_html(Path(tmp)) as html:
        page = Path(tmp) / "report.html"
        page.write_text(html, encoding="utf-8")
        with DevTools(browser) as dev:
            loaded = dev.load(page, screenshot=True)
    assert loaded.screenshot is not None
    Path(out).write_bytes(loaded.screenshot)
    print(f"{out}: {len(loaded.screenshot)} bytes; requests {loaded.requests}; errors {loaded.console_errors}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "sample-report.png")
