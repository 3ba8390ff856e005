"""The browser tier's fixtures: Debian's Chromium, a workbench server, pages with their checks."""
import os
import shutil

import pytest

from tests.harness import ARTIFACTS, Workbench

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]
PHONE = {"width": 375, "height": 740}
DESKTOP = {"width": 1100, "height": 900}
MAX_CAPTURE_HEIGHT = 8000


@pytest.fixture(scope="session")
def workbench():
    server = Workbench().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def chromium():
    from playwright.sync_api import sync_playwright  # pylint: disable=import-outside-toplevel
    executable = shutil.which("chromium")
    assert executable, "Debian's chromium package is required: `make test` installs it"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


class BrowserPage:
    """A page plus the checks every browser test makes: no JS errors, axe, screenshots."""

    def __init__(self, page, name):
        self.page = page
        self.name = name
        self.errors = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        # Handlers answer 4xx on purpose in error tests; a missing resource of ours is a real error.
        page.on("console", lambda message: message.type == "error" and "Failed to load resource" not in message.text
                and self.errors.append(message.text))
        page.on("response", lambda response: response.status >= 400 and "/resource/" in response.url
                and self.errors.append(f"{response.status} {response.url}"))

    def another_tab(self, suffix):
        """A second page in the same browser context (the same learner in another tab)."""
        return BrowserPage(self.page.context.new_page(), f"{self.name}-{suffix}")

    def axe(self, state, selector=".pp-root"):
        """Run axe-core on every block root matching ``selector``; fail on any violation."""
        from axe_playwright_python.sync_playwright import Axe  # pylint: disable=import-outside-toplevel
        results = Axe().run(self.page, context={"include": [[selector]]})
        violations = results.response["violations"]
        assert not violations, f"axe violations in {state}:\n" + results.generate_report()

    def screenshot(self, state, selector=None):
        """The whole page (or one element) as an artifact; generous time, since a busy machine renders slowly."""
        folder = os.path.join(ARTIFACTS, "screenshots")
        os.makedirs(folder, exist_ok=True)
        path = os.path.join(folder, f"{self.name}-{state}.png")
        if selector:
            # A clip of the whole page in document coordinates (element captures come out blank under
            # dir=rtl, where the document grows leftwards and scrollX starts at 0 on the right).
            clip = self.page.locator(selector).first.evaluate(
                "e => { const r = e.getBoundingClientRect(), d = document.documentElement;"
                " const rtl = getComputedStyle(d).direction === 'rtl';"
                " return {x: r.left + scrollX + (rtl ? d.scrollWidth - d.clientWidth : 0), y: r.top + scrollY,"
                " width: r.width, height: r.height}; }")
            self.page.screenshot(path=path, full_page=True, timeout=60000, clip=self.within_capture(clip))
        else:
            clip = self.page.evaluate("({x: 0, y: 0, width: document.documentElement.scrollWidth,"
                                      " height: document.documentElement.scrollHeight})")
            self.page.screenshot(path=path, full_page=True, timeout=60000, clip=self.within_capture(clip))
        return path

    @staticmethod
    def within_capture(clip):
        """
        At most MAX_CAPTURE_HEIGHT pixels of the page: Chromium's software GPU process exits on a taller
        capture (a page that grew with earlier tests' learners, at 375 px), and after a few such exits the
        whole browser quits, taking every later test with it.
        """
        return dict(clip, height=min(clip["height"], MAX_CAPTURE_HEIGHT))


@pytest.fixture(params=[DESKTOP, PHONE], ids=["desktop", "phone"])
def viewport(request):
    return request.param


def _browser_page(chromium, request, viewport):
    context = chromium.new_context(viewport=viewport, locale="en-US")
    name = request.node.name.replace("/", "_").replace("[", "-").replace("]", "")
    context.set_default_timeout(10000)
    wrapped = BrowserPage(context.new_page(), name)
    return context, wrapped


@pytest.fixture
def browser_page(chromium, request):
    """A desktop-sized page."""
    context, wrapped = _browser_page(chromium, request, DESKTOP)
    yield wrapped
    context.close()
    assert not wrapped.errors, f"JavaScript errors: {wrapped.errors}"


@pytest.fixture
def sized_page(chromium, request, viewport):
    """A page at desktop width and at 375 px (phone)."""
    context, wrapped = _browser_page(chromium, request, viewport)
    wrapped.width = viewport["width"]
    yield wrapped
    context.close()
    assert not wrapped.errors, f"JavaScript errors: {wrapped.errors}"


@pytest.fixture
def new_context(chromium):
    """Extra browser contexts (a second tab or a second learner); closed afterwards."""
    contexts = []

    def make(viewport=None):
        context = chromium.new_context(viewport=viewport or DESKTOP, locale="en-US")
        context.set_default_timeout(10000)
        contexts.append(context)
        return context
    yield make
    for context in contexts:
        context.close()
