"""Schemathesis hooks for kept: how to generate a raw e-mail (message/rfc822).

Half of the generated mails are shaped like e-mail (headers, a blank line, a body, a fresh
Message-ID so that they are not taken for duplicates), with random names, subjects and
bodies; the other half are random bytes, which kept must keep as unreadable mail.
"""

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
