"""The browser client (frontend/assets/js/live.js) in a real chromium, against a scripted
server: the page's WebSocket is replaced by a fake the test drives frame by frame.

Skipped, with the reason, where Playwright, chromium or the built bundle are missing.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

BUNDLE = Path(__file__).resolve().parents[3] / "frontend" / "static" / "frontend" / "build"

FAKE_SOCKET = """
window.sockets = [];
class FakeSocket {
  constructor(url) {
    this.url = url; this.sent = []; this.readyState = 0; this.listeners = {};
    window.sockets.push(this);
    setTimeout(() => { this.readyState = 1; this.fire("open", {}); }, 0);
  }
  addEventListener(type, fn) { (this.listeners[type] = this.listeners[type] || []).push(fn); }
  fire(type, event) { (this.listeners[type] || []).forEach((fn) => fn(event)); }
  send(text) { this.sent.push(JSON.parse(text)); }
  close() { this.readyState = 3; this.fire("close", {}); }
  deliver(frame) {
    this.fire("message", { data: typeof frame === "string" ? frame : JSON.stringify(frame) });
  }
}
FakeSocket.OPEN = 1;
window.WebSocket = FakeSocket;
Math.random = () => 0;  // the shortest jittered delay
"""

PAGE = """<!doctype html><html lang="de"><head><meta charset="utf-8"></head>
<body data-live-url="/ws/live/">
<span class="live-status" data-live-status data-label-live="Live"
      data-label-reconnecting="Verbinde neu…"></span>
<section id="turnout" data-live-topic="round:riga:turnout">
  <b data-live-key="voters">12</b>
  <i data-live-key="districts.city.online">10</i>
  <u data-live-key="nothing.here">kept</u>
</section>
<section id="votes" data-live-topic="round:riga:votes"><b data-live-key="ballots">0</b></section>
</body></html>"""


def _missing() -> str | None:
    try:
        import playwright.async_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed"
    if not shutil.which("chromium"):
        return "no chromium on PATH"
    if not (BUNDLE / "kopa.js").exists():
        return "the browser assets are not built: run make assets"
    return None


pytestmark = pytest.mark.skipif(_missing() is not None, reason=_missing() or "")


@pytest.fixture
async def page():
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=shutil.which("chromium"),
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        tab = await browser.new_page()
        errors: list[str] = []
        tab.on("pageerror", lambda error: errors.append(str(error)))
        await tab.route(
            "http://kopa.test/**",
            lambda route: route.fulfill(status=200, content_type="text/html", body=PAGE),
        )
        await tab.add_init_script(FAKE_SOCKET)
        await tab.goto("http://kopa.test/rounds/riga/")
        await tab.add_script_tag(content=(BUNDLE / "kopa.js").read_text())
        yield tab
        assert errors == []
        await browser.close()


async def sent(page, socket: int = 0) -> list[dict]:
    return await page.evaluate(f"window.sockets[{socket}].sent")


async def deliver(page, frame, socket: int = 0) -> None:
    text = frame if isinstance(frame, str) else json.dumps(frame)
    await page.evaluate(f"window.sockets[{socket}].deliver({json.dumps(text)})")


async def test_one_socket_subscribes_every_topic_and_fills_the_keys(page):
    assert await page.evaluate("window.sockets.length") == 1
    assert await page.evaluate("window.sockets[0].url") == "ws://kopa.test/ws/live/"
    # Hidden until connected.
    assert await page.get_attribute("[data-live-status]", "data-state") is None

    await deliver(page, {"type": "hello", "seq": 0, "payload": {"protocol": 1}})
    subscribes = await sent(page)
    assert [(f["type"], f["topic"]) for f in subscribes] == [
        ("subscribe", "round:riga:turnout"),
        ("subscribe", "round:riga:votes"),
    ]
    assert all("since" not in f for f in subscribes)
    assert await page.get_attribute("[data-live-status]", "data-state") == "live"
    assert await page.text_content("[data-live-status]") == "Live"

    await page.evaluate(
        """document.getElementById('turnout').addEventListener('kopa:live',
           (e) => { window.lastEvent = e.detail; })"""
    )
    state = {"round": "riga", "voters": 1234567, "districts": {"city": {"online": 1200}}}
    await deliver(
        page,
        {"type": "snapshot", "seq": 7, "payload": {"topic": "round:riga:turnout", "state": state}},
    )
    assert await page.text_content("[data-live-key=voters]") == "1.234.567"  # lang="de"
    assert await page.text_content("[data-live-key='districts.city.online']") == "1.200"
    assert await page.text_content("[data-live-key='nothing.here']") == "kept"
    assert await page.evaluate("window.lastEvent") == {
        "topic": "round:riga:turnout",
        "type": "turnout",
        "payload": state,
        "seq": 7,
    }

    # An update names its topic; another topic's keys are left alone.
    await deliver(
        page,
        {
            "type": "turnout",
            "seq": 9,
            "topic": "round:riga:turnout",
            "payload": {"round": "riga", "voters": 5, "districts": {}},
        },
    )
    assert await page.text_content("[data-live-key=voters]") == "5"
    assert await page.text_content("#votes [data-live-key=ballots]") == "0"
    # A stale frame (older seq) changes nothing; junk and unknown frames are ignored, unanswered.
    await deliver(
        page,
        {"type": "turnout", "seq": 8, "topic": "round:riga:turnout", "payload": {"voters": 4}},
    )
    await deliver(page, "not json")
    await deliver(page, {"type": "teleport", "seq": 0, "payload": {}})
    await deliver(page, {"type": "error", "seq": 0, "payload": {"code": 4003}})
    assert await page.text_content("[data-live-key=voters]") == "5"
    assert len(await sent(page)) == 2


async def test_reconnects_with_backoff_and_resubscribes_with_the_last_seq(page):
    await deliver(page, {"type": "hello", "seq": 0, "payload": {}})
    await deliver(
        page,
        {
            "type": "snapshot",
            "seq": 41,
            "payload": {"topic": "round:riga:turnout", "state": {"voters": 3}},
        },
    )
    await page.evaluate("window.sockets[0].close()")
    assert await page.get_attribute("[data-live-status]", "data-state") == "reconnecting"
    assert await page.text_content("[data-live-status]") == "Verbinde neu…"
    await page.wait_for_function("window.sockets.length === 2", timeout=3000)
    await deliver(page, {"type": "hello", "seq": 0, "payload": {}}, socket=1)
    again = {f["topic"]: f for f in await sent(page, socket=1)}
    assert again["round:riga:turnout"]["since"] == 41
    assert "since" not in again["round:riga:votes"]  # never got a state
    assert await page.get_attribute("[data-live-status]", "data-state") == "live"

    # The server lost Redis: the socket is fine, the updates are paused.
    await deliver(page, {"type": "status", "seq": 0, "payload": {"live": False}}, socket=1)
    assert await page.get_attribute("[data-live-status]", "data-state") == "reconnecting"
    await deliver(page, {"type": "status", "seq": 0, "payload": {"live": True}}, socket=1)
    assert await page.get_attribute("[data-live-status]", "data-state") == "live"

    # Each failed attempt waits longer (0.25 s, 0.5 s, 1 s, ... capped at 30 s).
    await page.evaluate("window.sockets[1].close()")
    await page.wait_for_function("window.sockets.length === 3", timeout=3000)
    await page.evaluate("window.sockets[2].close()")
    started = await page.evaluate("performance.now()")
    await page.wait_for_function("window.sockets.length === 4", timeout=5000)
    waited = await page.evaluate("performance.now()") - started
    assert waited >= 450, waited
