"""The App Home tab, for every hat."""

from __future__ import annotations

from typing import Any

from tests.conftest import HM, OUTSIDER, RECRUITER, RECRUITER_2, Running
from tests.flows import (
    INTERVIEWER,
    add_candidate,
    blocks_text,
    buttons,
    create_role,
    home_of,
    schedule,
    submit_scorecard,
)
from tests.readmodels.test_pipelines import busy_role


def headers(view: dict[str, Any]) -> list[str]:
    return [b["text"]["text"] for b in view["blocks"] if b["type"] == "header"]


async def test_each_hat_sees_its_sections(app: Running, clock) -> None:
    await busy_role(app, clock)

    assert headers(await home_of(app, RECRUITER)) == ["Recruiting"]
    assert headers(await home_of(app, HM)) == ["Hiring manager"]
    assert headers(await home_of(app, INTERVIEWER)) == ["Your interviews"]
    assert headers(await home_of(app, OUTSIDER)) == ["Your interviews"]  # a start for anyone

    recruiter = blocks_text((await home_of(app, RECRUITER))["blocks"])
    assert "Needs action now* (4)" in recruiter and "Cy Calm" not in recruiter.split("Pipelines")[0]
    manager = await home_of(app, HM)
    text = blocks_text(manager["blocks"])
    assert "Waiting on you: decisions* (1)" in text and "Di Decision" in text
    assert "Open status" in buttons(manager["blocks"])


async def test_several_hats_see_each_section_once(app: Running, clock) -> None:
    await create_role(app, title="MLOps Engineer", hm=HM, recruiters=(RECRUITER,))
    await create_role(app, title="Data Engineer", hm=RECRUITER, recruiters=(RECRUITER, RECRUITER_2))
    role = await create_role(app, title="ML Platform", hm=HM, recruiters=(RECRUITER_2,))
    await add_candidate(app, "Jane Doe", role=role, user=RECRUITER_2)
    interview = await schedule(app, "Jane", interviewers=(RECRUITER,), user=RECRUITER_2)
    assert interview is not None

    view = await home_of(app, RECRUITER)  # HM of one, recruiter of two, interviewer of one

    assert headers(view) == ["Hiring manager", "Recruiting", "Your interviews"]
    assert blocks_text(view["blocks"]).count("*Data Engineer*: 0 open") == 2  # HM + recruiting


async def test_recent_scorecards_reach_the_hiring_managers_home(app: Running, clock) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    interview = await schedule(app, "Jane")
    await submit_scorecard(app, interview, rating="4")
    # The hiring manager's Home is not redrawn for someone else's scorecard; opened, it
    # shows it.
    await app.settle()
    assert [c for c in app.standin.calls_to("views.publish") if c.args["user_id"] == HM] == []
    home = await home_of(app, HM)
    text = blocks_text(home["blocks"])
    assert (
        "*Jane Doe* (MLOps Engineer): Production incident interview, "
        f"<@{INTERVIEWER}>, *Strong yes*" in text
    )
    assert "View" in buttons(home["blocks"])
