"""The active themes as this process last read them, to name a basket without a query of its own."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from storage.themes import KnownThemes, known_themes


class ThemeCache:
    """The themes and the revision they were read at (`storage.themes.known_themes`). Whoever
    uses them reads the themes' current revision with their own query (a database trigger
    counts every change) and reads them again when it differs."""

    def __init__(self) -> None:
        self._known: KnownThemes | None = None

    async def known(self, session: AsyncSession) -> KnownThemes:
        """The themes as last read; read now the first time."""
        if self._known is None:
            return await self.read(session)
        return self._known

    async def read(self, session: AsyncSession) -> KnownThemes:
        """Read the themes again: they changed."""
        self._known = await known_themes(session)
        return self._known
