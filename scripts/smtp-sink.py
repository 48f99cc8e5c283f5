#!/usr/bin/env python3
"""A minimal SMTP server for benchmarks: accepts every message, keeps none,
and writes how many it has received to the file given as the second argument."""
import asyncio
import sys

port, count_file = int(sys.argv[1]), sys.argv[2]
received = 0


async def session(reader, writer):
    global received
    writer.write(b"220 sink ESMTP\r\n")
    in_data = False
    while line := await reader.readline():
        if in_data:
            if line in (b".\r\n", b".\n"):
                in_data = False
                received += 1
                with open(count_file, "w") as f:
                    f.write(str(received))
                writer.write(b"250 OK\r\n")
            continue
        command = line[:4].upper()
        if command in (b"EHLO", b"HELO"):
            writer.write(b"250-sink\r\n250 8BITMIME\r\n")
        elif command == b"DATA":
            in_data = True
            writer.write(b"354 go ahead\r\n")
        elif command == b"QUIT":
            writer.write(b"221 bye\r\n")
            break
        else:
            writer.write(b"250 OK\r\n")
        await writer.drain()
    writer.close()


async def main():
    server = await asyncio.start_server(session, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


asyncio.run(main())
