"""Status cards kept between answers (bot/readmodels/status.py, handlers/render.py:
shown_status): a repeated question is answered from kept rows and a kept drawing, and
never shows anything the store no longer holds, nor clocks that stopped."""

from __future__ import annotations

from datetime import timedelta

from tests.conftest import HM, OUTSIDER, RECRUITER, Running
from tests.flows import add_candidate, answer, blocks_text, buttons, candidate_named, create_role


async def status(app: Running, user: str, name: str = "Jane Doe") -> dict:
    return answer(await app.slack.command(f"status {name}", user=user))


async def test_the_same_question_twice_is_answered_from_what_was_kept(app: Running, clock) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    first = await status(app, HM)
    hits = app.deps.db.reads.hits, app.deps.cards.hits
    again = await status(app, HM)
    assert again == first
    assert (app.deps.db.reads.hits, app.deps.cards.hits) == (hits[0] + 1, hits[1] + 1)


async def test_a_change_by_someone_else_shows_on_the_very_next_question(
    app: Running, clock
) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    assert "Sourced for" in blocks_text((await status(app, HM))["blocks"])

    await app.slack.command("move Jane Doe to screening", user=RECRUITER)
    assert (await candidate_named(app, "Jane Doe")).stage == "screening"

    after = blocks_text((await status(app, HM))["blocks"])
    assert "Screening for less than a minute" in after
    assert "Advance to interviewing" in buttons((await status(app, HM))["blocks"])


async def test_the_clocks_keep_running_on_a_kept_card(app: Running, clock) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    assert "Sourced for less than a minute" in blocks_text((await status(app, HM))["blocks"])
    clock.advance(timedelta(hours=3, minutes=5))
    assert "Sourced for 3 hours 5 minutes" in blocks_text((await status(app, HM))["blocks"])


async def test_each_person_gets_their_own_drawing(app: Running) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await status(app, HM)  # kept for the hiring manager…
    # …which shows someone outside the team nothing, not the manager's card.
    outsider = await status(app, OUTSIDER)
    assert "couldn't find" in outsider["text"]
    assert "Advance to screening" in buttons((await status(app, RECRUITER))["blocks"])
