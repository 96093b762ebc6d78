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
}
