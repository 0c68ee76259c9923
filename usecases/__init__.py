"""Use cases: what a listener (or the console) calls, one module per feature.

A use case takes plain arguments, the session factory `db` and a `Caller` (who acts, when, in
which deployment), checks permission with a pure function of `bot.permissions`, reads and writes
through `storage`, renders with `bot`, and returns an `Outcome` for the listener to send. It owns
its transaction (`async with db.begin() as session:`), and what the bot will post because of it
goes into the outbox in that same transaction.
"""
