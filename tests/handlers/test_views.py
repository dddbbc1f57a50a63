"""Modal submissions through signed view_submission requests: field errors keep the
modal open and store nothing; a good submission is stored before the ack."""

from __future__ import annotations

from typing import Any

import pytest
from sqlmodel import select

from bot.domain.stages import Stage
from bot.store.tables import Role, RoleRecruiter
from tests.conftest import ADMIN, HIRING_CHANNEL, HM, OUTSIDER, RECRUITER, RECRUITER_2, Running
from tests.flows import (
    add_candidate,
    all_candidates,
    blocks_text,
    candidate_named,
    create_role,
    events_of,
    last_view,
    stored,
)


async def submit_role(app: Running, **values: Any) -> dict[str, Any]:
    await app.slack.command("role", user=ADMIN)
    form = {
        "title": "MLOps Engineer",
        "hiring_manager": HM,
        "recruiters": [RECRUITER],
        "channel": HIRING_CHANNEL,
    }
    form.update(values)
    response = await app.slack.submit_view(last_view(app), form, user=ADMIN)
    assert response.status_code == 200
    return response.json() if response.content else {}


# Create role -----------------------------------------------------------------------


async def test_role_is_stored_with_its_team_clocks_and_template(app: Running) -> None:
    role = await create_role(
        app, recruiters=(RECRUITER, RECRUITER_2), loop_days="5", decision_hours="24"
    )

    assert (role.title, role.hiring_manager_id, role.channel_id) == (
        "MLOps Engineer",
        HM,
        HIRING_CHANNEL,
    )
    assert (role.template, role.loop_days, role.decision_hours, role.offer_hours) == (
        "mlops",
        5,
        24,
        48,
    )
    async with app.deps.db.reader() as session:
        team = (await session.exec(select(RoleRecruiter.user_id))).all()
    assert sorted(team) == [RECRUITER, RECRUITER_2]


async def test_role_creator_is_told_and_the_hiring_channel_welcomed(app: Running) -> None:
    await create_role(app)

    posts = {c.args["channel"]: c.args for c in app.standin.calls_to("chat.postMessage")}
    assert "Role created" in posts[ADMIN]["text"]
    assert "MLOps Engineer" in blocks_text(posts[HIRING_CHANNEL]["blocks"])


async def test_unreachable_hiring_channel_is_explained_to_the_creator(app: Running) -> None:
    # The welcome in the hiring channel is the first post; Slack refuses it.
    app.standin.fail_next("chat.postMessage", "not_in_channel")

    await create_role(app, channel="GNOTJOINED")

    # Then the DM to the creator (the hiring team's own DMs follow).
    [refused, dm, *_] = app.standin.calls_to("chat.postMessage")
    assert refused.args["channel"] == "GNOTJOINED"
    assert dm.args["channel"] == ADMIN
    assert "Role created" in dm.args["text"]
    assert "`/invite @Loopkeeper`" in blocks_text(dm.args["blocks"])
    assert "not_in_channel" in blocks_text(dm.args["blocks"])
    assert [r.title for r in await stored(app, Role)] == ["MLOps Engineer"]


async def test_role_form_errors_are_shown_on_their_fields(app: Running) -> None:
    body = await submit_role(
        app,
        title="   ",
        hiring_manager=None,
        recruiters=[],
        channel=None,
        loop_days="0",
        feedback_hours="abc",
    )
    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {
        "title",
        "hiring_manager",
        "recruiters",
        "channel",
        "loop_days",
        "feedback_hours",
    }
    assert "from 1 to 60" in body["errors"]["loop_days"]
    assert await stored(app, Role) == []


async def test_duplicate_role_title_is_refused_on_the_title(app: Running) -> None:
    await create_role(app)
    body = await submit_role(app, title="mlops   ENGINEER")
    assert "exists already" in body["errors"]["title"]
    assert len(await stored(app, Role)) == 1


async def test_a_non_admin_submission_is_refused_and_stores_nothing(app: Running) -> None:
    await app.slack.command("role", user=ADMIN)
    form = {"title": "X", "hiring_manager": HM, "recruiters": [RECRUITER], "channel": "G1"}
    response = await app.slack.submit_view(last_view(app), form, user=OUTSIDER)
    assert "Only Loopkeeper admins" in response.json()["errors"]["title"]
    assert await stored(app, Role) == []


# Add candidate --------------------------------------------------------------------------


