"""The web app in a real browser (Debian's Chromium driven by Playwright) and the TypeScript client's Node tests,
against the standalone server, sharing one real low-quality job.

The browser submits the job through the form; the Node tests (``clients/typescript/test``) follow that same job to
its video while the page shows its progress; then the page plays the video with its captions and cancels a second
job. The development token comes from the standalone server's ``/api/v1/dev/token``, as the page gets it.
"""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, async_playwright

from tests.conftest import Deployment

from .npm import TYPESCRIPT_CLIENT, build_clients

pytestmark = pytest.mark.e2e

CHROMIUM = "/usr/bin/chromium"
TOPIC = "Matrix multiplication"
# Rendering takes one to two minutes on a busy two-core machine. Predicates passed to the page are functions, not
# expressions: Playwright evaluates expressions with eval, which the app's Content-Security-Policy forbids.
JOB_TIMEOUT_MS = 300_000

# Records every state the job's row shows (status and percentage), so the test can tell progress arrived live.
_RECORD_PROGRESS = """(jobId) => {
  window.progressSeen = [];
  const record = () => {
    const row = document.querySelector(`li[data-job-id="${jobId}"]`);
    if (row) window.progressSeen.push([row.dataset.status, row.querySelector("progress").value]);
  };
  record();
  new MutationObserver(record).observe(document.getElementById("jobs"), {
    subtree: true, attributes: true, childList: true, characterData: true,
  });
}"""


@dataclass
class WebAppJob:
    page: Page
    job_id: str
    token: str
    base_url: str


async def _submit(page: Page, topic: str) -> str:
    """Submit a low-quality job through the form; return its id once its row appears."""
    known = set(await page.locator("#jobs li").evaluate_all("rows => rows.map(r => r.dataset.jobId)"))
    await page.fill("input[name=topic]", topic)
    await page.fill("textarea[name=context]", "A short lesson.")
    await page.select_option("select[name=quality]", "low")
    await page.click("#submit-form button[type=submit]")
    row = page.locator("#jobs li").first
    await page.wait_for_function(
        "known => { const r = document.querySelector('#jobs li'); return r && !known.includes(r.dataset.jobId); }",
        arg=list(known),
    )
    job_id = await row.get_attribute("data-job-id")
    assert job_id is not None
    return job_id


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator[Browser]:
    assert shutil.which(CHROMIUM), "Chromium is missing: scripts/bootstrap.sh installs Debian's chromium package"
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=CHROMIUM, args=["--autoplay-policy=no-user-gesture-required"]
        )
        try:
            yield launched
        finally:
            await launched.close()


@pytest.fixture(scope="module")
async def web_app_job(standalone: Deployment, browser: Browser) -> AsyncIterator[WebAppJob]:
    """The web app opened in Chromium with one low-quality job submitted through its form."""
    await asyncio.to_thread(build_clients)
    async with httpx.AsyncClient(base_url=standalone.base_url) as http:
        minted = await http.post("/api/v1/dev/token")
    assert minted.status_code == 200, minted.text
    token = minted.json()["token"]
    page = await browser.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    await page.goto(f"{standalone.base_url}/app/")
    # The page found its token by itself and listed the jobs (none yet, or those of earlier runs).
    await page.wait_for_selector("#auth", state="hidden")
    # Its WebSocket is open: the statuses that follow arrive over it.
    await page.wait_for_selector('#connection[data-state="open"]', timeout=30_000)
    job_id = await _submit(page, TOPIC)
    await page.evaluate(_RECORD_PROGRESS, job_id)
    try:
        yield WebAppJob(page, job_id, token, standalone.base_url)
    finally:
        await page.close()
    assert not problems, problems


async def test_typescript_client_against_the_server(web_app_job: WebAppJob) -> None:
    """``node --test`` of the client follows the page's job to its video; every Node test must pass."""
    env = {
        **os.environ,
        "MATHREEL_BASE_URL": web_app_job.base_url,
        "MATHREEL_TOKEN": web_app_job.token,
        "MATHREEL_JOB_ID": web_app_job.job_id,
    }
    node = await asyncio.create_subprocess_exec(
        "node",
        "--test",
        "--test-reporter=spec",
        "test/",
        cwd=TYPESCRIPT_CLIENT,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        output, _ = await asyncio.wait_for(node.communicate(), timeout=JOB_TIMEOUT_MS / 1000 + 60)
    except TimeoutError:
        node.kill()
        output, _ = await node.communicate()
        raise AssertionError(f"the Node tests did not finish:\n{output.decode(errors='replace')}") from None
    report = output.decode(errors="replace")
    assert node.returncode == 0, report
    assert "# fail 0" in report or "ℹ fail 0" in report, report


async def test_web_app_shows_progress_plays_the_video_with_captions_and_cancels(web_app_job: WebAppJob) -> None:
    page, job_id = web_app_job.page, web_app_job.job_id
    row = f'li[data-job-id="{job_id}"]'
    await page.wait_for_selector(f'{row}[data-status="completed"]', timeout=JOB_TIMEOUT_MS)
    seen: list[list[Any]] = await page.evaluate("() => window.progressSeen")
    # Progress arrived while the job ran: the row showed it processing part-way, not only queued and then done.
    assert any(status == "processing" and 0 < value < 100 for status, value in seen), seen
    stages = await page.locator(f"{row} .job-status").text_content()
    assert stages is not None
    assert "completed" in stages

    await page.click(f"{row} button.watch")
    await page.wait_for_selector("#player-section", state="visible")
    playing = await page.evaluate(
        """async () => {
            const video = document.getElementById("player");
            video.muted = true;
            await video.play();
            return { poster: video.poster, src: video.currentSrc };
        }"""
    )
    assert playing["poster"].startswith("blob:"), playing
    await page.wait_for_function("() => document.getElementById('player').currentTime > 1", timeout=30_000)
    await page.wait_for_function(
        """() => {
            const track = document.querySelector("#player track");
            return track && track.readyState === 2 && track.track.cues && track.track.cues.length > 0;
        }""",
        timeout=30_000,
    )
    caption = await page.evaluate("() => document.querySelector('#player track').track.cues[0].text")
    assert caption.strip()
    download = await page.get_attribute("#download", "href")
    assert download is not None
    assert "/api/v1/media/" in download

    # A second job, cancelled from its row.
    second = await _submit(page, "Mean and variance")
    assert second != job_id
    await page.click(f'li[data-job-id="{second}"] button.cancel')
    await page.wait_for_selector(f'li[data-job-id="{second}"][data-status="cancelled"]', timeout=30_000)

    # The API's refusals are shown as they are: a topic of spaces passes the form but not the API.
    await page.fill("input[name=topic]", "   ")
    await page.click("#submit-form button[type=submit]")
    await page.wait_for_selector("#error", state="visible")
    message = await page.text_content("#error")
    assert message is not None
    assert message.startswith("422:"), message
    assert "topic" in message, message
