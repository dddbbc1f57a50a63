"""Hostile /hire text, by anyone, signed or not (the properties: tests/handlers/hostile.py)."""

from __future__ import annotations

from contextlib import suppress

from hypothesis import strategies as st
from sqlmodel import select

from bot.domain.grammar import SUBCOMMANDS, CommandError, parse, parse_move
from bot.playground.sender import SlackSender
from bot.playground.standin import message_problems
from bot.store.tables import Role
from tests.conftest import OUTSIDER, RECRUITER
from tests.flows import add_candidate
from tests.handlers.hostile import (
    PEOPLE,
    ROLE_TITLE,
    SIGNATURES,
    STAGE_NAMES,
    TEXT,
    Checker,
    Crashes,
    World,
    answer_of,
    hold,
    long_choice_list,
)


def hire_texts(world: World) -> st.SearchStrategy[str]:
    names = [n.name for n in world.names] + ["jane", "J", "o", "doe"]
    stage = st.one_of(st.sampled_from(STAGE_NAMES), TEXT)
    subcommand = st.sampled_from(["", *SUBCOMMANDS])
    return st.one_of(
        TEXT,
        st.tuples(subcommand, st.sampled_from(names), TEXT).map(" ".join),
        st.tuples(st.sampled_from(names), stage, TEXT).map(
            lambda p: f"move {p[0]} to {p[1]}:{p[2]}"
        ),
        st.tuples(subcommand, TEXT).map(" ".join),
        st.sampled_from(["admin deliveries", "admin", "feedback", "role", "add Jane", "pipeline"]),
    )


def hire_queries(text: str) -> list[str]:
    """Every way /hire may read a name out of `text`."""
    rest = parse(text).rest
    queries = [text, rest]
    with suppress(CommandError):
        queries.append(parse_move(rest).name)
    return queries


async def test_hire_with_any_text_is_answered_privately_and_changes_only_what_it_may(
    world: World, checker: Checker, senders: dict[str, SlackSender]
) -> None:
    texts = hire_texts(world).filter(
        lambda text: not long_choice_list(world.names, *hire_queries(text))
    )

    async def check(drawn: tuple[str, str, str]) -> None:
        user, signature, text = drawn
        await checker(
            user, signature, lambda: senders[signature].command(text, user=user), said=text
        )

    await hold(
        st.tuples(st.sampled_from(PEOPLE), SIGNATURES, texts),
        check,
        max_examples=60,
        examples=(
            (OUTSIDER, "valid", "status Jane Doe"),
            (OUTSIDER, "valid", "pipeline"),
            (RECRUITER, "valid", "x" * 50_000),
        ),
    )


# ---- regressions: what these properties found, now fixed ------------------------------------
# One test per cause; the properties keep its trigger out of their strategies.


async def test_a_long_query_matching_several_candidates_still_lists_them(
    world: World, crashes: Crashes
) -> None:
    app = world.app
    async with app.deps.db.reader() as session:
        role = (await session.exec(select(Role).where(Role.title == ROLE_TITLE))).one()
    await add_candidate(app, "Jane Smith", role=role)
    query = "jane" + "!" * 3000
    bodies = [
        answer_of(await app.slack.command(f"{sub} {query}", user=RECRUITER))
        for sub in ("status", "move", "schedule", "offer")
    ]
    await app.settle()
    assert crashes.take() == []
    assert all("Several candidates match" in b["text"] for b in bodies), bodies
    assert all(message_problems(b["blocks"]) == [] for b in bodies)
