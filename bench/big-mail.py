"""Posts plain-text e-mails of a given size to kept at once and, while kept stores them, asks
/healthz every 20 ms. Prints how long each mail took and how slow /healthz was at worst.
Usage: big-mail.py BASE_URL TOKEN MEGABYTES COUNT"""
import sys
import threading
import time
import urllib.request

base, token, megabytes, count = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
line = "Ik ben echt boos: mijn fiets is al weken kapot en niemand belt terug!\n"
body = line * int(megabytes * 1024 * 1024 / len(line))
results = []


def post(n):
    raw = (
        f"From: Groot {n} <groot{n}@example.nl>\r\nSubject: Lang verhaal\r\n"
        f"Message-ID: <groot-{n}-{time.time()}@example.nl>\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}"
    ).encode()
    request = urllib.request.Request(
        f"{base}/api/v1/inbound/email",
        data=raw,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "message/rfc822"},
    )
    start = time.monotonic()
    with urllib.request.urlopen(request, timeout=600) as answer:
        results.append((n, answer.status, time.monotonic() - start))


threads = [threading.Thread(target=post, args=(n,)) for n in range(count)]
for thread in threads:
    thread.start()
health = []
while any(thread.is_alive() for thread in threads):
    start = time.monotonic()
    with urllib.request.urlopen(f"{base}/healthz", timeout=60) as answer:
        answer.read()
    health.append(time.monotonic() - start)
    time.sleep(0.02)
for thread in threads:
    thread.join()
for n, status, seconds in sorted(results):
    print(f"mail {n}: {len(body) / 1024 / 1024:.1f} MB answered {status} in {seconds:.2f} s")
health.sort()
if health:
    print(
        f"/healthz while storing: {len(health)} asked, median {health[len(health) // 2] * 1000:.0f} ms, "
        f"slowest {health[-1] * 1000:.0f} ms"
    )
