//! Escaping of log-derived text for each output: terminals, HTML, Markdown, CSV.
//!
//! Log lines are attacker-controlled (user agents, URLs, user names), so every writer passes
//! them through one of these functions before printing.

use std::borrow::Cow;

/// Makes text safe to print on a terminal: control characters (C0 except tab, DEL, C1) become
/// visible `\xNN` escapes, so ANSI/OSC escape sequences from logs cannot move the cursor,
/// recolour or retitle the terminal; bidirectional overrides (U+202A–U+202E, U+2066–U+2069)
/// become `\u{…}` so they cannot reorder what is shown.
pub fn terminal(s: &str) -> Cow<'_, str> {
    if !s.chars().any(needs_terminal_escape) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs_terminal_escape(c) {
            let n = c as u32;
            if n < 0x100 {
                out.push_str(&format!("\\x{n:02x}"));
            } else {
                out.push_str(&format!("\\u{{{n:04x}}}"));
            }
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

fn needs_terminal_escape(c: char) -> bool {
    (c.is_control() && c != '\t')
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

/// Quotes a CSV field (RFC 4180) when it needs it.
pub fn csv_field(s: &str) -> Cow<'_, str> {
    if s.contains([',', '"', '\n', '\r']) {
        Cow::Owned(format!("\"{}\"", s.replace('"', "\"\"")))
    } else {
        Cow::Borrowed(s)
    }
}

/// A control or bidi character as visible text (`\x1b`, `\u{202e}`), for the Markdown and
/// HTML escapers.
fn push_visible_escape(out: &mut String, c: char) {
    let n = c as u32;
    if n < 0x100 {
        out.push_str(&format!("\\x{n:02x}"));
    } else {
        out.push_str(&format!("\\u{{{n:04x}}}"));
    }
}

/// Makes log-derived text safe as inline Markdown (a paragraph, a list item, a table cell) on
/// GitHub and GitLab: it renders as the literal text, never as a link, image, raw HTML tag,
/// autolink, emphasis, heading or table column break.
///
/// - Newlines and tabs become spaces (a line break could start a new block).
/// - Other control characters and bidi overrides become visible `\xNN` / `\u{…}` text.
/// - Markdown metacharacters get a backslash (CommonMark lets any ASCII punctuation be
///   escaped, and GFM honours `\|` inside table cells).
/// - GFM's extended autolinks (`www.`, `http://`, `user@host`) are broken by escaping the `:`
///   of `://`, the `.` after `www` and every `@`; escaped characters are separate text nodes
///   for the autolink scanner. Other `:` and `.` stay readable.
pub fn markdown_inline(s: &str) -> Cow<'_, str> {
    let special = |c: char| {
        MARKDOWN_ESCAPED.contains(c) || matches!(c, ':' | '.') || c.is_control() || is_bidi(c)
    };
    if !s.chars().any(special) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    let mut prev: [char; 3] = ['\0'; 3];
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\n' | '\r' | '\t' => out.push(' '),
            c if c.is_control() || is_bidi(c) => {
                out.push('\\');
                push_visible_escape(&mut out, c);
            }
            ':' => {
                if chars.peek() == Some(&'/') {
                    out.push('\\');
                }
                out.push(':');
            }
            '.' => {
                if prev.iter().all(|p| p.eq_ignore_ascii_case(&'w')) {
                    out.push('\\');
                }
                out.push('.');
            }
            // `_` between two alphanumerics can neither open nor close emphasis (CommonMark's
            // flanking rules), so `max_connections` stays readable.
            '_' if prev[2].is_alphanumeric()
                && chars.peek().is_some_and(|n| n.is_alphanumeric()) =>
            {
                out.push('_');
            }
            c if MARKDOWN_ESCAPED.contains(c) => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
        prev = [prev[1], prev[2], c];
    }
    Cow::Owned(out)
}

/// Characters [`markdown_inline`] always backslash-escapes. `(` and `)` are not among them: a
/// link or image needs an unescaped `]` before its `(`, and `]` is always escaped. `#` stops
/// GitHub's `#123` issue references, `$` its math, `@` mentions and e-mail autolinks.
const MARKDOWN_ESCAPED: &str = "\\`*_{}[]<>#+!|~&@$";

fn is_bidi(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}')
}

/// A fenced Markdown code block showing `text` literally. The fence is a run of backticks
/// longer than any backtick run inside `text` (at least three), so no line of the text can
/// close it early; `info` (a language hint) is dropped if it contains a backtick or
/// whitespace. Control characters other than newline and tab, and bidi overrides, become
/// visible `\xNN` / `\u{…}` text; `\r` is dropped. Ends with a newline.
pub fn markdown_code_block(text: &str, info: &str) -> String {
    let mut longest = 0usize;
    let mut run = 0usize;
    for c in text.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    let fence = "`".repeat(longest.max(2) + 1);
    let info = if info
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        info
    } else {
        ""
    };
    let mut out = String::with_capacity(text.len() + 2 * fence.len() + 8);
    out.push_str(&fence);
    out.push_str(info);
    out.push('\n');
    for c in text.chars() {
        match c {
            '\r' => {}
            '\n' | '\t' => out.push(c),
            c if c.is_control() || is_bidi(c) => push_visible_escape(&mut out, c),
            c => out.push(c),
        }
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&fence);
    out.push('\n');
    out
}

