"""Schemathesis hooks for kept: how to generate a raw e-mail (message/rfc822).

Half of the generated mails are shaped like e-mail (headers, a blank line, a body, a fresh
Message-ID so that they are not taken for duplicates), with random names, subjects and
bodies; the other half are random bytes, which kept must keep as unreadable mail.
"""

import os

import schemathesis
from hypothesis import strategies as st

one_line = st.text(st.characters(codec="utf-8", exclude_characters="\r\n\x00"), max_size=60)
body = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=500)


def _mail(name, subject, text, message_id):
    head = (
        f'From: "{name}" <klant@example.org>\r\n'
        "To: support@example.com\r\n"
        f"Subject: {subject}\r\n"
        f"Message-ID: <{message_id}@example.org>\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n\r\n"
    )
    return head.encode() + text.encode()


emails = st.one_of(
    st.builds(_mail, one_line, one_line, body, st.uuids()),
    st.binary(max_size=2000),
)

schemathesis.openapi.media_type("message/rfc822", emails)


# kept's own formats (see their descriptions in the document): what a real client sends.
phones = st.sampled_from([
    "06 12345678", "+31 6 12345678", "020-1234567", "0031 20 123 4567", "010 123 4567",
    "+32 470 12 34 56", "+44 20 7946 0958", "+49 30 1234567", "(020) 123 45 67",
])
schemathesis.openapi.format("phone", phones)

schemathesis.openapi.format("time-zone", st.sampled_from([
    "Europe/Amsterdam", "Europe/Brussels", "Europe/London", "UTC", "America/New_York", "Asia/Tokyo",
]))


def _hhmm(minute):
    return f"{minute // 60:02d}:{minute % 60:02d}"


span = st.integers(0, 1438).flatmap(
    lambda start: st.integers(start + 1, 1439).map(lambda end: f"{_hhmm(start)}-{_hhmm(end)}")
)
schemathesis.openapi.format("opening-hours", st.one_of(
    st.sampled_from(["closed", "", "09:00-17:30", "09:00-12:00, 13:00-17:30"]),
    st.lists(span, min_size=1, max_size=3).map(", ".join),
))

# A saved reply: words, and perhaps a merge field or a condition on one.
plain = st.text(st.characters(codec="utf-8", exclude_characters="{}%#\x00"), max_size=200)
merge = st.sampled_from([
    "", "{{ customer.name }}", "{{ staff.first_name }}", "{{ business.name }}", "{{ promise.due }}",
    "{% if customer.name %}Beste {{ customer.name }},{% else %}Goedemiddag,{% endif %}",
])
schemathesis.openapi.format("template", st.builds(lambda a, m, b: f"Hallo {a}{m}{b}", plain, merge, plain))

# A contracts file as a business's own system exports it (comma-separated, ISO dates).
row = st.builds(
    lambda n, day, month, year, amount: (
        f"K-{n},Klant {n},klant{n}@example.nl,,Onderhoud,,{year}-{month:02d}-{day:02d},{amount}"
    ),
    st.integers(1, 99999), st.integers(1, 28), st.integers(1, 12), st.integers(2024, 2030),
    st.sampled_from(["", "1200", "1200.50", "99,95"]),
)
contracts_file = st.lists(row, min_size=1, max_size=5).map(
    lambda rows: (
        "external_id,customer_name,customer_email,customer_phone,product,start_date,end_date,value_per_year\n"
        + "\n".join(rows) + "\n"
    ).encode()
)
schemathesis.openapi.media_type("text/csv", contracts_file)

schemathesis.openapi.format("region", st.sampled_from(["NL", "BE", "DE", "GB", "FR", "US"]))
schemathesis.openapi.format("webhook-url", st.sampled_from([
    "https://hooks.example.org/kept", "http://127.0.0.1:9/send", "https://example.com/a?b=c",
]))

# The demo's own location and service (tests/api/run exports their ids), so that bookings and
# the waiting list reach their logic instead of answering 404 to made-up ids.
REAL_IDS = {"location": os.environ.get("KEPT_LOCATION_ID"), "service": os.environ.get("KEPT_SERVICE_ID")}


@schemathesis.hook
def map_body(context, body):
    operation = context.operation
    if operation is None or operation.path not in ("/api/v1/appointments", "/api/v1/waiting-list"):
        return body
    if operation.method.upper() == "POST" and isinstance(body, dict):
        for field, real in REAL_IDS.items():
            if real and isinstance(body.get(field), str):
                body = {**body, field: real}
    return body


PHONES = ["06 12345678", "+31 6 12345678", "020-1234567", "+32 470 12 34 56", "+44 20 7946 0958"]


@schemathesis.hook("map_body")
def real_phone_numbers(context, body):
    """Schemathesis's coverage phase fills an optional field of a custom format with a plain
    string ("0"), not from the format's strategy: a text in a `phone` field becomes a number."""
    if not isinstance(body, dict):
        return body
    fields = [f for f in ("phone", "customer_phone") if isinstance(body.get(f), str) and body[f] not in PHONES]
    return {**body, **{f: PHONES[len(body[f]) % len(PHONES)] for f in fields}}
