"""One status answer, three ways to ask: `/hire status`, a mention, a DM."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from bot.domain.questions import read
from tests.conftest import HM, OUTSIDER, RECRUITER, Running
from tests.flows import (
    INTERVIEWER,
    INTERVIEWER_2,
    add_candidate,
    answer,
    blocks_text,
    buttons,
    create_role,
    schedule,
    submit_scorecard,
)

CHANNEL = "CPUBLIC01"


async def by_command(app: Running, user: str, question: str) -> dict[str, Any]:
    return answer(await app.slack.command(f"status {question}", user=user))


async def by_mention(app: Running, user: str, question: str, **extra: Any) -> dict[str, Any]:
    before = len(app.standin.calls)
    event = {
        "type": "app_mention",
        "user": user,
        "text": f"<@UBOT> {question}",
        "channel": CHANNEL,
        "ts": "1763300000.000100",
        "event_ts": "1763300000.000100",
    }
    response = await app.slack.event(event, **extra)
    assert response.status_code == 200
    await app.settle()
    [posted] = [c for c in app.standin.calls[before:] if c.method.startswith("chat.")]
    assert posted.method == "chat.postEphemeral"  # never a message the channel sees
    assert (posted.args["channel"], posted.args["user"]) == (CHANNEL, user)
    return posted.args


async def by_dm(app: Running, user: str, question: str) -> dict[str, Any]:
    before = len(app.standin.calls)
    event = {
        "type": "message",
        "channel_type": "im",
        "user": user,
        "text": question,
        "channel": f"D{user}",
        "ts": "1763300000.000200",
        "event_ts": "1763300000.000200",
    }
    assert (await app.slack.event(event)).status_code == 200
    await app.settle()
    [posted] = [c for c in app.standin.calls[before:] if c.method.startswith("chat.")]
    assert (posted.method, posted.args["channel"]) == ("chat.postMessage", f"D{user}")
    return posted.args


def shown(message: dict[str, Any]) -> str:
    return blocks_text(message.get("blocks") or []) or message["text"]


async def jane_in_her_loop(app: Running, clock) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    interview = await schedule(app, "Jane", interviewers=(INTERVIEWER, INTERVIEWER_2))
    clock.advance(timedelta(days=2))
    await submit_scorecard(app, interview, INTERVIEWER, rating="4")


async def test_the_three_ways_give_the_same_answer(app: Running, clock) -> None:
    await jane_in_her_loop(app, clock)

    command = await by_command(app, HM, "Jane")
    mention = await by_mention(app, HM, "where is Jane?")
    dm = await by_dm(app, HM, "status jane doe")

    assert command["blocks"] == mention["blocks"] == dm["blocks"]
    card = shown(command)
    assert "Loop day 3 of 7" in card
    assert "reach a decision (end of the loop) by" in card and "(5 days left)" in card
    assert f"<@{INTERVIEWER}>: scorecard in, recommends *Strong yes*" in card
    assert f"<@{INTERVIEWER_2}>: scorecard due" in card
    assert "Average ratings" in card
    assert {"Advance to decision", "Schedule interview", "Move…", "Reject"} <= set(
        buttons(command["blocks"])
    )


async def test_questions_are_read_forgivingly(app: Running, clock) -> None:
    await jane_in_her_loop(app, clock)
    for question in (
        "where\u2019s JANE?",
        "how is jnae doe doing",
        "any news on Jane Doe please",
        "is Jane still in interviewing?",
        "where does Jane Doe stand?",
        "has Jane moved?",
        "is Jane Doe still waiting for a decision?",
    ):
        assert "Jane Doe" in shown(await by_mention(app, RECRUITER, question)), question
    # One word typed alone, two of its letters swapped: a slip of the keys, still her.
    # A guess: the card says it is the closest name to the one typed.
    for asked, typed in (
        (await by_dm(app, HM, "where is jaen?"), "jaen"),
        (await by_command(app, HM, "Deo Jnae"), "Deo Jnae"),
    ):
        guess = f":mag: No candidate is called “{typed}”: this is the closest name, Jane Doe."
        assert shown(asked).startswith(f"{guess}\nJane Doe\n*Role*"), shown(asked)


async def test_an_ambiguous_name_gets_a_choice_list_everywhere(app: Running) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    await add_candidate(app, "Jane Smith", role=role)
    for reply in (
        await by_command(app, HM, "jane"),
        await by_mention(app, HM, "where is jane"),
        await by_dm(app, HM, "jane?"),
    ):
        assert reply["text"] == "Several candidates match “jane”. Which one?"


async def test_outsiders_and_unknown_names_get_the_same_polite_answer(app: Running, clock) -> None:
    await jane_in_her_loop(app, clock)
    outsider = await by_mention(app, OUTSIDER, "where is Jane Doe?")
    unknown = await by_mention(app, HM, "where is Jane Roe-Smithson?")
    assert outsider["text"].replace("Jane Doe", "X") == unknown["text"].replace(
        "Jane Roe-Smithson", "X"
    )
    assert "couldn't find a candidate" in outsider["text"]
    in_dm = await by_dm(app, OUTSIDER, "where is Jane Doe?")
    assert in_dm["text"] == outsider["text"] and not in_dm.get("blocks")


async def test_an_interviewer_sees_no_ratings_before_their_own_scorecard(
    app: Running, clock
) -> None:
    await jane_in_her_loop(app, clock)
    card = shown(await by_mention(app, INTERVIEWER_2, "where is Jane"))
    assert "Jane Doe" in card
    assert "Strong yes" not in card and "Average ratings" not in card
    assert "once you have submitted your own scorecard" in card


async def test_a_retried_event_is_answered_once(app: Running, clock) -> None:
    await jane_in_her_loop(app, clock)
    event = {
        "type": "app_mention",
        "user": HM,
        "text": "<@UBOT> where is Jane",
        "channel": CHANNEL,
        "ts": "1.1",
        "event_ts": "1.1",
    }
    before = len(app.standin.calls)
    await app.slack.event(event, event_id="EvRETRY1")
    await app.slack.event(event, event_id="EvRETRY1", retry_num=1)
    await app.slack.event(event, event_id="EvRETRY1", retry_num=2, retry_reason="http_error")
    await app.settle()
    answers = [c for c in app.standin.calls[before:] if c.method == "chat.postEphemeral"]
    assert len(answers) == 1


async def test_help_and_what_is_not_a_question(app: Running) -> None:
    helped = await by_dm(app, HM, "help")
    assert "/hire status" in helped["text"]
    before = len(app.standin.calls)
    for extra in ({"subtype": "message_changed"}, {"bot_id": "B1"}, {"channel_type": "channel"}):
        await app.slack.event(
            {
                "type": "message",
                "user": HM,
                "text": "where is Jane",
                "channel": "D1",
                "channel_type": "im",
                "ts": "2.2",
                **extra,
            }
        )
    await app.settle()
    assert [c for c in app.standin.calls[before:] if c.method.startswith("chat.")] == []


def test_question_words_are_dropped_and_names_kept() -> None:
    assert read("<@UBOT> where is Jane Doe?").name == "Jane Doe"
    assert read("what about José Álvarez\u2019s loop").name == "José Álvarez"
    assert read("<@UBOT> where is Ana &amp; Bo Li?").name == "Ana Bo Li"  # Slack's &amp;
    assert read("<@UBOT>").name == ""
    assert read("help").name == ""


async def test_an_interviewer_looking_for_their_own_work_is_pointed_to_feedback(
    app: Running,
) -> None:
    """`/hire mine`, `/hire my interviews`: read as names, they found nobody, and the answer
    said so without a word of where an interviewer's own work is."""
    for text in ("mine", "my interviews", "scorecards"):
        said = answer(await app.slack.command(text, user=INTERVIEWER))["text"]
        assert "`/hire feedback` lists them: those coming up, your scorecards" in said, said
    shown = blocks_text(answer(await app.slack.command("help", user=INTERVIEWER))["blocks"])
    assert shown.index("*Interviewing?* `/hire feedback`") < shown.index("/hire status")


