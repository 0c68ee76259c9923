"""A TCP proxy to cut a database off without stopping it: the bot connects to the proxy, the
proxy to the server (PostgreSQL, shared by every test run, is never stopped).

`cut()` closes every open connection and refuses new ones (a server that went away);
`cut(silent=True)` keeps them open and lets nothing through either way, and accepts new ones
that never hear back (a network that drops packets: only the bot's timeouts end a wait);
`restore()` lets connections through again. Runs on the test's event loop.
"""

from __future__ import annotations

import asyncio
import contextlib


class TcpProxy:
    """127.0.0.1:<port> forwarded to `host`:`port`, until cut."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.port = 0
        self.silent = False
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()

    async def start(self) -> TcpProxy:
        """Listen on a free port (kept across cuts)."""
        await self._listen()
        return self

    async def cut(self, *, silent: bool = False) -> None:
        """The database unreachable: refused (or, `silent`, never answered) from now on."""
        if silent:
            self.silent = True
            return
        assert self._server is not None
        self._server.close()
        self._server = None
        for writer in list(self._writers):
            writer.transport.abort()
        for pipe in list(self._pipes):
            pipe.cancel()

    async def restore(self) -> None:
        """The database reachable again (connections a silent cut held stay dead)."""
        if self.silent:
            self.silent = False
            await self._drop_all()
        if self._server is None:
            await self._listen()

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        await self._drop_all()

    async def _drop_all(self) -> None:
        for writer in list(self._writers):
            writer.transport.abort()
        for pipe in list(self._pipes):
            pipe.cancel()
        if self._pipes:
            await asyncio.wait(list(self._pipes))

    async def _listen(self) -> None:
        self._server = await asyncio.start_server(
            self._accept, "127.0.0.1", self.port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._writers.add(writer)
        task = asyncio.current_task()
        assert task is not None
        self._pipes.add(task)
        try:
            if self.silent:
                await asyncio.Event().wait()  # accepted, never answered
            up_reader, up_writer = await asyncio.open_connection(*self.target)
            self._writers.add(up_writer)
            try:
                await asyncio.gather(self._pipe(reader, up_writer), self._pipe(up_reader, writer))
            finally:
                self._writers.discard(up_writer)
                up_writer.transport.abort()
        except (OSError, asyncio.CancelledError):
            pass
        finally:
            self._writers.discard(writer)
            self._pipes.discard(task)
            writer.transport.abort()

    async def _pipe(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while data := await reader.read(65536):
            while self.silent:  # held: nothing goes through until the connection is dropped
                await asyncio.sleep(3600)
            writer.write(data)
            with contextlib.suppress(ConnectionError):
                await writer.drain()
        writer.transport.abort()
