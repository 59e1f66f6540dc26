"""Terminal benchmark client (run by bench/terminal.sh with Debian's python3 and python3-websockets).

Two ways into the same shell program of the same server container:
  berth   Berth's terminal WebSocket (ticket + session cookie + Origin, as the panel opens it)
  direct  `docker exec -it CONTAINER bash -l` on a pseudo-terminal made here (what `docker exec` gives a person)
Measures, each bounded in count and time:
  echo    keystroke round trip: one byte typed into `cat >/dev/null` (canonical mode: the server's
          terminal echoes it), time until it comes back; p50/p99 over KEYS keystrokes
  flood   the same echo in one Berth terminal while another Berth terminal of the server runs `yes`
          (read as fast as this client can); p50/p95/p99
  output  OUTPUT_MIB of text printed by the shell (`yes … | head -c`), time until the end marker; MiB/s
Prints one line per measure: `NAME METRIC VALUE…`.
"""
import asyncio
import fcntl
import json
import os
import pty
import statistics
import struct
import subprocess
import sys
import termios
import time
import urllib.request

import websockets

BASE, COOKIE, SERVER, CONTAINER, DOCKER_HOST = sys.argv[1:6]
KEYS = int(os.environ.get("KEYS", "500"))
FLOOD_KEYS = int(os.environ.get("FLOOD_KEYS", "200"))
OUTPUT_MIB = int(os.environ.get("OUTPUT_MIB", "100"))
TIMEOUT = 120.0
LINE = "0123456789" * 7  # 70 characters a line of the output test
MARKER_CMD = "echo END-$((6*7))x"
MARKER = b"END-42x"


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100.0 * (len(ordered) - 1))))]


class BerthTerminal:
    """One terminal through Berth's WebSocket: binary frames both ways."""

    async def open(self):
        request = urllib.request.Request(
            f"{BASE}/api/servers/{SERVER}/terminal/tickets", method="POST", data=b"",
            headers={"Cookie": f"berth_session={COOKIE}", "X-Berth-Csrf": "1"})
        with urllib.request.urlopen(request, timeout=30) as response:
            ticket = json.load(response)["ticket"]
        url = BASE.replace("http://", "ws://") + f"/api/servers/{SERVER}/terminal?ticket={ticket}&cols=120&rows=40"
        self.ws = await websockets.connect(url, origin=BASE, extra_headers={"Cookie": f"berth_session={COOKIE}"},
                                           max_size=None, compression=None, ping_interval=None)
        self.events = []

    async def send(self, data):
        await self.ws.send(data)

    async def read(self):
        while True:
            try:
                message = await self.ws.recv()
            except websockets.ConnectionClosed as closed:
                raise EOFError(f"Berth closed the terminal: {closed}; events: {self.events}") from closed
            if isinstance(message, bytes):
                return message
            self.events.append(message)

    async def close(self):
        try:
            await self.ws.send(json.dumps({"type": "close"}))
        finally:
            await self.ws.close()


class DirectTerminal:
    """`docker exec -it` on a pseudo-terminal of its own, read and written through the master side."""

    async def open(self):
        self.master, slave = pty.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))  # Berth's side asks for 120x40 too
        os.set_blocking(self.master, False)
        env = dict(os.environ, DOCKER_HOST=DOCKER_HOST)
        self.process = subprocess.Popen(
            ["docker", "exec", "-it", "-e", "TERM=xterm-256color", "-e", "LANG=C.UTF-8", "-w", "/apps", CONTAINER, "bash", "-l"],
            stdin=slave, stdout=slave, stderr=slave, env=env, start_new_session=True, close_fds=True)
        os.close(slave)
        loop = asyncio.get_running_loop()
        self.queue = asyncio.Queue()
        loop.add_reader(self.master, self._readable)

    def _readable(self):
        try:
            data = os.read(self.master, 65536)
        except OSError:
            data = b""
        self.queue.put_nowait(data)
        if not data:
            asyncio.get_running_loop().remove_reader(self.master)

    async def send(self, data):
        os.write(self.master, data)

    async def read(self):
        data = await self.queue.get()
        if not data:
            raise EOFError("docker exec ended")
        return data

    async def close(self):
        try:
            os.write(self.master, b"\x03\x04exit\r")
        except OSError:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
        asyncio.get_running_loop().remove_reader(self.master)
        os.close(self.master)


async def until(terminal, needle, deadline):
    """Reads until `needle` has been seen; returns the bytes read."""
    seen = bytearray()
    while needle not in seen[-(len(needle) + 65536):]:
        chunk = await asyncio.wait_for(terminal.read(), max(0.1, deadline - time.monotonic()))
        seen += chunk
        if len(seen) > 1 << 20:
            del seen[: len(seen) - 4096]
    return seen


