//! An HTML-only e-mail (Outlook's Word markup, web mail) as the text a person reads in it:
//! paragraphs and line breaks kept, lists as lists, a link's target written after its text,
//! no CSS, no script, no conditional comments. html2text parses with html5ever, as a browser
//! would; mail-parser's own conversion runs `<div>`s together and drops lists and links.

use html2text::render::RichAnnotation;

/// Wide enough that html2text never wraps a line of its own.
const NO_WRAP: usize = 100_000;

pub fn html_to_text(html: &str) -> String {
    let Ok(lines) = html2text::config::rich().lines_from_read(html.as_bytes(), NO_WRAP) else {
        return String::new();
    };
    let mut text = String::with_capacity(html.len() / 2);
    for line in lines {
        let mut open: Option<(String, String)> = None;
        for piece in line.tagged_strings() {
            let target = piece.tag.iter().find_map(|a| match a {
                RichAnnotation::Link(url) => Some(url.clone()),
                _ => None,
            });
            if open.as_ref().map(|(url, _)| url) != target.as_ref() {
                close_link(&mut text, open.take());
                open = target.map(|url| (url, String::new()));
            }
            if let Some((_, shown)) = open.as_mut() {
                shown.push_str(&piece.s);
            }
            text.push_str(&piece.s);
        }
        close_link(&mut text, open);
        text.push('\n');
    }
    tidy(&text)
}

/// Writes the link's target after its text, unless the text already says it.
fn close_link(text: &mut String, link: Option<(String, String)>) {
    let Some((url, shown)) = link else { return };
    let bare = url.trim_start_matches("mailto:");
    if !url.starts_with('#') && !shown.contains(bare) {
        text.push_str(&format!(" <{url}>"));
    }
}

/// Non-breaking spaces as spaces, Word's list bullets ("·" in the Symbol font and padding) as
/// "• " (one paragraph each in Word's markup, so no empty line between two), no trailing
/// blanks, at most one empty line in a row.
fn tidy(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut empty_lines = 0;
    let mut after_bullet = false;
    for line in text.replace('\u{a0}', " ").lines() {
        let line = line.trim_end();
        let line = match line.strip_prefix('·').or_else(|| line.strip_prefix('§')) {
            Some(rest) if rest.starts_with("  ") => format!("• {}", rest.trim_start()),
            _ => line.to_string(),
        };
        if line.is_empty() {
            empty_lines += 1;
            if empty_lines > 1 {
                continue;
            }
        } else {
            let bullet = line.starts_with("• ");
            if bullet && after_bullet && empty_lines == 1 {
                out.pop();
            }
            after_bullet = bullet;
            empty_lines = 0;
        }
        out.push_str(&line);
        out.push('\n');
    }
    out.trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_lists_and_links_survive_and_style_and_script_do_not() {
        let html = "<html><head><style>p.MsoNormal{margin:0cm}</style></head><body>\
            <p class=MsoNormal>Goedemorgen,<o:p></o:p></p><p class=MsoNormal><o:p>&nbsp;</o:p></p>\
            <p class=MsoNormal>Zie <a href=\"https://example.nl/foto\">de foto’s</a> en \
            <a href=\"mailto:jan@example.nl\">jan@example.nl</a>.<script>alert(1)</script></p>\
            <ul><li>één</li><li>twee</li></ul><div>Gmail</div><div>regels</div></body></html>";
        let text = html_to_text(html);
        assert_eq!(
            text,
            "Goedemorgen,\n\nZie de foto’s <https://example.nl/foto> en jan@example.nl.\n* één\n* twee\n\nGmail\nregels"
        );
    }

    #[test]
    fn word_list_bullets_become_bullets() {
        let html = "<p class=MsoListParagraph><![if !supportLists]><span style='font-family:Symbol'>·\
            <span style='font:7.0pt'>&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp; </span></span><![endif]>Gazelle</p>";
        assert_eq!(html_to_text(html), "• Gazelle");
    }
}
