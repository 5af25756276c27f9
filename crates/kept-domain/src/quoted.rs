//! Quoted history in e-mail replies: shown folded away, never thrown away. Mail programs
//! quote the previous message under a line such as "On Tue, … Jan wrote:" / "Op di … schreef
//! Jan:", an "-----Original Message-----" separator, an Outlook "From:/Van:" header block, or
//! as lines starting with ">".

/// The text as the customer wrote it, and the quoted history under it (empty when there is none).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SplitReply<'a> {
    pub fresh: &'a str,
    pub quoted: &'a str,
}

fn starts_quote(line: &str) -> bool {
    let line = line.trim();
    let lower = line.to_lowercase();
    let attribution = (lower.starts_with("on ") && lower.ends_with("wrote:"))
        || (lower.starts_with("op ") && (lower.ends_with(":") && lower.contains("schreef")))
        || (lower.starts_with("am ") && lower.ends_with("schrieb:"));
    let separator = lower.trim_matches('-').trim() == "original message"
        || lower.trim_matches('-').trim() == "oorspronkelijk bericht"
        || lower.trim_matches('-').trim() == "origineel bericht";
    let outlook = (lower.starts_with("from:") || lower.starts_with("van:")) && lower.contains('@');
    attribution || separator || outlook || line.starts_with('>')
}

/// Splits at the first line that starts quoted history, when some fresh (unquoted) text stays
/// above it.
pub fn split_quoted(body: &str) -> SplitReply<'_> {
    let mut offset = 0;
    let mut fresh_above = false;
    for line in body.split_inclusive('\n') {
        let quote = starts_quote(line);
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
    fn a_message_without_history_or_only_quotes_is_kept_whole() {
        let plain = "Mijn fiets is kapot.\nKunt u bellen?";
        assert_eq!(
            split_quoted(plain),
            SplitReply {
                fresh: plain,
                quoted: ""
            }
        );
        let only_quote = "> forwarded text\n> more";
        assert_eq!(split_quoted(only_quote).fresh, only_quote, "never hide everything");
    }
}
