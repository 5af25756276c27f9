//! Quoted history in e-mail replies: shown folded away, never thrown away. Mail programs put
//! what went before under an attribution line — Gmail "On Mon, Dec 7, 2026 at 10:00 AM Jan
//! <jan@…> wrote:" (wrapped over two lines when long) and "Op ma 7 dec 2026 om 10:00 schreef
//! Jan <…>:", Apple Mail and iOS Mail "Op 7 dec. 2026 om 10:00 heeft Jan het volgende
//! geschreven:", Thunderbird "Op 07-12-2026 om 10:00 schreef Jan:" —, under an Outlook header
//! block ("Van:/Verzonden:/Aan:", "From:/Sent:/To:", no `>` at all) or an "-----Original
//! Message-----" line, or as lines starting with ">". A signature after "-- " (RFC 3676) and a
//! phone's "Verstuurd vanaf mijn iPhone" are folded with it: they are not what the customer
//! wrote to us now.

/// The text as the customer wrote it, and the quoted history under it (empty when there is none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitReply<'a> {
    pub fresh: &'a str,
    pub quoted: &'a str,
}

impl SplitReply<'_> {
    /// The quoted part, or `None` when there is none.
    pub fn quoted(&self) -> Option<&str> {
        Some(self.quoted).filter(|q| !q.trim().is_empty())
    }
}

/// A line as a reader sees it: trimmed, lower case, without the bold marks an HTML mail's
/// header block turns into ("**Van:**").
fn plain(line: &str) -> String {
    line.trim().replace('*', "").to_lowercase()
}

/// An attribution line ("… wrote:", "… schreef …:", "… het volgende geschreven:").
fn attribution(lower: &str) -> bool {
    let lower = lower.trim_start_matches(['>', ' ']);
    let opens = ["on ", "op ", "am ", "le "].iter().any(|p| lower.starts_with(p));
    let closes = lower.ends_with("wrote:")
        || lower.ends_with("geschreven:")
        || lower.ends_with("schrieb:")
        || lower.ends_with("a écrit :")
        || (lower.ends_with(':') && lower.contains(" schreef"));
    // Every client names the date: "Op welke dag? Dat schreef ik al:" is the customer's own.
    opens && closes && lower.chars().any(|c| c.is_ascii_digit())
}

fn separator(lower: &str) -> bool {
    let bare = lower.trim_matches(['-', '_', ' ']);
    matches!(
        bare,
        "original message"
            | "oorspronkelijk bericht"
            | "origineel bericht"
            | "forwarded message"
            | "doorgestuurd bericht"
    )
}

/// The first line of an Outlook header block: "Van:"/"From:" with "Verzonden:"/"Sent:"/"Datum:"/
/// "Date:" in one of the next lines (Outlook writes no ">" at all).
fn header_block(lower: &str, next: &[String]) -> bool {
    let starts = |line: &str, names: &[&str]| names.iter().any(|n| line.starts_with(n));
    starts(lower, &["van:", "from:"])
        && next
            .iter()
            .take(3)
            .any(|l| starts(l, &["verzonden:", "sent:", "datum:", "date:"]))
}

/// A signature: RFC 3676's "-- " line, or what a phone adds under every mail.
fn signature(line: &str, lower: &str) -> bool {
    const PHONES: [&str; 8] = [
        "sent from my ",
        "verstuurd vanaf mijn ",
        "verzonden vanaf mijn ",
        "verzonden met ",
        "sent from outlook",
        "verstuurd vanaf outlook",
        "get outlook for ",
        "download outlook voor ",
    ];
    line.trim_end_matches(['\r', '\n']) == "-- "
        || lower == "--"
        || (lower.len() < 60 && PHONES.iter().any(|p| lower.starts_with(p)))
}

/// Whether quoted history (or a signature) starts at `lines[i]`.
fn starts_quote(lines: &[&str], lowered: &[String], i: usize) -> bool {
    let (line, lower) = (lines[i], &lowered[i]);
    let next = &lowered[i + 1..];
    // Gmail wraps a long attribution: "On Mon, … <kept@fiets.test>" / "wrote:".
    let wrapped = !lower.is_empty() && next.first().is_some_and(|n| attribution(&format!("{lower} {n}")));
    line.trim_start().starts_with('>')
        || attribution(lower)
        || wrapped
        || separator(lower)
        || header_block(lower, next)
        || signature(line, lower)
}

