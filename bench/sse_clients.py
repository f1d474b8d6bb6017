#!/usr/bin/env python3
"""Opens N SSE connections to the monitor's /api/v1/events, waits for the first event on each, then prints
the monitor's VmRSS (from /proc/<pid>/status) with all of them connected, and closes them.

Usage: sse_clients.py --port PORT --pid MONITOR_PID [--clients 1000] [--timeout 60]
Prints one JSON line: {"clients": N, "connected": n, "first_event": n, "rss_kib_before": .., "rss_kib": ..}.
Bounded: every wait has a deadline; loopback only. Stdlib only (asyncio).
"""

import argparse
import asyncio
import json
import resource
import sys


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return None


async def one_client(port, got_event, writers):
    # limit: an event is one "data:" line, over 64 KiB (asyncio's default) with 100 containers.
    reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=16 << 20)
    writers.append(writer)
    writer.write(b"GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
    await writer.drain()
    while True:
        line = await reader.readline()
        if not line:
            return
        if line.startswith(b"data:"):
            got_event.append(1)
            break
    # Keep the connection open (and drained) until cancelled.
    while await reader.read(65536):
        pass


async def main_async(args):
    before = rss_kib(args.pid)
    got_event = []
    writers = []
    tasks = []
    for _ in range(args.clients):
        tasks.append(asyncio.create_task(one_client(args.port, got_event, writers)))
        if len(tasks) % 100 == 0:
            await asyncio.sleep(0.05)  # do not overrun the listen backlog
    loop = asyncio.get_running_loop()
    deadline = loop.time() + args.timeout
    while len(got_event) < args.clients and loop.time() < deadline:
        if all(t.done() for t in tasks):
            break
        await asyncio.sleep(0.2)
    await asyncio.sleep(1.0)  # let the server settle with every client attached
    rss = rss_kib(args.pid)
    result = {
        "clients": args.clients,
        "connected": len(writers),
        "first_event": len(got_event),
        "rss_kib_before": before,
        "rss_kib": rss,
    }
    for t in tasks:
        t.cancel()
    for w in writers:
        w.close()
    await asyncio.gather(*tasks, return_exceptions=True)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--pid", type=int, required=True)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--timeout", type=float, default=60.0)
    args = parser.parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = args.clients + 64
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(want, hard), hard))
    result = asyncio.run(main_async(args))
    print(json.dumps(result))
    return 0 if result["first_event"] == args.clients else 1


if __name__ == "__main__":
    sys.exit(main())