async def quiet(terminal, seconds=0.3):
    """Reads until nothing came for `seconds` (at most 10 s)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            await asyncio.wait_for(terminal.read(), seconds)
        except asyncio.TimeoutError:
            return


async def shell(terminal, word):
    """Waits until the shell answers. Asked again a few times: a line typed while a Ctrl-C is being
    handled may be flushed by the terminal (what a person would retype too)."""
    for attempt in range(5):
        await terminal.send(f"stty echo icanon; echo {word}-$((5*5))x\r".encode())
        try:
            await until(terminal, f"{word}-25x".encode(), time.monotonic() + TIMEOUT / 5)
            return
        except asyncio.TimeoutError:
            await quiet(terminal)
    raise RuntimeError(f"{word}: the shell does not answer")


async def ready(terminal, word):
    """Waits for the shell, then starts `cat >/dev/null` (canonical mode, echo on)."""
    await shell(terminal, word)
    await terminal.send(b"cat >/dev/null\r")
    await quiet(terminal)  # cat has started and what it echoed has arrived before timing


async def echo_times(terminal, keys):
    times = []
    letters = b"abcdefghijklmnopqrstuvwxyz"
    for i in range(keys):
        key = letters[i % len(letters): i % len(letters) + 1]
        deadline = time.monotonic() + 10
        start = time.perf_counter()
        await terminal.send(key)
        await until(terminal, key, deadline)
        times.append((time.perf_counter() - start) * 1000)
        if i % 60 == 59:
            await terminal.send(b"\r")
            await until(terminal, b"\n", time.monotonic() + 10)
    await terminal.send(b"\x03")  # ends cat
    await quiet(terminal)
    return times


async def output_rate(terminal, word):
    await shell(terminal, word)
    await quiet(terminal)
    command = f"yes {LINE} | head -c {OUTPUT_MIB * 1024 * 1024}; {MARKER_CMD}\r"
    start = time.perf_counter()
    await terminal.send(command.encode())
    received = 0
    tail = bytearray()
    deadline = time.monotonic() + TIMEOUT * 5
    while MARKER not in tail:
        chunk = await asyncio.wait_for(terminal.read(), max(0.1, deadline - time.monotonic()))
        received += len(chunk)
        tail = (tail + chunk)[-64:]
    seconds = time.perf_counter() - start
    return received, seconds


async def drain_forever(terminal, counter):
    try:
        while True:
            counter[0] += len(await terminal.read())
    except (asyncio.CancelledError, EOFError, websockets.ConnectionClosed):
        pass


async def main():
    results = []
    for name, make in (("direct", DirectTerminal), ("berth", BerthTerminal)):
        terminal = make()
        await terminal.open()
        await ready(terminal, name)
        times = await echo_times(terminal, KEYS)
        results.append(f"{name} echo {statistics.median(times):.3f} {percentile(times, 95):.3f} {percentile(times, 99):.3f} {len(times)}")
        received, seconds = await output_rate(terminal, name)
        results.append(f"{name} output {received} {seconds:.3f} {OUTPUT_MIB / seconds:.1f}")
        await terminal.close()
        print(results[-2], flush=True)
        print(results[-1], flush=True)

    # Echo in one Berth terminal while another floods.
    flood = BerthTerminal()
    await flood.open()
    await shell(flood, "flood")
    await flood.send(f"yes {LINE} | head -c {20 * 1024 * 1024 * 1024}\r".encode())  # bounded: 20 GiB at most, stopped below
    counter = [0]
    drainer = asyncio.create_task(drain_forever(flood, counter))
    deadline = time.monotonic() + 30
    while counter[0] < 8 * 1024 * 1024:  # the flood is running
        if time.monotonic() > deadline:
            raise RuntimeError("the flood did not start")
        await asyncio.sleep(0.1)
    probe = BerthTerminal()
    await probe.open()
    await ready(probe, "probe")
    start_bytes, start = counter[0], time.perf_counter()
    times = await echo_times(probe, FLOOD_KEYS)
    flood_rate = (counter[0] - start_bytes) / (time.perf_counter() - start) / (1024 * 1024)
    print(f"flood echo {statistics.median(times):.3f} {percentile(times, 95):.3f} {percentile(times, 99):.3f} {len(times)} {flood_rate:.1f}", flush=True)
    await probe.close()
    await flood.send(b"\x03")
    drainer.cancel()
    await asyncio.gather(drainer, return_exceptions=True)
    await flood.close()


asyncio.run(main())