async def submit_candidate(app: Running, user: str = RECRUITER, **values: Any) -> dict[str, Any]:
    await app.slack.command("add", user=user)
    response = await app.slack.submit_view(last_view(app), values, user=user)
    assert response.status_code == 200
    return response.json() if response.content else {}


async def test_added_candidate_is_stored_in_sourced_and_confirmed_privately(
    app: Running, clock
) -> None:
    role = await create_role(app)
    app.standin.reset()

    jane = await add_candidate(
        app, "  Jane   Doe ", role=role, email="Jane@Example.com", links="https://cv.example/j"
    )

    assert (jane.name, jane.email, jane.links, jane.stage) == (
        "Jane Doe",
        "Jane@example.com",
        "https://cv.example/j",
        Stage.SOURCED,
    )
    assert jane.stage_entered_at == clock.now()
    [event] = await events_of(app, jane)
    assert (event.from_stage, event.to_stage, event.actor_id) == (None, "sourced", RECRUITER)
    # Where the command was typed, as an answer only she sees; never a post to a channel.
    assert app.standin.calls_to("chat.postMessage") == []
    [answered] = app.standin.calls_to(f"response_url:{RECRUITER}")
    assert answered.args["response_type"] == "ephemeral"
    assert "Added Jane Doe to MLOps Engineer" in answered.args["text"]


async def test_add_form_errors_store_nothing(app: Running) -> None:
    role = await create_role(app)

    empty = await submit_candidate(app, name="   ", role=str(role.id))
    assert empty["errors"] == {"name": "Enter the candidate's name, e.g. Jane Doe."}
    bad_email = await submit_candidate(app, name="Jane Doe", role=str(role.id), email="jane@")
    assert "does not look right" in bad_email["errors"]["email"]
    assert await all_candidates(app) == []


async def test_duplicate_open_candidate_is_refused_on_the_name(app: Running) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)

    body = await submit_candidate(app, name="JANE  DOE", role=str(role.id))

    assert "already an open candidate for MLOps Engineer" in body["errors"]["name"]
    # A field error is plain text in Slack: no backticks around the command.
    assert body["errors"]["name"].endswith("Use /hire status Jane Doe to see them.")
    assert len(await all_candidates(app)) == 1


@pytest.mark.parametrize(
    "look_alike",
    [
        "J\u0430ne Doe",  # a Cyrillic a
        "Jane D\u03bfe",  # a Greek omicron
        "Ja\u200bne Doe",  # a zero-width space
        "\u200fJane Doe\u200e",  # right-to-left and left-to-right marks
        "Jane\u00adDoe",  # a soft hyphen, still not a second name
    ],
)
async def test_a_look_alike_of_an_open_candidate_is_refused_on_the_name(
    app: Running, look_alike: str
) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    if look_alike == "Jane\u00adDoe":
        await add_candidate(app, "JaneDoe", role=role)  # what it reads as, once

    body = await submit_candidate(app, name=look_alike, role=str(role.id))

    assert "already an open candidate for MLOps Engineer" in body["errors"]["name"]


async def test_a_nul_byte_in_typed_text_is_refused_on_its_field(app: Running) -> None:
    # PostgreSQL refuses NUL in text: the person hears which field, not a database error.
    role = await create_role(app)

    body = await submit_candidate(app, name="Jane\x00Doe", role=str(role.id), email="j@x.io")

    assert body["response_action"] == "errors"
    assert set(body["errors"]) == {"name"}
    assert "NUL character" in body["errors"]["name"]
    assert await all_candidates(app) == []


async def test_a_rejected_candidate_can_be_added_again(app: Running) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await app.slack.command("move Jane Doe to rejected: not now", user=RECRUITER)

    app.standin.reset()

    again = await add_candidate(app, "Jane Doe", role=role)

    assert again.stage == Stage.SOURCED
    assert len(await all_candidates(app)) == 2
    # Told, so a second Jane Doe is not mistaken for a new person (or the other way).
    [dm] = app.standin.calls_to(f"response_url:{RECRUITER}")
    assert (
        "On file already, by email or name: Jane Doe, MLOps Engineer (rejected). If that is "
        "the same person, their earlier history is on that card."
    ) in blocks_text(dm.args["blocks"])


