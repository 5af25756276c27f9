"""A local SMTP server for scripts/bench-notify: it accepts every message, keeps none, and
prints one line when it has received the number asked for:
    received N messages, first at <unix s>, last at <unix s>
Usage: python3 bench/smtp-sink.py PORT_FILE EXPECTED
It listens on 127.0.0.1 on a free port and writes that port to PORT_FILE."""

import asyncio
import os
import sys
import time

port_file, expected = sys.argv[1], int(sys.argv[2])
received = []
done = asyncio.Event()


async def session(reader, writer):
    writer.write(b"220 sink ESMTP\r\n")
    in_data = False
    while line := await reader.readline():
        if in_data:
            if line == b".\r\n":
                in_data = False
                received.append(time.time())
                writer.write(b"250 queued\r\n")
                if len(received) >= expected:
                    done.set()
            continue
        command = line[:4].upper()
        if command in (b"EHLO", b"HELO"):
            writer.write(b"250-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
        elif command == b"DATA":
            in_data = True
            writer.write(b"354 go on\r\n")
        elif command == b"QUIT":
            writer.write(b"221 bye\r\n")
            await writer.drain()
            break
        else:  # MAIL, RCPT, RSET, NOOP
            writer.write(b"250 ok\r\n")
        await writer.drain()
    writer.close()


async def main():
    server = await asyncio.start_server(session, "127.0.0.1", 0)
    with open(port_file, "w") as f:
        f.write(str(server.sockets[0].getsockname()[1]))
    await done.wait()
    print(f"received {len(received)} messages, first at {received[0]:.3f}, last at {received[-1]:.3f}", flush=True)
    # Open sessions need no goodbye: the benchmark is over.
    os._exit(0)


asyncio.run(main())
