#!/usr/bin/env python3
"""The work of io.protoloop.benchmarks.SubprocessBenchmark, with Python asyncio's low-level API.

Spawn rate of `true` (one at a time, then N in flight), throughput through `cat` (256 KiB writes,
writing while not paused), and threads and RSS of 1,000 concurrent `sleep` children. Environment
variables: PHASES (spawn,cat,children), SPAWNS (1000), CONCURRENCY (4,16,64), CAT_MIB (1024),
CAT_CHUNK (262144), CHILDREN (1000), CHILD_STREAMS (all,stdout).
"""
import asyncio
import os
import platform
import subprocess
import sys
import threading
import time

SPAWNS = int(os.environ.get("SPAWNS", 1000))
CONCURRENCY = [int(c) for c in os.environ.get("CONCURRENCY", "4,16,64").split(",")]
CAT_MIB = int(os.environ.get("CAT_MIB", 1024))
CAT_CHUNK = int(os.environ.get("CAT_CHUNK", 256 * 1024))
CHILDREN = int(os.environ.get("CHILDREN", 1000))
PHASES = os.environ.get("PHASES", "spawn,cat,children").split(",")
CHILD_STREAMS = os.environ.get("CHILD_STREAMS", "all,stdout")


class Done(asyncio.SubprocessProtocol):
    def __init__(self, loop):
        self.lost = loop.create_future()

    def connection_lost(self, exc):
        self.lost.set_result(None)


async def spawn_rate(n, in_flight):
    loop = asyncio.get_running_loop()
    slots = asyncio.Semaphore(in_flight)

    async def one():
        async with slots:
            _, protocol = await loop.subprocess_exec(lambda: Done(loop), "true")
            await protocol.lost

    start = time.perf_counter()
    await asyncio.gather(*(one() for _ in range(n)))
    return n / (time.perf_counter() - start)


class CatPump(asyncio.SubprocessProtocol):
    def __init__(self, loop, total):
        self.total = total
        self.chunk = bytes(i & 0xFF for i in range(CAT_CHUNK))
        self.written = 0
        self.received = 0
        self.paused = False
        self.lost = loop.create_future()

    def connection_made(self, transport):
        self.stdin = transport.get_pipe_transport(0)
        self.pump()

    def pump(self):
        while not self.paused and self.written < self.total:
            self.stdin.write(self.chunk)
            self.written += len(self.chunk)
        if self.written >= self.total:
            # Not write_eof() here: when pump() runs inside resume_writing(), CPython (3.11 to 3.13 at
            # least) closes the pipe right after resume_writing() returns without flushing what it
            # appended (_UnixWritePipeTransport._write_ready), and the tail of the data is lost.
            asyncio.get_running_loop().call_soon(self.stdin.write_eof)

    def pause_writing(self):
        self.paused = True

    def resume_writing(self):
        self.paused = False
        self.pump()

    def pipe_data_received(self, fd, data):
        self.received += len(data)

    def connection_lost(self, exc):
        self.lost.set_result(exc)


async def throughput(mib, high):
    loop = asyncio.get_running_loop()
    total = mib * 1024 * 1024
    start = time.perf_counter()

    def factory():
        return CatPump(loop, total)

    transport, protocol = await loop.subprocess_exec(factory, "cat", stderr=None)
    if high is not None:
        # connection_made already ran and paused at the default limits; the new ones rule from the
        # next resume_writing on (asyncio has no stdin limits argument for subprocess_exec).
        transport.get_pipe_transport(0).set_write_buffer_limits(high=high)
    await protocol.lost
    seconds = time.perf_counter() - start
    assert protocol.received == total, (protocol.received, total)
    return total / seconds / 1e6


def rss_kib():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])


def os_threads():
    return len(os.listdir("/proc/self/task"))


async def concurrent_children(n, label, **redirects):
    loop = asyncio.get_running_loop()
    before = (os_threads(), rss_kib())
    start = time.perf_counter()
    children = await asyncio.gather(*(loop.subprocess_exec(lambda: Done(loop), "sleep", "3600", **redirects)
                                      for _ in range(n)))
    spawn_seconds = time.perf_counter() - start
    await asyncio.sleep(1)
    during = (os_threads(), rss_kib())
    close_start = time.perf_counter()
    for transport, _ in children:
        transport.close()
    await asyncio.gather(*(protocol.lost for _, protocol in children))
    close_seconds = time.perf_counter() - close_start
    await asyncio.sleep(0.5)
    after = (os_threads(), rss_kib())
    print(f"{n} concurrent sleep children ({label}): started in {spawn_seconds:.2f} s, closed in "
          f"{close_seconds:.2f} s")
    print(f"  threads: {before[0]} before, {during[0]} with the children, {after[0]} after close")
    print(f"  RSS: {before[1] // 1024} MiB before, {during[1] // 1024} MiB with the children "
          f"(+{(during[1] - before[1]) // 1024} MiB, {(during[1] - before[1]) / n:.0f} KiB per child)")


async def main():
    print(f"python {platform.python_version()}, {os.cpu_count()} cpus, child watcher "
          f"{type(asyncio.get_child_watcher()).__name__}" if sys.version_info < (3, 12) else
          f"python {platform.python_version()}, {os.cpu_count()} cpus")
    if "spawn" in PHASES:
        await spawn_rate(300, 1)
        await spawn_rate(300, 16)
        print(f"spawn true, sequential: {await spawn_rate(SPAWNS, 1):.0f} processes/s")
        for in_flight in CONCURRENCY:
            rate = await spawn_rate(max(SPAWNS, 2 * in_flight), in_flight)
            print(f"spawn true, {in_flight} in flight: {rate:.0f} processes/s")
    if "cat" in PHASES:
        await throughput(128, None)
        for label, high in (("64 KiB (default)", None), ("4 MiB", 4 * 1024 * 1024)):
            print(f"cat {CAT_MIB} MiB, {CAT_CHUNK}-byte writes, stdin high-water {label}: "
                  f"{await throughput(CAT_MIB, high):.0f} MB/s")
    if "children" in PHASES:
        if "all" in CHILD_STREAMS:
            await concurrent_children(CHILDREN, "stdin, stdout, stderr piped", stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        if "stdout" in CHILD_STREAMS:
            await concurrent_children(CHILDREN, "stdout piped only", stdin=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL)


if __name__ == "__main__":
    asyncio.run(main())
