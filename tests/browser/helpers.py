"""Helpers of the browser tests: accessibility (axe-core), screenshots, sign-in, layout.

axe-core is vendored in ``vendor/`` (a test asset, never served by the app) and
injected into the page under test; see ``vendor/README.md``.
"""

import json
import re
import warnings
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.factories import PASSWORD

AXE_VERSION = "4.14.1"
AXE_SCRIPT = Path(__file__).parent / "vendor" / "axe.min.js"
# Violations of these impacts fail the test; the others are reported as warnings.
FAILING_IMPACTS = ("critical", "serious")

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = PROJECT_ROOT / "test-artifacts"
SCREENSHOTS = ARTIFACTS / "screenshots"
AXE_REPORTS = ARTIFACTS / "axe"

PHONE_WIDTH = 375


class AccessibilityWarning(UserWarning):
    """An axe violation of moderate or minor impact: reported, not failed."""


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "page"


def snap(page: Page, name: str) -> Path:
    """Keep a full-page screenshot as a test artefact: test-artifacts/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{_slug(name)}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def run_axe(page: Page) -> dict:
    """Run axe-core (all its default rules) on the page as it is now; return its results."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE_SCRIPT))
    version = page.evaluate("() => window.axe.version")
    assert version == AXE_VERSION, f"vendored axe-core is {version}, helpers expect {AXE_VERSION}"
    return page.evaluate(
        """async () => {
            const results = await window.axe.run(document, {resultTypes: ['violations']});
            return {url: results.url, testEngine: results.testEngine,
                    violations: results.violations};
        }"""
    )


def _describe(violation: dict) -> str:
    lines = [f"[{violation['impact']}] {violation['id']}: {violation['help']} "
             f"({violation['helpUrl']})"]
    for node in violation["nodes"]:
        target = " ".join(str(t) for t in node["target"])
        html = re.sub(r"\s+", " ", node["html"])
        if len(html) > 200:
            html = html[:200] + "…"
        summary = re.sub(r"\s+", " ", node.get("failureSummary") or "")
        lines.append(f"    - {target}\n      {html}\n      {summary}")
    return "\n".join(lines)


def assert_accessible(page: Page, name: str | None = None) -> dict:
    """Fail on any axe violation of serious or critical impact, listing rule, help and elements.

    Violations of lesser impact become ``AccessibilityWarning``s. With ``name``, the
    full axe results are kept in test-artifacts/axe/<name>.json.
    """
    results = run_axe(page)
    violations = results["violations"]
    if name:
        AXE_REPORTS.mkdir(parents=True, exist_ok=True)
        (AXE_REPORTS / f"{_slug(name)}.json").write_text(
            json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    failing = [v for v in violations if v["impact"] in FAILING_IMPACTS]
    for violation in violations:
        if violation["impact"] not in FAILING_IMPACTS:
            warnings.warn(f"{page.url}\n{_describe(violation)}", AccessibilityWarning,
                          stacklevel=2)
    assert not failing, (
        f"axe-core {AXE_VERSION} found {len(failing)} serious or critical accessibility "
        f"violation(s) on {page.url}:\n" + "\n".join(_describe(v) for v in failing)
    )
    return results


def sign_in(page: Page, email: str, password: str = PASSWORD) -> None:
    """Sign in through the real login form, as a person would."""
    page.goto("/login")
    page.get_by_label("E-mail", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page).not_to_have_url(re.compile(r"/login"))


def focused_element(page: Page) -> dict:
    """What has the keyboard focus, and how its focus indicator is drawn."""
    return page.evaluate(
        """() => {
            const el = document.activeElement;
            const style = getComputedStyle(el);
            const box = el.getBoundingClientRect();
            const label = el.labels && el.labels.length ? el.labels[0].textContent.trim() : null;
            return {
                tag: el.tagName.toLowerCase(), id: el.id || null, name: el.name || null,
                text: (el.innerText || '').trim(), label: label,
                outlineStyle: style.outlineStyle, outlineWidth: style.outlineWidth,
                boxShadow: style.boxShadow,
                width: box.width, height: box.height, top: box.top, left: box.left,
            };
        }"""
    )


def has_visible_focus(element: dict) -> bool:
    """An outline or a box shadow is drawn around the focused element."""
    outline = element["outlineStyle"] != "none" and element["outlineWidth"] not in ("0px", "")
    shadow = element["boxShadow"] not in ("none", "")
    return outline or shadow


def assert_no_horizontal_scroll(page: Page, width: int = PHONE_WIDTH) -> None:
    """The page fits ``width`` CSS pixels: nothing makes the document scroll sideways."""
    scroll_width = page.evaluate("() => document.documentElement.scrollWidth")
    if scroll_width <= width:
        return
    culprits = page.evaluate(
        """(width) => {
            // Does the element's box reach the document, or does a scroll container clip it?
            // An absolutely positioned element escapes a clipping ancestor that is not its
            // containing block (e.g. .visually-hidden text inside .table-responsive).
            const escapes = (el) => {
                const own = getComputedStyle(el).position;
                if (own === 'fixed') return true;
                let absolute = own === 'absolute';
                for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
                    const style = getComputedStyle(a);
                    const positioned = style.position !== 'static' || style.transform !== 'none';
                    if (style.overflowX !== 'visible' && (!absolute || positioned)) return false;
                    if (absolute && positioned) absolute = style.position === 'absolute';
                }
                return true;
            };
            const sticksOut = (el) => el.getBoundingClientRect().right > width + 0.5;
            const out = [];
            for (const el of document.body.querySelectorAll('*')) {
                if (!sticksOut(el) || !escapes(el)) continue;
                const parent = el.parentElement;
                if (parent && parent !== document.body && sticksOut(parent) && escapes(parent)) {
                    continue;  // only the outermost element that sticks out
                }
                const right = Math.round(el.getBoundingClientRect().right);
                const position = getComputedStyle(el).position;
                out.push(el.outerHTML.replace(/\\s+/g, ' ').slice(0, 160) +
                         ` (position: ${position}; right edge at ${right}px)`);
            }
            return out.slice(0, 10);
        }""",
        width,
    )
    raise AssertionError(
        f"{page.url} scrolls sideways at {width}px: scrollWidth is {scroll_width}px. "
        "Elements that stick out:\n  " + "\n  ".join(culprits)
    )


# Forms of address as pages say them in each language (written out here, independently
# of meetingapp/names.py): the name is shown in the reader's language.
FORMS_OF_ADDRESS = {
    "en": {"Mr.": "Mr.", "Ms.": "Ms.", "H.E. Mr.": "H.E. Mr."},
    "ar": {"Mr.": "السيد", "Ms.": "السيدة", "H.E. Mr.": "سعادة السيد"},
    "fr": {"Mr.": "M.", "Ms.": "Mme", "H.E. Mr.": "S.E. M."},
    "ru": {"Mr.": "г-н", "Ms.": "г-жа", "H.E. Mr.": "Е.П. г-н"},
    "es": {"Mr.": "Sr.", "Ms.": "Sra.", "H.E. Mr.": "S.E. Sr."},
}


def display_name(person: dict, language: str = "en") -> str:
    """The person's name as a page in ``language`` shows it (given name first)."""
    title = FORMS_OF_ADDRESS[language].get(person["title"], person["title"])
    return " ".join((title, person["given_name"], person["family_name"]))