@pytest.mark.both_databases  # the email is matched in SQL, in any case
async def test_an_email_already_applying_for_the_role_is_refused_on_the_email(
    app: Running,
) -> None:
    """Another name with the same email is the same application typed twice (a married
    name, a nickname): refused on the email field, naming who has it."""
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role, email="jane@example.com")

    body = await submit_candidate(
        app, name="Jane Smith", role=str(role.id), email="JANE@example.com"
    )

    assert body["errors"]["email"] == (
        "Jane Doe already applies for MLOps Engineer with this email (stage: sourced). "
        "Use /hire status Jane Doe to see them."  # a field error is plain text
    )
    assert [c.name for c in await all_candidates(app)] == ["Jane Doe"]


@pytest.mark.both_databases  # the email is matched in SQL, in any case
async def test_an_email_on_file_elsewhere_is_added_and_pointed_out(app: Running) -> None:
    """The same person rejected before, or applying for another role: added, and the
    confirmation names the earlier records the recruiter may see (not those they may
    not)."""
    role = await create_role(app)
    other = await create_role(app, title="Data Engineer")
    hidden = await create_role(app, title="Secret Role", recruiters=(RECRUITER_2,))
    await add_candidate(app, "Jane Doe", role=role, email="jane@example.com")
    await app.slack.command("move Jane Doe to rejected: not now", user=RECRUITER)
    await add_candidate(app, "Jane Doe", role=other, email="jane@example.com")
    await add_candidate(app, "Jane D.", role=hidden, user=RECRUITER_2, email="jane@example.com")
    app.standin.reset()

    await add_candidate(app, "Jane Doe", role=role, email="jane@example.com")

    [dm] = app.standin.calls_to(f"response_url:{RECRUITER}")
    shown = blocks_text(dm.args["blocks"])
    assert "On file already, by email or name: " in shown, shown
    assert "Jane Doe, Data Engineer (sourced); Jane Doe, MLOps Engineer (rejected)" in shown
    assert "Secret Role" not in shown and "Jane D." not in shown


async def test_cannot_add_to_a_role_you_do_not_recruit_for(app: Running) -> None:
    mine = await create_role(app, title="Data Engineer", recruiters=(RECRUITER_2,))
    await create_role(app)  # RECRUITER recruits here, so the modal opens for them

    # Slack would only offer RECRUITER's role; a forged payload names the other one.
    forged = {"text": {"type": "plain_text", "text": "Data Engineer"}, "value": str(mine.id)}
    body = await submit_candidate(app, name="Jane Doe", role=forged)

    assert "only add candidates to roles you recruit for" in body["errors"]["role"]
    assert await all_candidates(app) == []


# Move ---------------------------------------------------------------------------------


async def open_move_modal(app: Running, name: str) -> dict[str, Any]:
    await app.slack.command(f"move {name}", user=RECRUITER)
    return last_view(app)


async def test_move_modal_moves_and_records_the_reason(app: Running) -> None:
    role = await create_role(app)
    jane = await add_candidate(app, "Jane Doe", role=role)
    view = await open_move_modal(app, "Jane Doe")

    response = await app.slack.submit_view(
        view, {"stage": "screening", "reason": "strong CV"}, user=RECRUITER
    )
    await app.settle()

    assert response.status_code == 200 and not response.content
    last = (await events_of(app, jane))[-1]
    assert (last.to_stage, last.note) == ("screening", "strong CV")
    # Where /hire move was typed, only for her (the app's DM when that can't be shown).
    answered = app.standin.calls_to(f"response_url:{RECRUITER}")[-1]
    assert "now in screening" in answered.args["text"], answered.args["text"]


async def test_reject_in_the_modal_needs_a_reason_on_the_reason_field(app: Running) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    view = await open_move_modal(app, "Jane Doe")

    response = await app.slack.submit_view(view, {"stage": "rejected"}, user=RECRUITER)

    body = response.json()
    assert body["response_action"] == "errors"
    assert "needs a reason" in body["errors"]["reason"]
    assert (await candidate_named(app, "Jane Doe")).stage == Stage.SOURCED


async def test_move_modal_without_a_stage_asks_for_one(app: Running) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    view = await open_move_modal(app, "Jane Doe")

    body = (await app.slack.submit_view(view, {"stage": None}, user=RECRUITER)).json()

    assert body["errors"] == {"stage": "Pick the stage to move the candidate to."}


async def test_a_modal_left_open_while_someone_else_moved_the_candidate(app: Running) -> None:
    role = await create_role(app)
    jane = await add_candidate(app, "Jane Doe", role=role)
    view = await open_move_modal(app, "Jane Doe")
    await app.slack.command("move Jane Doe to screening", user=HM)

    body = (await app.slack.submit_view(view, {"stage": "interviewing"}, user=RECRUITER)).json()

    assert "was moved to screening while this form was open" in body["errors"]["stage"]
    assert [e.to_stage for e in await events_of(app, jane)] == ["sourced", "screening"]


