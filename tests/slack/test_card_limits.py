"""A status card fits Slack's limits whatever the candidate's history: a long loop folds
its earliest interviews into one line instead of going past 50 blocks, which Slack
refuses (and then nobody could see the candidate again)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from bot.playground.standin import message_problems
from bot.usecases import feedback
from tests import cases
from tests.conftest import HM, RECRUITER, Running
from tests.flows import INTERVIEWER, INTERVIEWER_2, answer, blocks_text, home_of

PANEL = [INTERVIEWER, INTERVIEWER_2, "UINT0003"]


@pytest.mark.parametrize("interviews", [1, 7, 20])
async def test_a_status_card_fits_50_blocks_however_many_interviews(
    app: Running, clock, interviews: int
) -> None:
    db = app.deps.db
    _, jane = await cases.jane(db, clock)
    for n in range(interviews):
        await feedback.schedule(
            db,
            actor_id=RECRUITER,
            candidate_id=jane.candidate.id or 0,
            form=feedback.NewInterview("incident", PANEL, clock.now() + timedelta(days=n), None),
            now=clock.now(),
        )

    for viewer in (RECRUITER, HM, INTERVIEWER):
        card = answer(await app.slack.command("status Jane Doe", user=viewer))
        assert len(card["blocks"]) <= 50, (viewer, len(card["blocks"]))
        assert message_problems(card["blocks"]) == []
        shown = blocks_text(card["blocks"])
        # The latest interview is always there in full; the earliest fold when they must.
        assert shown.count("*Production incident interview*, ") == min(interviews, 6)
        folded = "earlier interview" in shown and "not shown here (0 of" in shown
        assert folded == (interviews > 6), shown


async def test_a_home_tab_fits_its_sections_however_many_roles(app: Running, clock) -> None:
    """A recruiter and hiring manager on 40 roles with long titles: every section stays
    under Slack's 3,000 characters, whole lines only, and says where the rest is."""
    db = app.deps.db
    for n in range(40):
        role = await cases.create_role(
            db, clock, title=f"Senior Staff Machine Learning {n:02} " * 4
        )
        await cases.add(db, clock, role, f"Candidate Number {n:02}")

    for person, more in ((RECRUITER, "more roles"), (HM, "more lines")):
        view = await home_of(app, person)
        texts = [b["text"]["text"] for b in view["blocks"] if b["type"] == "section"]
        assert all(len(t) <= 3000 for t in texts)
        [folded] = [t for t in texts if more in t]
        assert folded.endswith("shows them all.") or folded.endswith("shows every candidate.")
        assert message_problems(view["blocks"]) == []
