"""The Slack call a piece of work makes (a post, a redraw, an ephemeral message, a file, an
invitation), and what Slack answered; a public channel the bot is not in is joined and the call
made again."""

from __future__ import annotations

from slack_sdk.web.async_client import AsyncWebClient

from delivery import slack
from delivery.content import Ephemeral, File, Invite, Post, Redraw, Work
from delivery.slack import Answer, Done, Problem, Refused


async def make(client: AsyncWebClient, identity: str, work: Work) -> Answer:
    """Make the call for `work` (a post carries its notification's `identity`)."""
    try:
        try:
            return await _made(client, identity, work)
        except Problem as problem:
            joinable = (
                isinstance(work, Post | File | Invite | Ephemeral) and work.channel[:1] in "CG"
            )
            if problem.answer != Refused("not_in_channel") or not joinable:
                raise
            if not await slack.join(client, work.channel):
                raise
            return await _made(client, identity, work)
    except Problem as problem:
        return problem.answer


async def _made(client: AsyncWebClient, identity: str, work: Work) -> Done:
    if isinstance(work, Post):
        return await slack.post(client, work.channel, work.message, identity, work.thread_ts)
    if isinstance(work, Redraw):
        return await slack.update(client, work.channel, work.ts, work.message)
    if isinstance(work, Ephemeral):
        return await slack.ephemeral(client, work.channel, work.user, work.message)
    if isinstance(work, File):
        return await slack.upload(
            client,
            work.channel,
            work.thread_ts,
            work.filename,
            work.content,
            work.title,
            work.comment,
        )
    return await slack.invite(client, work.channel, work.user)