async def test_submitting_the_same_move_twice_moves_once(app: Running) -> None:
    role = await create_role(app)
    jane = await add_candidate(app, "Jane Doe", role=role)
    view = await open_move_modal(app, "Jane Doe")

    first = await app.slack.submit_view(view, {"stage": "screening"}, user=RECRUITER)
    second = await app.slack.submit_view(view, {"stage": "screening"}, user=RECRUITER)

    assert not first.content
    assert "while this form was open" in second.json()["errors"]["stage"]
    assert [e.to_stage for e in await events_of(app, jane)] == ["sourced", "screening"]


async def test_tampered_move_metadata_is_refused(app: Running) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    view = await open_move_modal(app, "Jane Doe")

    body = (
        await app.slack.submit_view(
            view, {"stage": "screening"}, user=RECRUITER, private_metadata="not json"
        )
    ).json()

    assert "out of date" in body["errors"]["stage"]


async def test_an_outsider_cannot_use_a_move_modal(app: Running) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    view = await open_move_modal(app, "Jane Doe")

    body = (await app.slack.submit_view(view, {"stage": "screening"}, user=OUTSIDER)).json()

    assert "can't find that candidate" in body["errors"]["stage"]
    assert (await candidate_named(app, "Jane Doe")).stage == Stage.SOURCED


async def test_a_public_channel_is_refused_on_the_field_and_a_private_one_taken(
    app: Running,
) -> None:
    """The picker offers private channels only; a form that names a public one anyway (a
    client that ignores the filter, a hand-made payload) is refused on the field, since
    candidate news would go there. A channel Slack can't tell of (Loopkeeper not yet in
    it) is taken, and its creator told to invite it (the test above)."""
    app.standin.set_channel("C0GENERAL", "general", private=False)
    app.standin.set_channel(HIRING_CHANNEL, "mlops-hiring", private=True)

    body = await submit_role(app, channel="C0GENERAL", loop_days="0")
    assert body["response_action"] == "errors"
    assert body["errors"]["channel"].startswith("That channel is public: everyone in the")
    assert "loop_days" in body["errors"]  # with the form's other errors, at once
    assert await stored(app, Role) == []

    # Nor a direct message: news would go to one person, the team would lose its channel.
    body = await submit_role(app, channel="DUADMIN01")
    assert body["errors"]["channel"].startswith("That is a direct message, not a channel")
    assert await stored(app, Role) == []

    assert await submit_role(app) == {}
    [role] = await stored(app, Role)
    assert role.channel_id == HIRING_CHANNEL


async def test_a_channel_of_another_team_s_role_is_refused_one_team_may_share(
    app: Running,
) -> None:
    """The only private channel offered was MLOps Engineer's: a Data Scientist role with
    another team took it, and Hana and Riya read "Pat Quinn is hired for Data Scientist",
    while the role's own team was not in the channel. Refused on the field, at creation
    and at an edit; the same team may keep two roles in one channel."""
    assert await submit_role(app) == {}  # MLOps Engineer: Hana, Riya
    body = await submit_role(
        app, title="Data Scientist", hiring_manager=OUTSIDER, recruiters=[OUTSIDER]
    )
    assert body["errors"]["channel"].startswith(
        "That channel is already the hiring channel of MLOps Engineer, whose hiring team is "
        "not this one"
    ), body
    assert [r.title for r in await stored(app, Role)] == ["MLOps Engineer"]

    assert await submit_role(app, title="Platform Engineer") == {}  # the same team: shared
    assert (
        await submit_role(
            app,
            title="Data Scientist",
            hiring_manager=OUTSIDER,
            recruiters=[OUTSIDER],
            channel="GDATASCI1",
        )
        == {}
    )
    response = await app.slack.command("role edit Data Scientist", user=OUTSIDER)
    assert not response.content, response.text
    edited = await app.slack.submit_view(last_view(app), {"channel": HIRING_CHANNEL}, user=OUTSIDER)
    assert (
        "already the hiring channel of MLOps Engineer, Platform Engineer"
        in (edited.json()["errors"]["channel"])
    )
    data = next(r for r in await stored(app, Role) if r.title == "Data Scientist")
    assert data.channel_id == "GDATASCI1"
