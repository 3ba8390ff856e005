"""The workbench's page of the messages edx-ace sent (issue 28), at desktop and phone width."""
import subprocess
import sys

import pytest

pytestmark = pytest.mark.browser

# Sent inside the workbench's own settings and database, as the scheduled task sends there.
SEND = """
from personalized_path.openedx import messaging
messaging.send_update("progress_change", "mentor@example.com", "Grandma", {
    "learner_name": "<b>Ana</b>", "course_name": "Fractions", "plan_url": "", "stop_url": "https://example.com/stop",
    "changes": ["Halves: mastered"], "sections": []}, "ar")
"""


def test_the_messages_page_shows_a_sent_message_as_text_and_html(workbench, sized_page):
    subprocess.run([sys.executable, "-m", "django", "shell", "-c", SEND], cwd=workbench.folder, env=workbench.env,
                   check=True)
    page = sized_page.page
    page.goto(workbench.url + "/")
    page.get_by_role("link", name="Messages sent").click()
    page.wait_for_url("**/messages/")
    sized_page.axe("messages page", "main.pp-home")
    message = page.locator("article").first
    assert "أخبار تقدّم <b>Ana</b> في Fractions" in message.locator("h2").inner_text()
    assert "- Halves: mastered" in message.locator("pre").inner_text()
    frame = page.frame_locator("article iframe").first
    assert frame.locator("div[dir=rtl]").first.inner_text().count("<b>Ana</b>") >= 1  # escaped: shown as typed
    assert frame.locator("a", has_text="أوقف هذه الأخبار").get_attribute("href") == "https://example.com/stop"
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= sized_page.width  # nothing wider than the screen, at 375 px too
    sized_page.screenshot("messages")