/// Splits at the first line that starts quoted history, when some fresh (unquoted) text stays
/// above it.
pub fn split_quoted(body: &str) -> SplitReply<'_> {
    let lines: Vec<&str> = body.split_inclusive('\n').collect();
    let lowered: Vec<String> = lines.iter().map(|l| plain(l)).collect();
    let mut offset = 0;
    let mut fresh_above = false;
    for (i, line) in lines.iter().enumerate() {
        let quote = starts_quote(&lines, &lowered, i);
        if quote && fresh_above {
            return SplitReply {
                fresh: body[..offset].trim_end(),
                quoted: &body[offset..],
            };
        }
        fresh_above |= !quote && !line.trim().is_empty();
        offset += line.len();
    }
    SplitReply {
        fresh: body,
        quoted: "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gmail_and_dutch_attributions_and_outlook_blocks_are_folded() {
        let english = "Thanks, that works.\n\nOn Tue, 24 Nov 2026 at 10:00, Fietsenwinkel <service@fiets.test> wrote:\n> Your bike is ready.\n";
        let split = split_quoted(english);
        assert_eq!(split.fresh, "Thanks, that works.");
        assert!(split.quoted.starts_with("On Tue") && split.quoted.contains("> Your bike"));

        let dutch = "Dank je!\r\nOp di 24 nov. 2026 om 10:00 schreef Fietsenwinkel <service@fiets.test>:\r\n> Uw fiets is klaar.";
        assert_eq!(split_quoted(dutch).fresh, "Dank je!");

        let outlook = "Prima.\n\n-----Oorspronkelijk bericht-----\nVan: service@fiets.test\nOnderwerp: fiets";
        assert_eq!(split_quoted(outlook).fresh, "Prima.");
    }

    #[test]
    fn wrapped_attributions_header_blocks_and_signatures_are_folded() {
        let wrapped =
            "Works for me.\n\nOn Mon, Dec 7, 2026 at 10:00 AM Fietsenmaker <kept@fiets.test>\nwrote:\n\n> Dear Tom,";
        assert_eq!(split_quoted(wrapped).fresh, "Works for me.");

        let block = "Goed.\n\n**Van:** Fietsenmaker\n**Verzonden:** maandag 7 december 2026 10:00\n**Aan:** Piet";
        assert_eq!(split_quoted(block).fresh, "Goed.");

        let apple = "Prima.\n\n> Op 7 dec. 2026, om 10:00 heeft Fietsenmaker <kept@fiets.test> het volgende geschreven:\n>\n> Beste Lieke,";
        assert_eq!(split_quoted(apple).fresh, "Prima.");

        let signed = "Akkoord.\n\n-- \nAnouk Bakker\n06-12345678\n";
        let split = split_quoted(signed);
        assert_eq!(split.fresh, "Akkoord.");
        assert_eq!(split.quoted(), Some("-- \nAnouk Bakker\n06-12345678\n"));

        let phone = "Top!\n\nVerstuurd vanaf mijn iPhone\n";
        assert_eq!(split_quoted(phone).fresh, "Top!");
    }

    #[test]
    fn a_message_without_history_or_only_quotes_is_kept_whole() {
        let plain = "Mijn fiets is kapot.\nKunt u bellen?";
        assert_eq!(
            split_quoted(plain),
            SplitReply {
                fresh: plain,
                quoted: ""
            }
        );
        assert_eq!(split_quoted(plain).quoted(), None);
        let only_quote = "> forwarded text\n> more";
        assert_eq!(split_quoted(only_quote).fresh, only_quote, "never hide everything");
        // Words that merely look like a header stay the customer's.
        let own = "Van: maandag tot vrijdag ben ik thuis.\nDe fiets staat klaar.";
        assert_eq!(split_quoted(own).fresh, own);
        let question = "Ik kom morgen.\nOp welke dag kan ik komen? Dat schreef ik al:\nmaandag";
        assert_eq!(split_quoted(question).fresh, question);
    }
}
