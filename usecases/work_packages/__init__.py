"""`status`, `update` and `wp add`: how the work packages stand (`status`, with its buttons),
recording how one stands (`updates`), and adding one (`creation`)."""

from usecases.commands import Press
from usecases.work_packages import creation, status, updates

SUBCOMMANDS = (status.STATUS, updates.UPDATE, creation.ADD)


def presses() -> dict[str, Press]:
    """What the buttons of the work packages' messages do, by their action ids."""
    return status.presses()
