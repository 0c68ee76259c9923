"""Meetings: adding, changing and cancelling them, their lists, answers and details form, and
what the bot posts about them."""
