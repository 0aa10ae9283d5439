"""A real SMTP server for the tests: aiosmtpd, accepting every message and writing each
one as an `.eml` file (the message as received) in a folder.

    python sink.py --dir DIR [--port 0]

Listens on 127.0.0.1 (port 0 takes a free one), prints `listening on PORT` once ready, and
serves until killed. A file appears whole: it is written under a temporary name and then
renamed, so a reader never sees half a message.
"""

import argparse
import asyncio
import itertools
import os
import pathlib

from aiosmtpd.smtp import SMTP


class Folder:
    """An aiosmtpd handler writing each message's DATA to a numbered file."""

    def __init__(self, folder: pathlib.Path) -> None:
        self.folder = folder
        self.numbers = itertools.count(1)

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        number = next(self.numbers)
        partial = self.folder / f".{number:06d}.partial"
        partial.write_bytes(envelope.original_content or envelope.content)
        os.replace(partial, self.folder / f"{number:06d}.eml")
        return "250 Message accepted for delivery"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dir", required=True, type=pathlib.Path, help="where messages are written")
    parser.add_argument("--port", type=int, default=0, help="the port (0: any free one)")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    handler = Folder(args.dir)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: SMTP(handler), host="127.0.0.1", port=args.port)
    port = server.sockets[0].getsockname()[1]
    print(f"listening on {port}", flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    asyncio.run(main())
