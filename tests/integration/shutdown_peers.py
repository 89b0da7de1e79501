#!/usr/bin/env python3
"""Usage: HOST PORT N TIMEOUT [HOLD]. Open N TCP connections to HOST:PORT (echo: check each works; chargen: read a
little and let the window close), print READY, then (after HOLD seconds without reading) wait
up to TIMEOUT seconds for each to end: prints one line per connection, "fin", "rst" or
"open" (nothing seen), then "elapsed S" (seconds from READY to the last end)."""
import socket
import sys
import time

host, port, n, timeout = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
hold = float(sys.argv[5]) if len(sys.argv) > 5 else 0.0  # seconds without reading
socks = []
for i in range(n):
    s = socket.create_connection((host, port), timeout=5)
    if port == 7:
        s.sendall(b"ping %d\n" % i)
        got = b""
        while not got.endswith(b"\n"):
            got += s.recv(100)
    else:
        # chargen: take a little, then leave the rest unread (our window closes, so
        # the appliance cannot finish this connection by itself)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        s.recv(100)
    socks.append(s)
print("READY", flush=True)
start = time.monotonic()
time.sleep(hold)
deadline = start + timeout
results = []
last = start
for s in socks:
    res = "open"
    while time.monotonic() < deadline:
        s.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            data = s.recv(4096)
        except socket.timeout:
            break
        except ConnectionResetError:
            res = "rst"
            break
        if data == b"":
            res = "fin"
            break
    if res != "open":
        last = max(last, time.monotonic())
    results.append(res)
for r in results:
    print(r)
print("elapsed %.2f" % (last - start), flush=True)
