"""The composition root: settings, the command line, the web app, the clock and the console.

What starts the bot and wires its rooms together lives here, and nothing else imports it.
"""
