#!/usr/bin/env python3
"""A minimal SMTP server for benchmarks: accepts every message, keeps none,
and writes how many it has received to the file given as the second argument.
It reads in large chunks so that it costs the machine little."""
import asyncio
import os
import sys

port, count_file = int(sys.argv[1]), sys.argv[2]
received = 0


def count():
    with open(count_file + ".tmp", "w") as f:
        f.write(str(received))
    # Atomic, so a reader never sees an empty file.
    os.replace(count_file + ".tmp", count_file)


async def session(reader, writer):
    global received
    writer.write(b"220 sink ESMTP\r\n")
    buffer = b""
    in_data = False
    while chunk := await reader.read(65536):
        buffer += chunk
        while True:
            if in_data:
                end = buffer.find(b"\r\n.\r\n")
                if end < 0:
                    buffer = buffer[-4:]
                    break
                buffer = buffer[end + 5:]
                in_data = False
                received += 1
                if received % 100 == 0:
                    count()
                writer.write(b"250 OK\r\n")
                continue
            line_end = buffer.find(b"\r\n")
            if line_end < 0:
                break
            line, buffer = buffer[:line_end], buffer[line_end + 2:]
            command = line[:4].upper()
            if command in (b"EHLO", b"HELO"):
                writer.write(b"250-sink\r\n250-PIPELINING\r\n250 8BITMIME\r\n")
            elif command == b"DATA":
                in_data = True
                writer.write(b"354 go ahead\r\n")
                buffer = b"\r\n" + buffer
            elif command == b"QUIT":
                count()
                writer.write(b"221 bye\r\n")
                await writer.drain()
                writer.close()
                return
            else:
                writer.write(b"250 OK\r\n")
        await writer.drain()
    writer.close()


async def main():
    server = await asyncio.start_server(session, "127.0.0.1", port)
    async with server:
        await server.serve_forever()


asyncio.run(main())
