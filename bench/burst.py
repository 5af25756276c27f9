"""Sends COUNT callback requests to a kept server as fast as 32 connections allow, for
scripts/bench-notify. Prints: sent COUNT requests (CREATED created) from <unix s> to <unix s>
Usage: python3 bench/burst.py BASE_URL COUNT"""

import http.client
import json
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

base, count = urllib.parse.urlsplit(sys.argv[1]), int(sys.argv[2])
connections = 32


def send(share):
    conn = http.client.HTTPConnection(base.hostname, base.port)
    created = 0
    for n in share:
        body = json.dumps({"phone": f"061{n:07d}", "name": "Burst", "window": "asap"})
        conn.request("POST", "/api/v1/callback-requests", body, {"Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        created += response.status == 201
    return created


started = time.time()
with ThreadPoolExecutor(connections) as pool:
    created = sum(pool.map(send, [range(i, count, connections) for i in range(connections)]))
print(f"sent {count} requests ({created} created) from {started:.3f} to {time.time():.3f}", flush=True)
