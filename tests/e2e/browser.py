"""What the browser tests call: open a page and check it, run axe, take screenshots."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from playwright.sync_api import Page, Response

E2E_DIR = Path(__file__).resolve().parent
ROOT = E2E_DIR.parent.parent
BUILD = ROOT / "frontend" / "static" / "frontend" / "build"
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = E2E_DIR / "screenshots"

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

# Violations found during the running test. The test goes on to the end of its story and
# then fails with every page's violations at once (conftest's pytest_runtest_call).
FINDINGS: list[str] = []


def visit(page: Page, path: str, *, status: int = 200, axe: bool = True) -> Response:
    """Open ``path``, check the status and the app's CSP, and run axe on the page."""
    __tracebackhide__ = True
    response = page.goto(path, wait_until="load")
    assert response is not None, f"no response for {path}"
    check_response(response, status=status)
    if axe:
        axe_check(page)
    return response


def check_response(response: Response, *, status: int = 200) -> None:
    """The page answered ``status`` with Kopa's strict CSP (no inline scripts or styles)."""
    __tracebackhide__ = True
    assert response.status == status, f"{response.url}: HTTP {response.status}, not {status}"
    csp = response.headers.get("content-security-policy", "")
    assert "script-src 'self'" in csp, f"{response.url}: no strict script-src in {csp!r}"
    assert "style-src 'self'" in csp, f"{response.url}: no strict style-src in {csp!r}"
    assert "unsafe-inline" not in csp, f"{response.url}: CSP allows inline code: {csp!r}"


def _axe_source() -> str:
    return AXE_JS.read_text(encoding="utf-8")


def axe_check(page: Page, *, include: str | None = None) -> None:
    """Run axe-core (WCAG 2.0/2.1 A and AA) on the page as it is now.

    Any violation fails the test: at its end, listing every page's violations together.

    axe is evaluated through the DevTools protocol, which the page's CSP does not govern, so
    the page keeps its own policy (``check_response`` asserts it; ``test_foundation`` proves
    it).
    """
    __tracebackhide__ = True
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(_axe_source())
    results = page.evaluate(
        """async ([include, tags]) => {
            const result = await window.axe.run(include ? document.querySelector(include)
                                                        : document,
                {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target.join(" "),
                                          summary: n.failureSummary}))}));
        }""",
        [include, WCAG_TAGS],
    )
    if results:
        width = (page.viewport_size or {}).get("width", "?")
        FINDINGS.append(format_violations(f"{page.url} at {width} px", results))


def format_violations(url: str, violations: list[dict[str, Any]]) -> str:
    lines = [f"axe-core: {len(violations)} accessibility violation(s) on {url}"]
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"][:8]:
            summary = " ".join((node["summary"] or "").split())
            lines.append(f"    at {node['target']}: {summary[:300]}")
        if len(violation["nodes"]) > 8:
            lines.append(f"    … and {len(violation['nodes']) - 8} more")
    return "\n".join(lines)


def snap(page: Page, name: str, *, axe: bool = True) -> list[Path]:
    """Full-page screenshots of the page at phone and desktop width (axe runs at both).

    ``axe=False`` for a tab without JavaScript: axe needs the page's timers to run.
    """
    __tracebackhide__ = True
    SCREENSHOTS.mkdir(exist_ok=True)
    original = page.viewport_size or DESKTOP
    saved = []
    for label, size in (("phone", PHONE), ("desktop", DESKTOP)):
        page.set_viewport_size(size)
        if axe and size != original:
            axe_check(page)
        path = SCREENSHOTS / f"{name}-{label}.png"
        page.screenshot(path=str(path), full_page=True)
        saved.append(path)
    page.set_viewport_size(original)
    return saved


def no_horizontal_scroll(page: Page, width: int) -> None:
    scroll_width = page.evaluate("() => document.scrollingElement.scrollWidth")
    assert scroll_width <= width, (
        f"{page.url} scrolls sideways at {width} px: content is {scroll_width} px wide"
    )


def focus_stops_without_visible_focus(page: Page, *, limit: int = 60) -> list[str]:
    """Tab through the page; the focus stops where no focus indicator shows (WCAG 2.4.7).

    axe cannot see focus styles. An indicator here is an outline of at least 2 px or a box
    shadow while focused.
    """
    page.evaluate("() => document.activeElement && document.activeElement.blur()")
    page.evaluate("() => window.scrollTo(0, 0)")
    missing, seen = [], set()
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = page.evaluate(
            """() => {
                const e = document.activeElement;
                if (!e || e === document.body) return null;
                const s = getComputedStyle(e);
                const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 2;
                const shadow = s.boxShadow && s.boxShadow !== "none";
                const classes = [...e.classList].map((c) => "." + c).join("");
                const path = e.id ? "#" + e.id : e.tagName.toLowerCase() + classes;
                return {path, name: (e.getAttribute("aria-label") || e.innerText || e.value || "")
                                      .trim().slice(0, 40), visible: outline || shadow};
            }"""
        )
        if stop is None:
            break
        key = (stop["path"], stop["name"])
        if key in seen:
            break  # back at the start: every stop was seen
        seen.add(key)
        if not stop["visible"]:
            missing.append(f"{stop['path']} “{stop['name']}”")
    return missing
