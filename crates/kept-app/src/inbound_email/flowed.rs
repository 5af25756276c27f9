//! `format=flowed` (RFC 3676), as Thunderbird, Apple Mail and Google's calendar send plain
//! text: a line ending in a space goes on in the next line, so a paragraph wrapped at 72
//! characters reads as one line again. A quoted line only flows into a line of the same depth;
//! the signature line "-- " never flows.

pub fn unflow(text: &str, delsp: bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut open_depth: Option<usize> = None;
    for raw in text.split('\n') {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let depth = line.chars().take_while(|&c| c == '>').count();
        let content = &line[depth..];
        // Space-stuffing: a leading space was added by the sender, not written.
        let content = content.strip_prefix(' ').unwrap_or(content);
        match open_depth {
            Some(d) if d == depth => {}
            Some(_) => {
                out.push('\n');
                out.push_str(&">".repeat(depth));
                if depth > 0 {
                    out.push(' ');
                }
            }
            None => {
                out.push_str(&">".repeat(depth));
                if depth > 0 {
                    out.push(' ');
                }
            }
        }
        let flows = content.ends_with(' ') && content != "-- ";
        if flows {
            out.push_str(if delsp { &content[..content.len() - 1] } else { content });
            open_depth = Some(depth);
        } else {
            out.push_str(content);
            out.push('\n');
            open_depth = None;
        }
    }
    out.truncate(out.trim_end_matches('\n').len());
    out
}

#[cfg(test)]
mod tests {
    use super::unflow;

    #[test]
    fn soft_breaks_join_and_quotes_and_signatures_stay() {
        let text =
            "Ik ga akkoord met het vervangen van de \r\nketting.\r\n\r\n-- \r\nAnouk\r\n> Beste \r\n> Anouk,\r\n";
        assert_eq!(
            unflow(text, false),
            "Ik ga akkoord met het vervangen van de ketting.\n\n-- \nAnouk\n> Beste Anouk,"
        );
        assert_eq!(unflow("een \nregel", true), "eenregel");
    }
}