async def test_a_question_about_one_s_own_work_in_a_dm_is_pointed_to_feedback(
    app: Running,
) -> None:
    """Ivan asked in his DM "when is my next interview?" and "what scorecards do I owe?":
    the answers said no candidate was called "when my next" "in the roles you hire
    for", words for a hiring manager, and no word of `/hire feedback`."""
    for question in ("when is my next interview?", "what scorecards do I owe?"):
        said = shown(await by_dm(app, INTERVIEWER, question))
        # The pointer first: "I couldn't find a candidate called “when my next”" led.
        assert said.startswith("Looking for your own interviews? `/hire feedback` lists them")
        assert "roles you hire for" not in said
    # A real name with "my" in the question is still looked up first.
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    found = shown(await by_dm(app, HM, "where is my Jane Doe?"))
    assert "Jane Doe" in found and "/hire feedback" not in found, found


async def test_how_many_is_answered_with_the_pipeline(app: Running) -> None:
    """ "how many candidates are there?" looked for a candidate called "many there"."""
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    said = shown(await by_dm(app, HM, "how many candidates are there?"))
    assert "*MLOps Engineer*: 1 open · sourced 1" in said, said
    outsider = shown(await by_dm(app, OUTSIDER, "How many candidates do we have?"))
    assert "not a recruiter or hiring manager on any role" in outsider, outsider


async def test_a_team_command_without_a_name_tells_an_interviewer_it_is_not_theirs(
    app: Running,
) -> None:
    """`/hire schedule` asked an interviewer "Whose interview?", though they may schedule
    nothing; someone on a hiring team still gets the example."""
    await create_role(app)
    for command in ("schedule", "offer", "deadline", "notes"):
        said = answer(await app.slack.command(command, user=INTERVIEWER))["text"]
        assert "you are on no role's hiring team" in said, (command, said)
    mine = answer(await app.slack.command("schedule", user=RECRUITER))["text"]
    assert mine == "Whose interview? Example: `/hire schedule Jane Doe`."
