"""`/hire`'s text as Slack sends it with escaping on (the manifest's `should_escape`):
mentions as <@U…|name>, links and emails marked up, `&`, `<` and `>` as entities. Each is
read as the person typed it."""

from __future__ import annotations

from sqlmodel import select

from bot.store.tables import DayOff
from tests.conftest import ADMIN, RECRUITER, Running
from tests.flows import add_candidate, answer, blocks_text, create_role


async def test_a_title_with_an_ampersand_is_found_as_typed(app: Running) -> None:
    await create_role(app, title="R&D Platform Engineer")
    board = answer(await app.slack.command("pipeline R&amp;D Platform", user=RECRUITER))
    assert "R&amp;D Platform Engineer" in blocks_text(board["blocks"])  # escaped for Slack
    assert "No role" not in board["text"]


async def test_a_name_with_entities_is_stored_as_typed(app: Running) -> None:
    said = answer(
        await app.slack.command(
            "holidays add 2026-12-31 Year&#39;s End &amp; &lt;Eve&gt;", user=ADMIN
        )
    )
    assert "Year" in said["text"]
    async with app.deps.db.reader() as session:
        [day] = (await session.exec(select(DayOff))).all()
    # Only &, < and > are Slack's entities: anything else stays as it came.
    assert day.name == "Year&#39;s End & <Eve>"


async def test_a_marked_up_link_or_email_is_its_text(app: Running) -> None:
    role = await create_role(app)
    await add_candidate(app, "Jane Doe", role=role)
    for sent in ("<mailto:jane@example.com|Jane Doe>", "<https://example.com/x|Jane Doe>"):
        card = answer(await app.slack.command(f"status {sent}", user=RECRUITER))
        assert card["blocks"][0]["text"]["text"] == "Jane Doe", sent  # the card, not a list
