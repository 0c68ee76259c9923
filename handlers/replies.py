"""How a listener answers the person: the outcome of a use case as Slack's reply."""

from __future__ import annotations

from slack_bolt.context.respond.async_respond import AsyncRespond

from bot.outcome import Outcome


async def reply(respond: AsyncRespond, outcome: Outcome, *, in_place: bool = False) -> None:
    """Answer with the outcome's message: only to the person, unless the outcome is public —
    in the channel for a command, in place of the pressed message for a button (`in_place`)."""
    message = outcome.reply
    if in_place:
        kind = None if outcome.public else "ephemeral"
        await respond(
            text=message.text,
            blocks=message.blocks,
            response_type=kind,
            replace_original=outcome.public,
        )
    else:
        kind = "in_channel" if outcome.public else "ephemeral"
        await respond(text=message.text, blocks=message.blocks, response_type=kind)
