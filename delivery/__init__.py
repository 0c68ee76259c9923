"""The delivery engine: the notification sender, the only code besides the listeners that
talks to Slack. Everything the bot posts by itself is an outbox row, posted here once
(`delivery.engine`, with `delivery.looks` for tries whose outcome is unclear); what each says
is in `delivery.content` and `delivery.kinds`, the Slack calls and what their answers mean in
`delivery.slack`."""