/// Escapes text for HTML element content and quoted attribute values (also inside inline
/// SVG): `& < > " '` become character references. Control characters other than newline and
/// tab, and bidi overrides, become visible `\xNN` / `\u{…}` text, so logs can neither inject
/// markup nor reorder what is displayed.
pub fn html(s: &str) -> Cow<'_, str> {
    let special = |c: char| {
        matches!(c, '&' | '<' | '>' | '"' | '\'')
            || (c.is_control() && c != '\n' && c != '\t')
            || is_bidi(c)
    };
    if !s.chars().any(special) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if special(c) => push_visible_escape(&mut out, c),
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_escapes_ansi_and_bidi() {
        assert_eq!(terminal("plain\ttext"), "plain\ttext");
        assert_eq!(terminal("\x1b[2Jboom"), "\\x1b[2Jboom");
        assert_eq!(terminal("\x1b]0;title\x07"), "\\x1b]0;title\\x07");
        assert_eq!(terminal("a\u{202E}b"), "a\\u{202e}b");
        assert_eq!(terminal("line\nnext"), "line\\x0anext");
    }

    #[test]
    fn csv_field_quotes_when_needed() {
        assert_eq!(csv_field("a,b"), "\"a,b\"");
        assert_eq!(csv_field("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_field("plain"), "plain");
    }

    #[test]
    fn markdown_inline_valid_plain_text_is_borrowed() {
        assert!(matches!(
            markdown_inline("pool exhausted in auth-api, 10 active"),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn markdown_inline_invalid_link_and_image_are_escaped() {
        assert_eq!(
            markdown_inline("[x](javascript:alert(1))"),
            "\\[x\\](javascript:alert(1))"
        );
        assert_eq!(
            markdown_inline("![i](http://evil/x.png)"),
            "\\!\\[i\\](http\\://evil/x.png)"
        );
    }

    #[test]
    fn markdown_inline_invalid_html_tags_are_escaped() {
        assert_eq!(
            markdown_inline("<script>alert(1)</script>"),
            "\\<script\\>alert(1)\\</script\\>"
        );
        assert_eq!(
            markdown_inline("\"><img src=x onerror=alert(1)>"),
            "\"\\>\\<img src=x onerror=alert(1)\\>"
        );
    }

    #[test]
    fn markdown_inline_valid_intraword_underscore_stays_readable() {
        assert_eq!(markdown_inline("max_connections"), "max_connections");
        assert_eq!(markdown_inline("_em_ x_"), "\\_em\\_ x\\_");
        assert_eq!(markdown_inline("see #12"), "see \\#12");
    }

    #[test]
    fn markdown_inline_invalid_pipe_and_newline_cannot_break_a_table() {
        assert_eq!(markdown_inline("a|b\nc"), "a\\|b c");
    }

    #[test]
    fn markdown_inline_invalid_autolinks_are_broken() {
        assert_eq!(markdown_inline("see www.evil.com"), "see www\\.evil.com");
        assert_eq!(markdown_inline("a@b.c"), "a\\@b.c");
        assert_eq!(markdown_inline("<http://x>"), "\\<http\\://x\\>");
    }

    #[test]
    fn markdown_inline_invalid_ansi_and_bidi_become_visible() {
        assert_eq!(markdown_inline("\x1b[31mred"), "\\\\x1b\\[31mred");
        assert_eq!(markdown_inline("a\u{202E}b"), "a\\\\u{202e}b");
    }

    #[test]
    fn markdown_code_block_valid_plain_text_uses_three_backticks() {
        assert_eq!(
            markdown_code_block("a < b", "text"),
            "```text\na < b\n```\n"
        );
    }

    #[test]
    fn markdown_code_block_invalid_backticks_in_text_get_a_longer_fence() {
        let b = markdown_code_block("```\n# closed?\n`````x", "");
        assert!(b.starts_with("``````\n"), "{b}");
        assert!(b.ends_with("\n``````\n"), "{b}");
        // Only the first and the last line are fences.
        let fences = b.lines().filter(|l| l.starts_with("``````")).count();
        assert_eq!(fences, 2);
    }

    #[test]
    fn markdown_code_block_invalid_controls_and_info_are_neutralised() {
        let b = markdown_code_block("x\x1b[2J\r\ny\u{202E}", "te`xt");
        assert_eq!(b, "```\nx\\x1b[2J\ny\\u{202e}\n```\n");
    }

    #[test]
    fn html_invalid_hostile_strings_are_escaped() {
        assert_eq!(
            html("<script>alert(1)</script>"),
            "&lt;script&gt;alert(1)&lt;/script&gt;"
        );
        assert_eq!(
            html("\"><img src=x onerror=alert(1)>"),
            "&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"
        );
        assert_eq!(html("it's & done"), "it&#39;s &amp; done");
        assert_eq!(html("a\u{202E}b\x1b"), "a\\u{202e}b\\x1b");
        assert!(matches!(html("plain"), Cow::Borrowed(_)));
    }
}
