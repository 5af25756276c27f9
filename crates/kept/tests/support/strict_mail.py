"""Reads e-mails as a strict mail program would: Python's own `email` package with a policy
that raises on every defect (email.policy.strict), independent of the Rust code that wrote
them. Input: a JSON list of raw messages on stdin. Output: a JSON list, one object a message,
with what a reader sees — or the error that made it unreadable."""
import email
import email.policy
import json
import sys


def read(raw):
    message = email.message_from_bytes(raw.encode("utf-8"), policy=email.policy.strict)
    headers = {name.lower(): str(message[name]) for name in message.keys()}
    date = message["Date"]
    parts = []
    for part in message.walk():
        if part.is_multipart():
            continue
        kind = part.get_content_type()
        charset = part.get_param("charset")
        entry = {"type": kind, "charset": charset, "filename": part.get_filename()}
        if part.get_content_maintype() == "text":
            # Decoded by the declared charset (US-ASCII where none is declared, as RFC 2045
            # says), with errors shown as U+FFFD rather than hidden; line ends as programs show them.
            text = part.get_payload(decode=True).decode(charset or "us-ascii", errors="replace")
            entry["text"] = text.replace("\r\n", "\n")
        parts.append(entry)
    return {
        "ok": True,
        "headers": headers,
        "date_offset_minutes": int(date.datetime.utcoffset().total_seconds() // 60) if date else None,
        "subject": str(message["Subject"]),
        "to": [str(a) for a in message["To"].addresses] if message["To"] else [],
        "parts": parts,
    }


def main():
    out = []
    for raw in json.load(sys.stdin):
        try:
            out.append(read(raw))
        except Exception as error:  # a defect, an undecodable header: the message is not fine
            out.append({"ok": False, "error": f"{type(error).__name__}: {error}"})
    json.dump(out, sys.stdout)


main()
