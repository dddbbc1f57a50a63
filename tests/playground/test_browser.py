"""The playground in a real headless Chromium, driven as a person would drive it.

One journey takes a new candidate from added to hired across every hat: the
recruiter adds Jane (with a field error first) and schedules her interview, the
interviewer submits a scorecard from the kit DM, the recruiter moves her to
decision, extends an offer and records it accepted; a day later the recruiter's
digest arrives and is snoozed; the hiring manager asks "where is Jane?" in a DM
and the outsider is politely refused. Along the way no raw Slack token
(`<!date…>`, `&lt;`, `<@U…>`) may reach the screen.

With LOOPKEEPER_SCREENSHOTS set to a folder (`make screenshots`), the same run
saves the README's pictures there.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
from collections.abc import AsyncIterator
from datetime import UTC, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
from playwright.async_api import (
    Browser,
    ConsoleMessage,
    FilePayload,
    Locator,
    Page,
    async_playwright,
    expect,
)
from playwright.async_api import TimeoutError as PlaywrightTimeoutError
from sqlmodel import col, select

from bot.playground.server import MAX_FILE_BYTES, TOO_LARGE, Playground
from bot.playground.workspace import (
    ADMIN,
    HIRING,
    HIRING_MANAGER,
    INTERVIEWER_1,
    OUTSIDER,
    RECRUITER,
    Person,
    dm_of,
)
from bot.store.tables import Candidate, Interview

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
# What headless Chromium needs on a machine with no network and no sandbox for root.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = os.environ.get("LOOPKEEPER_SCREENSHOTS")
RAW_TOKENS = re.compile(r"<!date|<@U|<#C|&lt;|&gt;|&amp;")
WAIT_MS = 30_000
# Waits, not speed checks: the page answers when the app has, and CI's machine is busy.
expect.set_options(timeout=WAIT_MS)


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    assert shutil.which(CHROMIUM), (
        f"{CHROMIUM} is missing: `make test` installs Debian's chromium, or set CHROMIUM"
    )
    async with async_playwright() as driver:
        launched = await driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        await launched.close()


class Person_:
    """The page, as one person at a time."""

    def __init__(self, page: Page, playground: Playground) -> None:
        self.page = page
        self.playground = playground
        self.errors: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        # A failed request (a 400 the page provoked, say) is logged to the console too.
        page.on("console", self._console)

    def _console(self, message: ConsoleMessage) -> None:
        if message.type == "error":
            self.errors.append(message.text)

    @classmethod
    async def opened(cls, browser: Browser, playground: Playground, person: Person) -> Person_:
        """A new page of the playground, as `person`."""
        page = await browser.new_page(viewport={"width": 1400, "height": 900})
        page.set_default_timeout(WAIT_MS)
        you = cls(page, playground)
        await page.goto(playground.url)  # as a new person comes: nobody picked yet
        await you.be(person)
        return you

    async def be(self, person: Person) -> None:
        await self.page.select_option("[data-testid=person]", person.id)
        await expect(self.page.locator("[data-testid=person]")).to_have_value(person.id)

    async def open(self, channel: str) -> None:
        await self.page.click(f"[data-channel={channel}]")
        if channel.startswith("D"):
            await self.page.click("[data-testid=tab-messages]")

    async def type(self, text: str) -> None:
        composer = self.page.locator("[data-testid=composer]")
        await composer.fill(text)
        await composer.press("Enter")

    def message(self, text: str) -> Locator:
        return self.page.locator("#messages .msg", has_text=text).last

    @property
    def modal(self) -> Locator:
        return self.page.locator("[data-testid=modal]")

    def field(self, block_id: str, kind: str = "input") -> Locator:
        return self.modal.locator(f"[data-block-id={block_id}] {kind}").first

    async def submit(self) -> None:
        await self.modal.locator("[data-testid=modal-submit]").click()

    async def no_raw_tokens(self) -> None:
        shown = await self.page.locator("body").inner_text()
        assert not RAW_TOKENS.search(shown), RAW_TOKENS.search(shown)
        assert self.errors == []

    async def shot(self, name: str) -> None:
        if SCREENSHOTS:
            await self.page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"))

    async def share(self, name: str, data: bytes, mime: str = "text/csv") -> None:
        """Picks a file in the picker the "Share a file" button opens."""
        async with self.page.expect_file_chooser() as opened:
            await self.page.click("[data-testid=attach]")
        chooser = await opened.value
        await chooser.set_files([FilePayload(name=name, mimeType=mime, buffer=data)])

    async def drop(
        self, name: str, text: str, *, events: tuple[str, ...] = ("dragover", "drop")
    ) -> None:
        """Drags a file from the desktop onto the conversation."""
        dragged = await self.page.evaluate_handle(
            """([name, text]) => {
                const dragged = new DataTransfer();
                dragged.items.add(new File([text], name));
                return dragged;
            }""",
            [name, text],
        )
        for event in events:
            await self.page.dispatch_event("#main", event, {"dataTransfer": dragged})


async def test_from_added_to_hired_in_the_browser(browser: Browser, playground: Playground) -> None:
    page = await browser.new_page(viewport={"width": 1400, "height": 900})
    page.set_default_timeout(WAIT_MS)
    you = Person_(page, playground)
    await page.goto(f"{playground.url}/?as={RECRUITER.id}")
    await expect(page.locator("[data-testid=banner]")).to_contain_text("Playground")

    # The recruiter sees the seeded pipeline.
    await you.be(RECRUITER)
    await page.click("[data-testid=tips-dismiss]")
    await you.open(HIRING.id)
    await you.type("/hire pipeline")
    await expect(you.message("Maya Chen")).to_contain_text("Only visible to you")
    await you.no_raw_tokens()
    await you.shot("pipeline")

    # …adds Jane through the modal: a bad email is refused on its field, then fixed.
    await you.type("/hire add")
    await expect(you.modal).to_be_visible()
    # The form's first field has the focus, and keeps it once the command has returned:
    # the composer taking it back sent what was typed next into the channel instead.
    await expect(page.locator("[data-testid=composer]")).to_be_enabled()
    await expect(you.field("name")).to_be_focused()
    await you.field("name").fill("Jane Doe")
    await you.field("email").fill("jane@")
    await you.submit()
    await expect(you.modal.locator("[data-block-id=email]")).to_contain_text("email")
    await expect(you.field("name")).to_have_value("Jane Doe")  # nothing typed is lost
    await you.shot("add-error")
    await you.field("email").fill("jane.doe@example.com")
    await you.submit()
    await expect(you.modal).to_be_hidden()

    # …and schedules her interview, which began two hours ago.
    await you.type("/hire schedule Jane Doe")
    await expect(you.modal).to_be_visible()
    await you.field("plan", "select").select_option("incident")  # the plan's key
    await you.field("interviewers", "select").select_option(INTERVIEWER_1.id)
    starts = (playground.clock.now() - timedelta(hours=2)).astimezone(ZoneInfo(RECRUITER.tz))
    await you.field("starts", "input[type=date]").fill(starts.strftime("%Y-%m-%d"))
    await you.field("starts", "input[type=time]").fill(starts.strftime("%H:%M"))
    await you.submit()
    # A start gone by may be a slip of the date: the form says so before booking.
    await expect(you.modal).to_contain_text("In the past.")
    await expect(you.modal.locator("[data-testid=modal-submit]")).to_have_text("Schedule anyway")
    await you.shot("schedule-in-the-past")
    await you.submit()
    await expect(you.modal).to_be_hidden()

    # It really began three hours ago: the card's interview menu moves it.
    await you.type("/hire status Jane Doe")
    card = you.message("Interviews")
    await card.locator("button.overflow").first.click()
    await expect(card.locator(".menu-item")).to_have_text(
        ["Reschedule", "Change interviewers", "Cancel interview", "No-show (they did not come)"]
    )
    await you.shot("interview-menu")
    await card.locator(".menu-item", has_text="Reschedule").click()
    await expect(you.modal).to_contain_text("New start")
    earlier = starts - timedelta(hours=1)
    await you.field("starts", "input[type=date]").fill(earlier.strftime("%Y-%m-%d"))
    await you.field("starts", "input[type=time]").fill(earlier.strftime("%H:%M"))
    await you.submit()
    await expect(you.modal).to_contain_text("In the past.")
    await you.submit()  # Reschedule anyway
    await expect(you.modal).to_be_hidden()
    async with playground.asgi.state.deps.db.reader() as session:
        booked = (await session.exec(select(Interview).order_by(col(Interview.id).desc()))).first()
    assert booked is not None and booked.version == 2
    assert booked.starts_at == earlier.replace(second=0, microsecond=0).astimezone(UTC)

    # The interviewer finds the kit in the DM and submits the scorecard from it.
    await you.be(INTERVIEWER_1)
    await you.open(dm_of(INTERVIEWER_1.id))
    kit = you.message("Interview kit: Jane Doe")
    await kit.get_by_role("button", name="Submit scorecard").click()
    await expect(you.modal).to_be_visible()
    for rating in await you.modal.locator("[data-block-id^=rate_] select").all():
        await rating.select_option("4")
    await you.field("recommendation", "select").select_option("4")
    await you.field("summary", "textarea").fill("Walked through a real drift incident end to end.")
    await you.shot("scorecard")
    await you.submit()
    await expect(you.modal).to_be_hidden()
    await expect(you.message("Your scorecard for Jane Doe")).to_contain_text("submitted")
    await you.no_raw_tokens()
    # Sent from the Messages tab, so nothing redrew Home behind it: opened now, it is
    # drawn with the scorecard among those sent.
    await page.click("[data-testid=tab-home]")
    home = page.locator("#home")
    # (the seed's interviewer has sent three before, Elena Petrova's now closed by her
    # offer, and has Luis Ortega's interview still ahead). Until the redraw lands, the
    # tab shows the view drawn before, with Jane Doe's still to submit, as Slack does:
    # both counts are the redrawn tab's, checked together.
    await expect(home).to_contain_text("Submitted, still editable (3)")
    await expect(home).to_contain_text("Scorecards to submit (0)")
    await expect(home).to_contain_text("Upcoming interviews (1)")
    await expect(home.locator(".block", has_text="Jane Doe").first).to_contain_text("submitted")
    await you.no_raw_tokens()
    await page.click("[data-testid=tab-messages]")

    # The recruiter moves her to decision, extends an offer, and records it accepted.
    await you.be(RECRUITER)
    await you.open(HIRING.id)
    await you.type("/hire move Jane Doe to decision")
    await expect(you.message("Jane Doe is now in decision")).to_be_visible()
    await you.type("/hire offer Jane Doe")
    await expect(you.modal).to_be_visible()
    await you.field("terms", "textarea").fill("MLOps Engineer, L4, start in February.")
    await you.submit()
    await expect(you.modal).to_be_hidden()
    await you.type("/hire status Jane Doe")
    card = you.message("Offer")
    await card.get_by_role("button", name="Accepted").click()
    # Slack asks first, with the button's own confirm dialog.
    await expect(page.locator("[data-testid=confirm]")).to_contain_text("Offer accepted?")
    await page.click("[data-testid=confirm-yes]")
    # The card, privately, and the news for the team in the role's channel.
    await expect(you.message("Jane Doe accepted the offer and is hired")).to_contain_text("Hired")
    await expect(you.message("accepted the offer for MLOps Engineer")).to_contain_text(
        "Recorded by @Riya Patel"
    )
    async with playground.asgi.state.deps.db.reader() as session:
        jane = (await session.exec(select(Candidate).where(Candidate.name == "Jane Doe"))).one()
    assert jane.stage == "hired"

    # A day later the recruiter's digest arrives; Snooze answers.
    await page.click("[data-testid=clock-day]")
    await expect(page.locator("[data-testid=toast]").last).to_contain_text("sent")
    await you.open(dm_of(RECRUITER.id))
    digest = you.message("need you")
    await expect(digest).to_be_visible()
    await you.shot("digest")
    await digest.get_by_role("button", name="Snooze 24h").first.click()
    await expect(you.message("Snoozed")).to_be_visible()
    await you.no_raw_tokens()

    # The hiring manager asks in a DM; the outsider is told nothing.
    await you.be(HIRING_MANAGER)
    await you.open(dm_of(HIRING_MANAGER.id))
    await you.type("where is Jane?")
    await expect(you.message("Jane Doe")).to_contain_text("hired")
    await you.no_raw_tokens()
    await you.shot("ask")

    await you.be(OUTSIDER)
    await you.open(dm_of(OUTSIDER.id))
    await you.type("where is Jane?")
    await expect(you.message("couldn't find")).to_be_visible()
    assert "Jane Doe" not in await page.locator("#messages").inner_text()


async def test_home_tab_and_weekly_chart(browser: Browser, playground: Playground) -> None:
    you = await Person_.opened(browser, playground, HIRING_MANAGER)
    page = you.page
    await page.click("[data-channel=" + dm_of(HIRING_MANAGER.id) + "]")
    await page.click("[data-testid=tab-home]")
    await expect(page.locator("#home")).to_contain_text("Elena Petrova")
    await you.no_raw_tokens()
    await you.shot("home")

    await page.click("[data-testid=clock-monday]")
    await you.open(HIRING.id)
    chart = page.locator("#messages img").last
    await expect(chart).to_be_visible()
    loaded = await chart.evaluate("img => img.complete && img.naturalWidth > 0")
    assert loaded
    await you.no_raw_tokens()
    # Opened afresh, the channel shows its newest message: the charts loaded after the
    # scroll and left it some 760 px above the bottom.
    fresh = await Person_.opened(browser, playground, RECRUITER)
    await fresh.open(HIRING.id)
    pane = fresh.page.locator("#messages")
    await fresh.page.wait_for_function(
        "() => [...document.querySelectorAll('#messages img')].every(i => i.complete)"
    )
    gap = "p => p.scrollHeight - p.scrollTop - p.clientHeight"
    # The page follows the charts' layout a frame after they load: the gap closes then
    # (looked at once, it can be caught in the frame between a chart's growth and that).
    try:
        await fresh.page.wait_for_function(
            f"() => ({gap})(document.querySelector('#messages')) < 40", timeout=10_000
        )
    except PlaywrightTimeoutError:
        pytest.fail(f"left {await pane.evaluate(gap)} px above the newest message")

    # Once the reader scrolls up, the list growing (a chart loading) leaves them where
    # they are. Grown and looked at within two frames, again if the page drew the list
    # anew meanwhile (a message arrived: that one it rightly follows).
    box = await pane.bounding_box()
    assert box is not None
    await fresh.page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    await fresh.page.mouse.wheel(0, -400)
    await fresh.page.wait_for_function(f"() => ({gap})(document.querySelector('#messages')) > 300")
    grown = await pane.evaluate(
        """async (p) => {
            const frame = () => new Promise(r => requestAnimationFrame(r));
            const frames = async () => { await frame(); await frame(); };
            const gap = () => p.scrollHeight - p.scrollTop - p.clientHeight;
            for (let attempt = 0; attempt < 10; attempt++) {
                if (gap() < 300) {  // a new message came and was followed: scroll up again
                    p.dispatchEvent(new WheelEvent('wheel', {deltaY: -400, bubbles: true}));
                    p.scrollTop -= 400;
                }
                const list = p.firstElementChild, top = p.scrollTop;
                const tall = Object.assign(document.createElement('div'), {style: 'height: 500px'});
                list.append(tall);
                await frames();
                if (p.firstElementChild === list) return [top, p.scrollTop];
            }
            return null;
        }"""
    )
    assert grown is not None and grown[1] == grown[0], grown


async def test_a_decline_is_recorded_then_the_form_asks_why(
    browser: Browser, playground: Playground
) -> None:
    """Elena's offer (the seed's, running out today) is declined on her card: the click
    records it, and the form asking why opens over the card the click left."""
    you = await Person_.opened(browser, playground, RECRUITER)
    await you.open(HIRING.id)
    await you.type("/hire status Elena Petrova")
    card = you.message("Offer")
    await card.get_by_role("button", name="Declined").click()
    await expect(you.page.locator("[data-testid=confirm]")).to_contain_text("Offer declined?")
    await you.page.click("[data-testid=confirm-yes]")
    await expect(you.modal).to_contain_text("Why did they decline?")
    await expect(you.message("Elena Petrova declined the offer and is withdrawn")).to_be_visible()
    await you.field("reason", "select").select_option("other_offer")
    await you.field("details", "textarea").fill("Signed with a start-up closer to home.")
    await you.shot("decline-why")
    await you.submit()
    await expect(you.modal).to_be_hidden()
    await expect(you.message("Saved why Elena Petrova declined")).to_contain_text(
        "Took another offer: Signed with a start-up closer to home."
    )
    await expect(you.message("Why Elena Petrova declined")).to_contain_text("Recorded by")
    await you.no_raw_tokens()
    await you.shot("decline-saved")


# Sharing a file: a CSV to import and a scorecard template go to the DM with the app.
NEW_PEOPLE = (
    b"Name,Email,Stage\nKofi Mensah,kofi@example.com,screening\nLena Vogel,lena@example.com,\n"
)
TEMPLATE = Path(__file__).parents[2] / "bot" / "domain" / "templates" / "mlops.toml"


async def test_a_recruiter_shares_a_csv_and_imports_it(
    browser: Browser, playground: Playground
) -> None:
    you = await Person_.opened(browser, playground, RECRUITER)
    page = you.page
    # Loopkeeper reads files only in its DM, so a channel has no 📎.
    await you.open(HIRING.id)
    await expect(page.locator("[data-testid=composer]")).to_be_visible()
    await expect(page.locator("[data-testid=attach]")).to_be_hidden()

    await you.open(dm_of(RECRUITER.id))
    await expect(page.locator("[data-testid=attach]")).to_be_visible()
    await you.share("new-people.csv", NEW_PEOPLE)
    shared = page.locator("#messages .msg", has=page.locator("a.file", has_text="new-people.csv"))
    await expect(shared.locator(".msg-name")).to_have_text(RECRUITER.name)
    preview = you.message("Import from new-people.csv")
    await expect(preview).to_contain_text("2 rows · 2 new")
    await expect(preview).to_contain_text("MLOps Engineer")
    await you.no_raw_tokens()
    await you.shot("import-preview")
    await preview.get_by_role("button", name="Import 2 candidates").click()
    await expect(page.locator("[data-testid=confirm]")).to_contain_text("Import candidates?")
    await page.click("[data-testid=confirm-yes]")
    await expect(you.message("Imported 2 candidates")).to_contain_text("MLOps Engineer")

    await you.type("/hire status Kofi Mensah")
    await expect(you.message("Kofi Mensah").last).to_contain_text("Screening")
    async with playground.asgi.state.deps.db.reader() as session:
        names = (await session.exec(select(Candidate.name, Candidate.stage))).all()
    assert {("Kofi Mensah", "screening"), ("Lena Vogel", "sourced")} <= set(names)
    await you.no_raw_tokens()


async def test_half_a_date_and_time_is_asked_for_not_dropped(
    browser: Browser, playground: Playground
) -> None:
    """Slack's client will not submit a date without its time; neither does the page
    (it once sent no time at all, and the form went through without the date)."""
    you = await Person_.opened(browser, playground, RECRUITER)
    page = you.page
    await page.click("[data-testid=tips-dismiss]")
    await you.open(HIRING.id)
    await you.type("/hire deadline Maya Chen")
    await expect(you.modal).to_be_visible()
    await you.field("deadline", "input[type=date]").fill("2026-12-07")
    await you.field("reason", "input").fill("competing offer")
    await you.submit()
    error = you.modal.locator("[data-block-id=deadline] .field-error")
    await expect(error).to_have_text("Pick a time too.")
    await expect(you.modal).to_be_visible()  # nothing was sent
    async with playground.asgi.state.deps.db.reader() as session:
        maya = (await session.exec(select(Candidate).where(Candidate.name == "Maya Chen"))).one()
    assert maya.deadline_at is None


async def test_other_files_get_the_apps_own_answer(
    browser: Browser, playground: Playground
) -> None:
    you = await Person_.opened(browser, playground, RECRUITER)
    page = you.page
    # Dropped on a channel, a file is not shared: the page says where files go.
    await you.open(HIRING.id)
    await you.drop("resume.pdf", "%PDF-1.7 a resume")
    await expect(page.locator("#composer-error")).to_contain_text("open its Messages tab")
    await you.open(dm_of(RECRUITER.id))
    await you.drop("resume.pdf", "%PDF-1.7 a resume", events=("dragover",))
    await expect(page.locator("#main.dropping")).to_be_visible()
    await you.drop("resume.pdf", "%PDF-1.7 a resume", events=("drop",))
    await expect(page.locator("#main.dropping")).to_have_count(0)
    await expect(you.message("I can import candidates from a CSV file")).to_be_visible()
    assert "resume.pdf" not in str(playground.standin.conversations.get(HIRING.id))

    # Too large for the playground: said under the message box, and nothing is sent.
    await you.share("huge.csv", b"x" * (MAX_FILE_BYTES + 1))
    await expect(page.locator("#composer-error")).to_contain_text("larger than 10 MB")
    await expect(you.message("huge.csv")).to_have_count(0)

    # An admin's scorecard template, dropped on the app's Home tab, is shared in its
    # Messages tab and previewed there, with Install.
    await you.be(ADMIN)
    await you.open(dm_of(ADMIN.id))
    await page.click("[data-testid=tab-home]")
    source = TEMPLATE.read_text().replace('name = "mlops"', 'name = "acme-ml"', 1)
    await you.drop("acme-ml.toml", source)
    await expect(page.locator("#messages")).to_be_visible()
    answer = you.message("acme-ml v1")
    await expect(answer).to_contain_text("a new template")
    await expect(answer.get_by_role("button", name=re.compile("Install"))).to_be_visible()
    await you.no_raw_tokens()


async def test_the_share_route_refuses_a_missing_or_oversize_file(playground: Playground) -> None:
    async with httpx.AsyncClient(base_url=playground.url, timeout=30) as http:

        async def share(**body: Any) -> tuple[int, dict[str, Any]]:
            response = await http.post("/playground/api/share", json=body)
            return response.status_code, response.json()

        assert await share(**{"as": RECRUITER.id, "filename": "a.csv"}) == (
            400,
            {"ok": False, "error": "Choose a file to share."},
        )
        empty = await share(**{"as": RECRUITER.id, "filename": "a.csv", "data": ""})
        assert empty == (400, {"ok": False, "error": "a.csv is empty: there is nothing to share."})
        big = base64.b64encode(b"x" * (MAX_FILE_BYTES + 1)).decode()
        oversize = await share(**{"as": RECRUITER.id, "filename": "a.csv", "data": big})
        assert oversize == (400, {"ok": False, "error": TOO_LARGE})
        # Far larger still: refused before the whole request is read.
        huge = await share(**{"as": RECRUITER.id, "filename": "a.csv", "data": big * 2})
        assert huge == (400, {"ok": False, "error": TOO_LARGE})
        garbled = await share(**{"as": RECRUITER.id, "filename": "a.csv", "data": "not base64!"})
        assert garbled[0] == 400 and "base64" in garbled[1]["error"]
        nobody = await share(filename="a.csv", data="YQ==")
        assert nobody == (400, {"ok": False, "error": "Pick a person of the playground first."})
    assert "a.csv" not in str(playground.standin.conversations.get(dm_of(RECRUITER.id)))


# The renderers on their own, in the same browser: every element type the app's
# builders use, and the mrkdwn tokens that must never reach a person raw.
MRKDWN_CASES = [
    # (mrkdwn as the app sends it, what a person reads)
    ("<!date^1796115600^{date_short_pretty} at {time}|1 Dec 09:00 UTC>", "today at 10:00"),
    ("<!date^1796202000^{date_long_pretty}|2 Dec>", "tomorrow"),
    ("<!date^1795510800^{date_num} {time}|fallback>", "2026-11-24 10:00"),
    ("due <!date^1796119200^{ago}|soon>", "due in 1 hour"),
    # Under a minute away, but past "just now": every date drew nothing, and the page
    # stopped showing new messages until reloaded.
    ("<!date^1796115550^{date_short_pretty} at {time}|x>", "today at 09:59"),
    ("sent <!date^1796115550^{ago}|x>", "sent 1 minute ago"),
    ("due <!date^1796115655^{ago}|x>", "due in 1 minute"),
    ("Add with `/hire add &lt;name&gt;`", "Add with /hire add <name>"),
    ("*Jane* &amp; _Bob_ ~old~", "Jane & Bob old"),
    ("<@UHM00001> and <@UBOT>", "@Hana Mori and @Loopkeeper"),
    ("<#GHIRING01>", "#mlops-hiring"),
    ("<https://example.com/cv|her CV>", "her CV"),
    ("&gt; quoted line", "quoted line"),
    (":white_check_mark: done", "✅ done"),
]

# Each input element with the extra fields it needs.
INPUT_ELEMENTS: list[tuple[str, dict[str, Any]]] = [
    ("plain_text_input", {"multiline": True}),
    ("number_input", {"is_decimal_allowed": False}),
    ("email_text_input", {}),
    ("url_text_input", {}),
    (
        "static_select",
        {"options": [{"text": {"type": "plain_text", "text": "A"}, "value": "a"}]},
    ),
    ("users_select", {}),
    ("multi_users_select", {}),
    ("conversations_select", {}),
    (
        "radio_buttons",
        {"options": [{"text": {"type": "plain_text", "text": "R"}, "value": "r"}]},
    ),
    (
        "checkboxes",
        {"options": [{"text": {"type": "plain_text", "text": "C"}, "value": "c"}]},
    ),
    ("datepicker", {}),
    ("timepicker", {}),
    ("datetimepicker", {}),
]

ELEMENT_ZOO: list[dict] = [
    {"type": "header", "text": {"type": "plain_text", "text": "Header"}},
    {
        "type": "section",
        "text": {"type": "mrkdwn", "text": "Section"},
        "fields": [{"type": "mrkdwn", "text": "*Field*"}],
        "accessory": {
            "type": "overflow",
            "action_id": "o",
            "options": [{"text": {"type": "plain_text", "text": "Cancel"}, "value": "c"}],
        },
    },
    {"type": "context", "elements": [{"type": "mrkdwn", "text": "Context"}]},
    {"type": "divider"},
    {"type": "image", "image_url": "/playground/static/none.png", "alt_text": "chart"},
    {
        "type": "actions",
        "elements": [
            {"type": "button", "text": {"type": "plain_text", "text": "Go"}, "style": "primary"},
            {
                "type": "static_select",
                "action_id": "s",
                "options": [{"text": {"type": "plain_text", "text": "One"}, "value": "1"}],
            },
        ],
    },
    *(
        {
            "type": "input",
            "block_id": kind,
            "label": {"type": "plain_text", "text": kind},
            "element": {"type": kind, "action_id": "value", **extra},
        }
        for kind, extra in INPUT_ELEMENTS
    ),
]


async def test_renderers_show_every_element_and_no_raw_token(
    browser: Browser, playground: Playground
) -> None:
    page = await browser.new_page()
    await page.goto(f"{playground.url}/?as={RECRUITER.id}")
    context = {
        "people": [{"id": HIRING_MANAGER.id, "name": HIRING_MANAGER.name}],
        "bot": {"id": "UBOT", "name": "Loopkeeper"},
        "channels": [{"id": HIRING.id, "name": "mlops-hiring", "kind": "private"}],
        "tz": "Europe/Berlin",
        "now": 1796115600,  # Tue 1 Dec 2026, 10:00 in Berlin
    }
    for text, shown in MRKDWN_CASES:
        seen = await page.evaluate(
            """async ([text, ctx]) => {
                const { mrkdwn } = await import("/playground/static/mrkdwn.js");
                const div = document.createElement("div");
                div.innerHTML = mrkdwn(text, ctx);
                return div.innerText;
            }""",
            [text, context],
        )
        assert seen.strip() == shown, (text, seen)

    hostile = await page.evaluate(
        """async ([text, ctx]) => {
            const { mrkdwn } = await import("/playground/static/mrkdwn.js");
            const div = document.createElement("div");
            div.innerHTML = mrkdwn(text, ctx);
            return [div.querySelectorAll("img, a[href^='javascript']").length, div.innerText];
        }""",
        ["<javascript:alert(1)|x> &lt;img src=x onerror=alert(1)&gt; <img src=x>", context],
    )
    assert hostile[0] == 0, hostile

    rendered = await page.evaluate(
        """async ([blocks, ctx]) => {
            const { renderBlocks } = await import("/playground/static/blockkit.js");
            const root = document.createElement("div");
            root.append(renderBlocks(blocks, { ...ctx, onAction: () => {} }));
            document.body.append(root);
            return [root.querySelectorAll(".unsupported").length, root.innerText];
        }""",
        [ELEMENT_ZOO, context],
    )
    unsupported, text = rendered
    assert unsupported == 0, text
    assert "Header" in text and "Field" in text and "Context" in text
