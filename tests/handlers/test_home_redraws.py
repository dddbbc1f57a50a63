"""A person's own change redraws their Home tab while it may be in front of them: when
the last tab of the app they opened is Home (Slack sends app_home_opened for both
tabs). A tab left for Messages, or never opened, is drawn fresh, with the change, when
Home is opened."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from sqlmodel import col, select

from bot.playground.standin import SlackStandin
from bot.runtime.timesource import ManualClock
from bot.slack.app import make_sweeper
from bot.store.tables import AppTab, Interview
from tests.conftest import RECRUITER, Running, serving
from tests.flows import (
    INTERVIEWER,
    add_candidate,
    blocks_text,
    create_role,
    home_of,
    opens,
    schedule,
    submit_scorecard,
)

# The tab is kept with INSERT … ON CONFLICT DO UPDATE … WHERE: keeping and
# forgetting it run on both databases, the redraws themselves on SQLite.


async def tabs(app: Running) -> list[AppTab]:
    async with app.deps.db.reader() as session:
        return list((await session.exec(select(AppTab).order_by(col(AppTab.user_id)))).all())


def published(app: Running) -> Counter[str]:
    return Counter(c.args["user_id"] for c in app.standin.calls_to("views.publish"))


async def interview_for(app: Running) -> Interview:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    return await schedule(app, "Jane")


async def test_a_scorecard_sent_from_the_messages_tab_leaves_home_for_when_it_is_opened(
    app: Running,
) -> None:
    interview = await interview_for(app)
    await opens(app, INTERVIEWER, "home")
    await opens(app, INTERVIEWER, "messages")  # the kit is a DM: Messages tab
    before = published(app)[INTERVIEWER]

    await submit_scorecard(app, interview)

    assert published(app)[INTERVIEWER] == before  # nobody is looking at that tab
    # Opened again, it shows the scorecard sent: never the tab as it was.
    home = blocks_text((await home_of(app, INTERVIEWER))["blocks"])
    assert "Scorecards to submit* (0)" in home


async def test_a_scorecard_sent_while_home_is_open_redraws_it(app: Running, clock) -> None:
    interview = await interview_for(app)
    clock.set(interview.ends_at)  # its scorecard opens once it has begun
    await opens(app, INTERVIEWER, "messages")
    await opens(app, INTERVIEWER, "home")  # and submits from the Home tab's button
    before = published(app)[INTERVIEWER]
    pending = app.standin.calls_to("views.publish")[-1].args["view"]
    assert "Scorecards to submit* (1)" in blocks_text(pending["blocks"])

    await submit_scorecard(app, interview)

    assert published(app)[INTERVIEWER] == before + 1
    redrawn = app.standin.calls_to("views.publish")[-1]
    assert redrawn.args["user_id"] == INTERVIEWER
    assert "Scorecards to submit* (0)" in blocks_text(redrawn.args["view"]["blocks"])


async def test_someone_never_seen_opening_a_tab_is_drawn_when_they_open_home(
    app: Running,
) -> None:
    """Nothing says they are looking at Home (they have not opened the app, or not in
    the last 30 days): no redraw after their change, and Home opened shows it."""
    interview = await interview_for(app)
    await submit_scorecard(app, interview)
    assert published(app)[INTERVIEWER] == 0
    await opens(app, INTERVIEWER, "home")
    assert published(app)[INTERVIEWER] == 1
    drawn = app.standin.calls_to("views.publish")[-1].args["view"]
    assert "Scorecards to submit* (0)" in blocks_text(drawn["blocks"])


@pytest.mark.both_databases
async def test_a_late_retry_of_an_older_opening_does_not_win(app: Running) -> None:
    interview = await interview_for(app)
    await opens(app, INTERVIEWER, "messages")
    # Slack retries the Home opening of a minute ago, after the Messages one.
    await opens(app, INTERVIEWER, "home", seconds_ago=60)
    [tab] = await tabs(app)
    assert (tab.user_id, tab.tab) == (INTERVIEWER, "messages")
    before = published(app)[INTERVIEWER]

    await submit_scorecard(app, interview)

    assert published(app)[INTERVIEWER] == before


async def test_a_tab_or_a_person_slack_does_not_have_is_not_kept(app: Running) -> None:
    await opens(app, INTERVIEWER, "about")
    await opens(app, INTERVIEWER, "")
    await opens(app, "U" + "X" * 40, "messages")  # longer than any Slack user id
    assert await tabs(app) == []
    assert published(app)[INTERVIEWER] == 0


@pytest.mark.both_databases
async def test_opening_a_tab_keeps_every_kept_read(app: Running) -> None:
    """A tab opened is written on every click into the app: it must not throw away the
    status cards every process keeps until the store changes."""
    version = await app.deps.db.version()
    await opens(app, INTERVIEWER, "messages")
    await opens(app, RECRUITER, "home")
    assert await app.deps.db.version() == version
    assert len(await tabs(app)) == 2


@pytest.mark.both_databases
async def test_the_last_tab_survives_a_restart(
    app: Running, db_url: str, standin: SlackStandin, clock: ManualClock
) -> None:
    interview = await interview_for(app)
    await opens(app, INTERVIEWER, "messages")
    # Another replica, or the same app started again: the tab is a row.
    async with serving(db_url, standin, clock) as restarted:
        before = published(restarted)[INTERVIEWER]
        await submit_scorecard(restarted, interview)
        assert published(restarted)[INTERVIEWER] == before


@pytest.mark.both_databases
async def test_a_tab_opened_a_month_ago_is_forgotten_by_the_sweep(
    app: Running, clock: ManualClock
) -> None:
    """When people open the app is kept only while it says where they may be."""
    await opens(app, INTERVIEWER, "messages")
    clock.advance(timedelta(days=20))
    await opens(app, RECRUITER, "home")
    clock.advance(timedelta(days=11))
    await make_sweeper(app.deps).run(clock.now())
    assert [(tab.user_id, tab.tab) for tab in await tabs(app)] == [(RECRUITER, "home")]
