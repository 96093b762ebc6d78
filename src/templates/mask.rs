//! Tokenising and masking one message into a *masked key*: the message's tokens with every
//! recognisable variable replaced by a marker, so that messages printed by the same statement
//! with different values share one key.
//!
//! Key types: [`Masked`] (reusable output buffers: the key and the text of its weak variables)
//! and [`mask_message`]. The small named predicates (`is_number`, `is_hex`, `is_ipv4`,
//! `is_host_port`, `is_uuid`, `is_path`, `is_url`, `is_email`, `is_duration`, `is_size`,
//! `is_version`, `is_time_of_day`, `is_date`, `is_quoted_open`, …) are public so they can be
//! tested one by one.
//!
//! Two kinds of variables:
//! * **strong** ([`VAR`]): numbers, hex, IPs, paths, URLs, UUIDs, durations and sizes, dates and
//!   times, versions, identifiers with a long run of digits (`blk_-1608999687919862906`,
//!   `attempt_1445144423722_0020_m_000000_0`), `true`/`false`/`null`. Always written `<*>`.
//! * **weak** ([`WEAK`]): other words that contain a digit (`ssh2`, `tty2`, `rdd_2_1`,
//!   `Slf4jLogger`). Masked in the key so that their values group together, but their text is
//!   kept: the template writes the word itself when it never varied within the template
//!   (`… port <*> ssh2`) and `<*>` when it did (`Found block <*> locally`).
//!
//! Splitting follows the conventions of the log-parsing literature's corrected ground truth
//! (Khan et al., ICSE 2022): whitespace separates tokens and runs of spaces collapse;
//! `key=value` keeps the key (`uid=<*>`); a number glued to text behind punctuation is masked on
//! its own (`CPU#<*>`, `mice.c(<*>)`, `PS/<*>`); an identifier joined by `_`, `-` or `.` is one
//! variable (`blk_-123` → `<*>`); an address with its port is one variable
//! (`10.251.73.220:50010` → `<*>`); a date written over several tokens
//! (`Fri Jun 17 07:07:00 2005`) and a size with its unit (`5.2 KB`) are one variable.
//!
//! The masker never allocates per token: it writes into the buffers of [`Masked`], which the
//! caller reuses from message to message.

/// Marker of a strong variable inside a key.
pub const VAR: char = '\u{1}';
/// Marker of a weak variable inside a key (its text is kept in [`Masked::weak`]).
pub const WEAK: char = '\u{2}';
/// Separator between the positions of a key.
pub const SEP: char = '\u{1f}';
/// Positions kept per message; the rest of a longer message becomes one final variable.
pub const MAX_POSITIONS: usize = 256;
/// Tokens longer than this are data (minified JSON, dumps), never template text.
pub const MAX_TOKEN_BYTES: usize = 4096;
/// Atoms (pieces with no delimiter left) longer than this are data (base64, hex, hashes).
pub const MAX_ATOM_BYTES: usize = 256;
/// Tokens a quoted value may span.
const MAX_QUOTED_TOKENS: usize = 32;

/// The masked form of one message, in buffers reused across messages.
#[derive(Debug, Default, Clone)]
pub struct Masked {
    /// Positions joined by [`SEP`]; variables are [`VAR`] / [`WEAK`].
    pub key: String,
    /// Text of the weak variables, in key order, concatenated.
    pub weak: String,
    /// End offset in `weak` of each weak variable.
    pub weak_ends: Vec<u32>,
    spans: Vec<(u32, u32)>,
    /// The current message holds bytes that would be mistaken for markers.
    sanitize: bool,
}

impl Masked {
    pub fn new() -> Masked {
        Masked::default()
    }

    /// Text of each weak variable, in key order.
    pub fn weak_values(&self) -> impl Iterator<Item = &str> {
        let mut start = 0usize;
        self.weak_ends.iter().map(move |&end| {
            let end = end as usize;
            let s = self.weak.get(start..end).unwrap_or("");
            start = end;
            s
        })
    }

    /// The key written the way a template is: positions joined by spaces, variables as `<*>`
    /// (weak ones included).
    pub fn display(&self) -> String {
        key_display(&self.key)
    }

    fn clear(&mut self) {
        self.key.clear();
        self.weak.clear();
        self.weak_ends.clear();
        self.spans.clear();
    }

    /// Appends literal text, replacing the bytes that would be mistaken for markers.
    #[inline]
    fn lit(&mut self, s: &str) {
        if s.is_empty() {
            return;
        }
        if self.sanitize && s.bytes().any(|b| b == 0x01 || b == 0x02 || b == 0x1f) {
            for c in s.chars() {
                self.key.push(if c == VAR || c == WEAK || c == SEP {
                    '?'
                } else {
                    c
                });
            }
        } else {
            self.key.push_str(s);
        }
    }

    #[inline]
    fn var(&mut self) {
        self.key.push(VAR);
    }

    fn weak_var(&mut self, text: &str) {
        self.key.push(WEAK);
        self.weak.push_str(text);
        self.weak_ends
            .push(u32::try_from(self.weak.len()).unwrap_or(u32::MAX));
    }
}

/// A key written for people: positions joined by spaces, every marker as `<*>`.
pub fn key_display(key: &str) -> String {
    let mut out = String::with_capacity(key.len() + 8);
    for c in key.chars() {
        match c {
            VAR | WEAK => out.push_str("<*>"),
            SEP => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// Masks `msg` into `out` (cleared first).
pub fn mask_message(msg: &str, out: &mut Masked) {
    out.clear();
    let bytes = msg.as_bytes();
    out.sanitize = memchr::memchr3(0x01, 0x02, 0x1f, bytes).is_some();
    // Message-level gates keep the multi-token rules off the common path: a date over several
    // tokens needs a time (`d:dd`), a quoted value needs a quote, a separate size unit an
    // upper-case `B`.
    let digit = |i: usize| bytes.get(i).is_some_and(u8::is_ascii_digit);
    let has_time = memchr::memchr_iter(b':', bytes).any(|i| {
        i > 0
            && digit(i - 1)
            && !(i > 2 && digit(i - 3))
            && digit(i + 1)
            && digit(i + 2)
            && !digit(i + 3)
    });
    let has_quote = memchr::memchr2(b'"', b'\'', bytes).is_some();
    let has_unit = memchr::memchr(b'B', bytes).is_some();
    let mut spans = std::mem::take(&mut out.spans);
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && !bytes[i].is_ascii_whitespace() {
            i += 1;
        }
        if i > start {
            spans.push((start as u32, i as u32));
        }
    }
    let tok = |k: usize| -> &str {
        spans
            .get(k)
            .and_then(|&(a, b)| msg.get(a as usize..b as usize))
            .unwrap_or("")
    };
    let n = spans.len();
    let mut k = 0;
    let mut positions = 0;
    while k < n {
        if positions > 0 {
            out.key.push(SEP);
        }
        positions += 1;
        if positions == MAX_POSITIONS && k + 1 < n {
            out.var();
            break;
        }
        if has_time {
            if let Some(end) = datetime_run(&tok, k, n) {
                let last = tok(end - 1);
                let first = tok(k);
                out.lit(&first[..leading(first, is_open_byte)]);
                out.var();
                out.lit(
                    &last[last.len()
                        - trailing(last, |b| matches!(b, b',' | b';' | b'.' | b')' | b']'))..],
                );
                k = end;
                continue;
            }
        }
        if has_unit && k + 1 < n {
            let unit = tok(k + 1);
            let cut = unit.len() - trailing(unit, is_close_byte);
            if is_size_unit(&unit[..cut]) && is_number(tok(k)) {
                out.var();
                out.lit(&unit[cut..]);
                k += 2;
                continue;
            }
        }
        if has_quote {
            if let Some(end) = quoted_run(&tok, k, n) {
                for j in k..end {
                    if j > k {
                        out.key.push(' ');
                    }
                    mask_token(tok(j), out);
                }
                k = end;
                continue;
            }
        }
        mask_token(tok(k), out);
        k += 1;
    }
    spans.clear();
    out.spans = spans;
}

fn is_open_byte(b: u8) -> bool {
    matches!(b, b'(' | b'[' | b'{' | b'<' | b'"' | b'\'' | b':')
}

fn is_close_byte(b: u8) -> bool {
    matches!(
        b,
        b')' | b']' | b'}' | b'>' | b'"' | b'\'' | b',' | b';' | b':' | b'.' | b'!' | b'?'
    )
}

/// Bytes at the start of `s` that satisfy `f`.
fn leading(s: &str, f: impl Fn(u8) -> bool) -> usize {
    s.bytes().take_while(|&b| f(b)).count()
}

/// Bytes at the end of `s` that satisfy `f`.
fn trailing(s: &str, f: impl Fn(u8) -> bool) -> usize {
    s.bytes().rev().take_while(|&b| f(b)).count()
}

/// Masks one whitespace-free token.
fn mask_token(tok: &str, out: &mut Masked) {
    if tok.len() > MAX_TOKEN_BYTES {
        out.var();
        return;
    }
    let b = tok.as_bytes();
    let mut i = 0;
    while i < b.len() && is_open_byte(b[i]) {
        i += 1;
    }
    let mut j = b.len();
    while j > i && is_close_byte(b[j - 1]) {
        j -= 1;
    }
    let core = &tok[i..j];
    // Most tokens are plain words (with their punctuation): template text as they stand,
    // unless `true`/`false`/`null`; without a digit, `/` or `@` nothing else can make them a
    // variable. One copy for the whole token.
    if core
        .bytes()
        .all(|x| x.is_ascii_alphabetic() || x == b'-' || x == b'_' || x == b'.')
        && !is_bool_or_null(core)
    {
        out.lit(tok);
        return;
    }
    out.lit(&tok[..i]);
    if tok[..i].ends_with('<') && tok[j..].starts_with('>') && core.starts_with('/') {
        // A closing tag (`</TASK>`, `</body>`), not a path.
        out.lit("/");
        mask_core(&core[1..], out);
    } else {
        mask_core(core, out);
    }
    out.lit(&tok[j..]);
}

/// Delimiters of the first split: list separators.
fn is_list_sep(b: u8) -> bool {
    matches!(b, b',' | b';' | b'|')
}

/// Delimiters of the second split: brackets, quotes and other glue between a word and a value.
fn is_glue(b: u8) -> bool {
    matches!(
        b,
        b':' | b'@'
            | b'#'
            | b'+'
            | b'('
            | b')'
            | b'['
            | b']'
            | b'{'
            | b'}'
            | b'<'
            | b'>'
            | b'"'
            | b'\''
            | b'$'
            | b'&'
            | b'?'
            | b'!'
    )
}

/// Which delimiters a core holds, found in one pass.
#[derive(Default)]
struct Delims {
    list: bool,
    eq: Option<usize>,
    glue: bool,
    colon: bool,
    slash: bool,
}

fn delims(b: &[u8]) -> Delims {
    let mut d = Delims::default();
    for (i, &x) in b.iter().enumerate() {
        match x {
            b',' | b';' | b'|' => d.list = true,
            b'=' if d.eq.is_none() => d.eq = Some(i),
            b'=' => {}
            b':' => d.colon = true,
            b'/' | b'\\' => d.slash = true,
            x if is_glue(x) => d.glue = true,
            _ => {}
        }
    }
    d
}

fn mask_core(c: &str, out: &mut Masked) {
    let b = c.as_bytes();
    if b.is_empty() {
        return;
    }
    if b.iter().all(u8::is_ascii_digit) || is_strong_whole(c) {
        out.var();
        return;
    }
    let d = delims(b);
    if d.list {
        split_on(c, is_list_sep, out, mask_core);
        return;
    }
    if let Some(eq) = d.eq {
        mask_core(&c[..eq], out);
        out.key.push('=');
        let value = &c[eq + 1..];
        let vb = value.as_bytes();
        if vb.iter().any(u8::is_ascii_digit) && !vb.iter().any(u8::is_ascii_alphabetic) {
            // `steps=1514038440000##7007##548365`, `hard=02345000`: a value made of numbers
            // and punctuation is one variable.
            out.var();
        } else {
            mask_core(value, out);
        }
        return;
    }
    if d.glue {
        // Brackets and the like first, so that `Startup@0.0.0.0:62267` keeps the address
        // whole.
        split_on(c, |x| is_glue(x) && x != b':', out, mask_core);
        return;
    }
    if d.colon {
        split_colons(c, out);
        return;
    }
    if d.slash {
        split_on(c, |x| x == b'/' || x == b'\\', out, mask_atom);
        return;
    }
    mask_atom(c, out);
}

/// Splits on `:`, keeping the longest run of pieces that is one variable as a whole
/// (`10.251.30.85:50010:Got` → `<*>:Got`, Hadoop's `datanode + ":Got exception …"`).
fn split_colons(c: &str, out: &mut Masked) {
    let b = c.as_bytes();
    let mut start = 0;
    loop {
        let Some(first) = b
            .get(start..)
            .and_then(|r| memchr::memchr(b':', r))
            .map(|i| start + i)
        else {
            mask_core(c.get(start..).unwrap_or(""), out);
            return;
        };
        // Ends of the runs `start..e` holding at least one colon, longest tried first. An
        // address or a time is short, so only runs up to 64 bytes are tried (linear time).
        let mut ends = [0usize; 8];
        let mut n = 0;
        let mut i = first + 1;
        while n < ends.len() && i <= b.len() && i - start <= 64 {
            if i == b.len() || b[i] == b':' {
                ends[n] = i;
                n += 1;
            }
            i += 1;
        }
        match ends[..n]
            .iter()
            .rev()
            .copied()
            .find(|&e| is_strong_whole(&c[start..e]))
        {
            Some(e) => {
                out.var();
                if e >= b.len() {
                    return;
                }
                out.lit(":");
                start = e + 1;
            }
            None => {
                mask_core(&c[start..first], out);
                out.lit(":");
                start = first + 1;
            }
        }
    }
}

fn split_on(c: &str, is_delim: impl Fn(u8) -> bool, out: &mut Masked, each: fn(&str, &mut Masked)) {
    let mut start = 0;
    for (i, &x) in c.as_bytes().iter().enumerate() {
        if is_delim(x) {
            each(&c[start..i], out);
            out.lit(&c[i..i + 1]);
            start = i + 1;
        }
    }
    each(&c[start..], out);
}

/// How an atom (a piece of a token with no delimiter left) is masked.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AtomKind {
    /// Always a variable.
    Strong,
    /// A word with a digit: a variable when it varies.
    Weak,
    /// Template text.
    Literal,
}

fn mask_atom(a: &str, out: &mut Masked) {
    if a.is_empty() {
        return;
    }
    if a.len() > MAX_ATOM_BYTES {
        out.var();
        return;
    }
    if let Some((label, value)) = split_leader(a) {
        // `alignment.........0`, `i-fetch......1`: a label, dot leaders, a value.
        mask_atom(label, out);
        out.lit(&a[label.len()..a.len() - value.len()]);
        mask_atom(value, out);
        return;
    }
    if let Some((word, n)) = a.rsplit_once('.') {
        // `core.2275`, `worker.12`: a name with a numeric suffix.
        if !word.is_empty()
            && !n.is_empty()
            && n.bytes().all(|x| x.is_ascii_digit())
            && !word.bytes().any(|x| x.is_ascii_digit() || x == b'.')
        {
            out.lit(word);
            out.lit(".");
            out.var();
            return;
        }
    }
    match classify_atom(a) {
        AtomKind::Strong => out.var(),
        AtomKind::Weak => out.weak_var(a),
        AtomKind::Literal => out.lit(a),
    }
}

/// Splits `label....value` at a run of two or more dots with text on both sides.
fn split_leader(a: &str) -> Option<(&str, &str)> {
    let start = a.find("..")?;
    let end = start + a[start..].bytes().take_while(|&x| x == b'.').count();
    (start > 0 && end < a.len()).then(|| (&a[..start], &a[end..]))
}

/// Classifies an atom.
pub fn classify_atom(a: &str) -> AtomKind {
    if is_bool_or_null(a) {
        return AtomKind::Strong;
    }
    let b = a.as_bytes();
    if !b.iter().any(u8::is_ascii_digit) {
        return AtomKind::Literal;
    }
    if is_number(a)
        || is_hex(a)
        || is_version(a)
        || is_duration(a)
        || is_size(a)
        || is_number_with_unit(a)
    {
        return AtomKind::Strong;
    }
    if longest_digit_run(b) >= 4 || is_mostly_digits(b) {
        return AtomKind::Strong;
    }
    if b.windows(3)
        .any(|w| w[0].is_ascii_digit() && w[1] == b'.' && w[2].is_ascii_digit())
    {
        // `dquot_6.5.1`, `2.6.5-1.358`: a dotted number inside a word is a version.
        return AtomKind::Strong;
    }
    AtomKind::Weak
}

/// A token that is a variable as a whole, before any splitting.
pub fn is_strong_whole(c: &str) -> bool {
    let b = c.as_bytes();
    let (mut digits, mut slash, mut at, mut colon) = (0usize, false, false, false);
    for &x in b {
        match x {
            b'0'..=b'9' => digits += 1,
            b'/' | b'\\' => slash = true,
            b'@' => at = true,
            b':' => colon = true,
            _ => {}
        }
    }
    if slash && (is_path(c) || is_url(c)) {
        return true;
    }
    if at && is_email(c) {
        return true;
    }
    if digits == 0 {
        return false;
    }
    if is_ipv4(c) || is_uuid(c) || is_date(c) || is_timestamp(c) {
        return true;
    }
    if colon && (is_time_of_day(c) || is_host_port(c) || is_mac(c) || is_ipv6(c)) {
        return true;
    }
    // `0000:00:1f.0`, `21876+7292`, `1122475266.4294965305`: digits with number punctuation.
    digits * 2 > b.len()
        && b.iter()
            .all(|&x| x.is_ascii_hexdigit() || matches!(x, b'.' | b':' | b'+' | b'-'))
}

/// `true`, `false`, `null` as programs print them.
#[inline]
pub fn is_bool_or_null(s: &str) -> bool {
    if !(3..=5).contains(&s.len())
        || !matches!(s.as_bytes()[0], b't' | b'f' | b'n' | b'T' | b'F' | b'N')
    {
        return false;
    }
    matches!(
        s,
        "true" | "false" | "True" | "False" | "TRUE" | "FALSE" | "null" | "NULL" | "nil"
    )
}

/// Optional sign, digits, optional dotted groups, optional exponent: `42`, `-1`, `0.023958297`,
/// `1.5e-3`, `1.2.3`.
pub fn is_number(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'-' | b'+')) {
        i = 1;
    }
    let digits_at = |i: usize| b.get(i).is_some_and(u8::is_ascii_digit);
    if !(digits_at(i) || b.get(i) == Some(&b'.') && digits_at(i + 1)) {
        return false;
    }
    while i < b.len() {
        match b[i] {
            b'0'..=b'9' => i += 1,
            b'.' if digits_at(i + 1) => i += 1,
            b'e' | b'E' if i > 0 && b[i - 1].is_ascii_digit() => {
                let mut j = i + 1;
                if matches!(b.get(j), Some(b'-' | b'+')) {
                    j += 1;
                }
                if !digits_at(j) {
                    return false;
                }
                return b[j..].iter().all(u8::is_ascii_digit);
            }
            _ => return false,
        }
    }
    true
}

/// Splits `12.5ms` into (`12.5`, `ms`) when it is a number followed by letters.
fn number_and_unit(s: &str) -> Option<(&str, &str)> {
    let b = s.as_bytes();
    let start = usize::from(matches!(b.first(), Some(b'-' | b'+')));
    let end = b
        .iter()
        .skip(start)
        .position(|&x| !(x.is_ascii_digit() || x == b'.'))
        .map_or(b.len(), |p| p + start);
    if end == start || end == b.len() || !is_number(&s[..end]) {
        return None;
    }
    Some((&s[..end], &s[end..]))
}

/// A duration with its unit glued on: `10000ms`, `3s`, `1.5h`, `250us`.
pub fn is_duration(s: &str) -> bool {
    number_and_unit(s).is_some_and(|(_, u)| {
        matches!(
            u,
            "ns" | "us"
                | "µs"
                | "ms"
                | "s"
                | "sec"
                | "secs"
                | "m"
                | "min"
                | "mins"
                | "h"
                | "hr"
                | "hrs"
                | "d"
        )
    })
}

/// A size with its unit glued on: `126MB`, `16K`, `0k`, `4GiB`, `512b`.
pub fn is_size(s: &str) -> bool {
    number_and_unit(s).is_some_and(|(_, u)| {
        let mut buf = [0u8; 4];
        let ub = u.as_bytes();
        if ub.len() > buf.len() {
            return false;
        }
        buf[..ub.len()].copy_from_slice(ub);
        buf[..ub.len()].make_ascii_lowercase();
        matches!(
            &buf[..ub.len()],
            b"b" | b"k"
                | b"kb"
                | b"kib"
                | b"m"
                | b"mb"
                | b"mib"
                | b"g"
                | b"gb"
                | b"gib"
                | b"t"
                | b"tb"
                | b"tib"
                | b"pb"
        )
    })
}

/// Other measures printed glued to a number: `85%`, `2x`.
fn is_number_with_unit(s: &str) -> bool {
    number_and_unit(s).is_some_and(|(_, u)| matches!(u, "%" | "x"))
}

/// A size unit written as its own token after a number (`5.2 KB`).
pub fn is_size_unit(s: &str) -> bool {
    matches!(
        s,
        "B" | "KB" | "kB" | "MB" | "GB" | "TB" | "PB" | "KiB" | "MiB" | "GiB" | "TiB"
    )
}

/// `0x7f3a`, or bare hex of 6+ characters with both a digit and a letter (`33557fe4`).
pub fn is_hex(s: &str) -> bool {
    let b = s.as_bytes();
    let body = b.strip_prefix(b"0x").or_else(|| b.strip_prefix(b"0X"));
    match body {
        Some(h) => !h.is_empty() && h.iter().all(u8::is_ascii_hexdigit),
        None => {
            b.len() >= 6
                && b.iter().all(u8::is_ascii_hexdigit)
                && b.iter().any(u8::is_ascii_digit)
                && b.iter().any(u8::is_ascii_alphabetic)
        }
    }
}

/// A version: `v1.0.0`, `2.6.5-1.358`, `1.16ac`, `3.3.3-7`.
pub fn is_version(s: &str) -> bool {
    let b = s.strip_prefix(['v', 'V']).unwrap_or(s).as_bytes();
    let mut i = 0;
    let mut groups = 0;
    loop {
        let start = i;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        if i == start {
            return false;
        }
        groups += 1;
        if i + 1 < b.len() && b[i] == b'.' && b[i + 1].is_ascii_digit() {
            i += 1;
            continue;
        }
        break;
    }
    groups >= 2
        && b[i..]
            .iter()
            .all(|&x| x.is_ascii_alphanumeric() || matches!(x, b'-' | b'_' | b'.' | b'+' | b'~'))
}

/// Dotted-quad IPv4 address.
pub fn is_ipv4(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 7 || b.len() > 15 || !b[0].is_ascii_digit() {
        return false;
    }
    let (mut parts, mut value, mut len) = (0, 0u32, 0);
    for &x in b.iter().chain(std::iter::once(&b'.')) {
        match x {
            b'0'..=b'9' if len < 3 => {
                value = value * 10 + u32::from(x - b'0');
                len += 1;
            }
            b'.' if len > 0 && value <= 255 => {
                parts += 1;
                value = 0;
                len = 0;
            }
            _ => return false,
        }
    }
    parts == 4
}

/// IPv6 address (with `::` compression or all eight groups).
pub fn is_ipv6(s: &str) -> bool {
    let colons = s.bytes().filter(|&x| x == b':').count();
    colons >= 2
        && (s.contains("::") || colons == 7)
        && s.bytes()
            .all(|x| x.is_ascii_hexdigit() || x == b':' || x == b'.')
        && s.bytes().any(|x| x.is_ascii_hexdigit())
}

/// 8-4-4-4-12 hex UUID.
pub fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, &x)| {
            if matches!(i, 8 | 13 | 18 | 23) {
                x == b'-'
            } else {
                x.is_ascii_hexdigit()
            }
        })
}

/// MAC address: six hex pairs joined by `:` or `-`.
pub fn is_mac(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 17
        && b.iter().enumerate().all(|(i, &x)| {
            if i % 3 == 2 {
                x == b':' || x == b'-'
            } else {
                x.is_ascii_hexdigit()
            }
        })
}

/// A port number: 1 to 5 digits.
fn is_port(s: &str) -> bool {
    !s.is_empty() && s.len() <= 5 && s.bytes().all(|x| x.is_ascii_digit())
}

/// Source-file extensions: `Foo.java:123` is a file and a line, not a host and a port.
fn is_source_extension(ext: &str) -> bool {
    matches!(
        ext,
        "java"
            | "scala"
            | "kt"
            | "py"
            | "go"
            | "rs"
            | "c"
            | "cc"
            | "cpp"
            | "h"
            | "hpp"
            | "js"
            | "ts"
            | "rb"
            | "php"
            | "cs"
    )
}

/// A host name that is clearly one: labels of letters, digits and `-`, with a dot or a dash
/// (a bare word like `PendingReds` is not a host).
fn is_hostname(h: &str) -> bool {
    if is_ipv4(h) {
        return true;
    }
    if h.is_empty() || h.len() > 253 || !(h.contains('.') || h.contains('-')) {
        return false;
    }
    // A camelCase label (`state.clipTopAmount:0`) is a program's field, not a host.
    let labels_ok = h.split('.').all(|l| {
        !l.is_empty()
            && l.bytes().all(|x| x.is_ascii_alphanumeric() || x == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
            && !l
                .as_bytes()
                .windows(2)
                .any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase())
    });
    if !labels_ok {
        return false;
    }
    match h.rsplit_once('.') {
        Some((_, ext)) => !is_source_extension(ext),
        None => h.bytes().any(|x| x.is_ascii_digit()),
    }
}

/// An address with a port: `10.251.73.220:50010`, `/10.10.34.11:45307`,
/// `msra-sa-41:9000`, `msra-sa-41/10.190.173.170:8030` (Java's `InetSocketAddress.toString()`),
/// `[::1]:8080`.
pub fn is_host_port(s: &str) -> bool {
    let s = s.strip_prefix('/').unwrap_or(s);
    let Some((host, port)) = s.rsplit_once(':') else {
        return false;
    };
    if !is_port(port) {
        return false;
    }
    if let Some(inner) = host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        return is_ipv6(inner);
    }
    match host.split_once('/') {
        Some((name, ip)) => (name.is_empty() || is_hostname(name)) && is_ipv4(ip),
        None => is_hostname(host),
    }
}

/// An absolute or relative file path: `/var/www/html/`, `./conf`, `~/x`, `C:\Users\x`.
pub fn is_path(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 2 {
        return false;
    }
    if b[0] == b'/' {
        return b[1] != b'/';
    }
    if s.starts_with("./") || s.starts_with("../") || s.starts_with("~/") {
        return true;
    }
    b.len() > 2 && b[0].is_ascii_alphabetic() && b[1] == b':' && (b[2] == b'\\' || b[2] == b'/')
}

/// `scheme://…`: `hdfs://10.10.34.11:9000/pjhe/logs/2kSOSP.log:21876+7292`,
/// `akka.tcp://sparkExecutorActorSystem@mesos-slave-07:55904`.
pub fn is_url(s: &str) -> bool {
    let Some(p) = s.find("://") else {
        return false;
    };
    let scheme = &s[..p];
    p + 3 < s.len()
        && scheme
            .bytes()
            .next()
            .is_some_and(|x| x.is_ascii_alphabetic())
        && scheme
            .bytes()
            .all(|x| x.is_ascii_alphanumeric() || matches!(x, b'+' | b'.' | b'-'))
}

/// `user@example.com`.
pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.split_once('@') else {
        return false;
    };
    !local.is_empty()
        && local
            .bytes()
            .all(|x| x.is_ascii_alphanumeric() || matches!(x, b'.' | b'_' | b'%' | b'+' | b'-'))
        && domain.contains('.')
        && domain
            .split('.')
            .all(|l| !l.is_empty() && l.bytes().all(|x| x.is_ascii_alphanumeric() || x == b'-'))
        && domain
            .rsplit('.')
            .next()
            .is_some_and(|tld| tld.len() >= 2 && tld.bytes().all(|x| x.is_ascii_alphabetic()))
}

/// `07:07:00`, `9:04`, `17:41:44,747`, `15:00:02.123456`.
pub fn is_time_of_day(s: &str) -> bool {
    let b = s.as_bytes();
    let hour = b.iter().take_while(|x| x.is_ascii_digit()).count();
    if !(1..=2).contains(&hour) {
        return false;
    }
    let rest = &b[hour..];
    let two =
        |r: &[u8]| r.len() >= 3 && r[0] == b':' && r[1].is_ascii_digit() && r[2].is_ascii_digit();
    if !two(rest) {
        return false;
    }
    let rest = &rest[3..];
    if rest.is_empty() {
        return true;
    }
    if !two(rest) {
        return false;
    }
    let rest = &rest[3..];
    rest.is_empty()
        || (rest.len() >= 2
            && matches!(rest[0], b'.' | b',')
            && rest[1..].iter().all(u8::is_ascii_digit))
}

/// A calendar date: `2015-07-29`, `2024/01/21`, `21/01/2024`, `21.01.2024`, `01-21-24`.
pub fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 6 || b.len() > 10 {
        return false;
    }
    let mut groups = [0usize; 3];
    let mut g = 0;
    let mut sep = 0u8;
    for &x in b {
        if x.is_ascii_digit() {
            groups[g] += 1;
        } else if matches!(x, b'-' | b'/' | b'.')
            && g < 2
            && groups[g] > 0
            && (sep == 0 || sep == x)
        {
            sep = x;
            g += 1;
        } else {
            return false;
        }
    }
    if g != 2 || groups[2] == 0 {
        return false;
    }
    matches!(groups, [4, 1..=2, 1..=2] | [1..=2, 1..=2, 2 | 4])
}

/// An ISO 8601 timestamp in one token: `2015-07-29T17:41:44.747Z`, `2024-01-21T15:00:02+01:00`.
pub fn is_timestamp(s: &str) -> bool {
    if s.len() < 16 || !s.as_bytes()[0].is_ascii_digit() {
        return false;
    }
    let Some(t) = s.find(['T', 't']) else {
        return false;
    };
    if !is_date(&s[..t]) {
        return false;
    }
    let time = &s[t + 1..];
    let end = time
        .bytes()
        .position(|x| matches!(x, b'Z' | b'z' | b'+') || (x == b'-'))
        .unwrap_or(time.len());
    is_time_of_day(&time[..end])
}

fn is_month(s: &str) -> bool {
    let mut buf = [0u8; 9];
    let b = s.as_bytes();
    if b.len() < 3 || b.len() > buf.len() {
        return false;
    }
    buf[..b.len()].copy_from_slice(b);
    buf[..b.len()].make_ascii_lowercase();
    matches!(
        &buf[..b.len()],
        b"jan"
            | b"feb"
            | b"mar"
            | b"apr"
            | b"may"
            | b"jun"
            | b"jul"
            | b"aug"
            | b"sep"
            | b"sept"
            | b"oct"
            | b"nov"
            | b"dec"
            | b"january"
            | b"february"
            | b"march"
            | b"april"
            | b"june"
            | b"july"
            | b"august"
            | b"september"
            | b"october"
            | b"november"
            | b"december"
    )
}

fn is_weekday(s: &str) -> bool {
    let mut buf = [0u8; 9];
    let b = s.as_bytes();
    if b.len() < 3 || b.len() > buf.len() {
        return false;
    }
    buf[..b.len()].copy_from_slice(b);
    buf[..b.len()].make_ascii_lowercase();
    matches!(
        &buf[..b.len()],
        b"mon"
            | b"tue"
            | b"wed"
            | b"thu"
            | b"fri"
            | b"sat"
            | b"sun"
            | b"monday"
            | b"tuesday"
            | b"wednesday"
            | b"thursday"
            | b"friday"
            | b"saturday"
            | b"sunday"
    )
}

fn strip_date_punct(s: &str) -> &str {
    let s = &s[leading(s, |b| matches!(b, b'(' | b'['))..];
    &s[..s.len() - trailing(s, |b| matches!(b, b',' | b')' | b']' | b'.' | b';'))]
}

/// A token that may sit before the time in a date written over several tokens.
fn is_date_part(t: &str) -> bool {
    let s = strip_date_punct(t);
    is_month(s)
        || is_weekday(s)
        || is_date(s)
        || (matches!(s.len(), 1 | 2 | 4) && s.bytes().all(|x| x.is_ascii_digit()))
}

/// A token that may follow the time: a year, a zone, AM/PM.
fn is_date_tail(t: &str) -> bool {
    let s = strip_date_punct(t);
    let b = s.as_bytes();
    (b.len() == 4 && b.iter().all(u8::is_ascii_digit))
        || matches!(s, "UTC" | "GMT" | "Z" | "AM" | "PM" | "am" | "pm")
        || ((3..=5).contains(&b.len())
            && b.iter().all(u8::is_ascii_uppercase)
            && b.last() == Some(&b'T'))
        || (b.len() >= 5
            && matches!(b[0], b'+' | b'-')
            && b[1..].iter().all(|x| x.is_ascii_digit() || *x == b':'))
}

/// A date written over several tokens (`Fri Jun 17 07:07:00 2005`, `2015-07-29 17:41:44,747`,
/// `Sat May 8 09:04:50 EDT 2004`): returns the end of the run starting at `k`.
fn datetime_run<'a>(tok: &impl Fn(usize) -> &'a str, k: usize, n: usize) -> Option<usize> {
    if !is_date_part(tok(k)) {
        return None;
    }
    let mut j = k;
    let mut named = false;
    while j < n && j < k + 5 && is_date_part(tok(j)) {
        let s = strip_date_punct(tok(j));
        named |= is_month(s) || is_date(s);
        j += 1;
    }
    if !named || j >= n || !is_time_of_day(strip_date_punct(tok(j))) {
        return None;
    }
    j += 1;
    while j < n && is_date_tail(tok(j)) {
        j += 1;
    }
    Some(j)
}

/// Where a quoted value opens in a token: right after `=`/`:` (`msg="connection`), when the
/// same token does not close it.
pub fn is_quoted_open(t: &str) -> Option<u8> {
    let b = t.as_bytes();
    let at = b.iter().position(|&x| x == b'"' || x == b'\'')?;
    // Only a value's quotes: a free-standing quoted phrase (`"GET /x HTTP/1.1"`) is tokenised
    // word by word, so that its words can still tell templates apart.
    if at == 0 || !matches!(b[at - 1], b'=' | b':') {
        return None;
    }
    let q = b[at];
    let rest = &t[at + 1..];
    if closes_quote(rest, q) {
        return None;
    }
    Some(q)
}

/// Whether `t` ends a quoted value opened with `q` (trailing punctuation allowed after it).
fn closes_quote(t: &str, q: u8) -> bool {
    let cut = t.len()
        - trailing(t, |b| {
            matches!(b, b',' | b';' | b'.' | b')' | b']' | b'}' | b':')
        });
    t.as_bytes().get(..cut).and_then(|s| s.last()) == Some(&q)
}

/// A quoted value spread over several tokens (`msg="connection refused by peer"`): one
/// position, so that values of different lengths do not shift the rest of the message.
fn quoted_run<'a>(tok: &impl Fn(usize) -> &'a str, k: usize, n: usize) -> Option<usize> {
    let q = is_quoted_open(tok(k))?;
    (k + 1..n.min(k + MAX_QUOTED_TOKENS))
        .find(|&j| closes_quote(tok(j), q))
        .map(|j| j + 1)
}

fn longest_digit_run(b: &[u8]) -> usize {
    let (mut best, mut cur) = (0, 0);
    for &x in b {
        if x.is_ascii_digit() {
            cur += 1;
            best = best.max(cur);
        } else {
            cur = 0;
        }
    }
    best
}

fn is_mostly_digits(b: &[u8]) -> bool {
    b.iter().filter(|x| x.is_ascii_digit()).count() * 2 > b.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shown(msg: &str) -> String {
        let mut m = Masked::new();
        mask_message(msg, &mut m);
        m.display()
    }

    fn same_key(a: &str, b: &str) -> bool {
        let (mut x, mut y) = (Masked::new(), Masked::new());
        mask_message(a, &mut x);
        mask_message(b, &mut y);
        x.key == y.key
    }

    // Each predicate, then two lines that differ only in that kind of variable.

    #[test]
    fn number_valid_forms() {
        for s in ["42", "-1", "0.023958297", "1.5e-3", "+7", ".5"] {
            assert!(is_number(s), "{s}");
        }
        for s in ["", "-", "1e", "1.", "abc", "12a"] {
            assert!(!is_number(s), "{s}");
        }
        // Spark Executor.scala: logInfo(s"Running $taskName (TID $taskId)").
        assert!(same_key(
            "Running task 0.0 in stage 0.0 (TID 0)",
            "Running task 14.0 in stage 3.0 (TID 47)"
        ));
    }

    #[test]
    fn hex_valid_prefixed_and_bare() {
        assert!(is_hex("0x14ed93111f20005"));
        assert!(is_hex("33557fe4"));
        assert!(!is_hex("added"));
        assert!(!is_hex("0x"));
        assert!(!is_hex("12ab"));
        // ZooKeeper NIOServerCnxn: "Closed socket connection for client " + addr + " which had sessionid 0x" + hex.
        assert!(same_key(
            "Closed socket connection for client /10.10.34.18:42772 which had sessionid 0x14ed93111f20005",
            "Closed socket connection for client /10.10.34.13:37106 which had sessionid 0x24ed93119420016"
        ));
    }

    #[test]
    fn ipv4_with_port_valid_one_variable() {
        assert!(is_ipv4("10.251.73.220"));
        assert!(!is_ipv4("10.251.73"));
        assert!(!is_ipv4("300.1.1.1"));
        assert!(is_host_port("10.251.73.220:50010"));
        assert!(is_host_port("/10.10.34.11:45307"));
        assert!(is_host_port("msra-sa-41:9000"));
        assert!(is_host_port("msra-sa-41/10.190.173.170:8030"));
        assert!(is_host_port("[::1]:8080"));
        assert!(!is_host_port("PendingReds:1"));
        assert!(!is_host_port("Foo.java:123"));
        // ZooKeeper NIOServerCnxnFactory: "Accepted socket connection from " + getRemoteSocketAddress().
        assert_eq!(
            shown("Accepted socket connection from /10.10.34.13:37196"),
            "Accepted socket connection from <*>"
        );
        assert!(same_key(
            "Accepted socket connection from /10.10.34.13:37196",
            "Accepted socket connection from /192.168.0.7:5"
        ));
    }

    #[test]
    fn ipv6_valid_compressed_and_full() {
        assert!(is_ipv6("fe80::1"));
        assert!(is_ipv6("2001:db8:0:0:0:0:2:1"));
        assert!(!is_ipv6("a:b"));
        assert!(same_key(
            "connect from fe80::1ff:fe23:4567:890a",
            "connect from 2001:db8::2:1"
        ));
    }

    #[test]
    fn uuid_valid_and_grouped() {
        assert!(is_uuid("b9000564-fe1a-409b-b8cc-1e88b294cd1d"));
        assert!(!is_uuid("b9000564-fe1a-409b-b8cc-1e88b294cd1"));
        assert!(same_key(
            "[instance: b9000564-fe1a-409b-b8cc-1e88b294cd1d] Terminating instance",
            "[instance: 0a1b2c3d-0000-4000-8000-123456789abc] Terminating instance"
        ));
    }

    #[test]
    fn path_valid_unix_relative_windows() {
        for s in [
            "/var/www/html/",
            "/etc/httpd/conf/workers2.properties",
            "./conf",
            "~/x",
            "C:\\Users\\x",
        ] {
            assert!(is_path(s), "{s}");
        }
        for s in ["/", "//cdn", "n/a", "PS/2"] {
            assert!(!is_path(s), "{s}");
        }
        // Apache httpd 2.0 autoindex: "Directory index forbidden by rule: %s".
        assert!(same_key(
            "[client 222.166.160.184] Directory index forbidden by rule: /var/www/html/",
            "[client 63.13.186.196] Directory index forbidden by rule: /srv/www/"
        ));
    }

    #[test]
    fn url_valid_with_scheme() {
        assert!(is_url(
            "hdfs://10.10.34.11:9000/pjhe/logs/2kSOSP.log:21876+7292"
        ));
        assert!(is_url(
            "akka.tcp://sparkExecutorActorSystem@mesos-slave-07:55904"
        ));
        assert!(!is_url("://x"));
        assert!(!is_url("http://"));
        assert!(same_key(
            "Connecting to driver: spark://CoarseGrainedScheduler@10.10.34.11:48069",
            "Connecting to driver: spark://CoarseGrainedScheduler@10.10.34.12:40001"
        ));
    }

    #[test]
    fn email_valid_and_grouped() {
        assert!(is_email("alice@example.com"));
        assert!(!is_email("QuorumPeer$QuorumServer@33557fe4"));
        assert!(!is_email("a@b"));
        assert!(same_key(
            "password reset sent to alice@example.com",
            "password reset sent to bob.s@mail.example.org"
        ));
    }

    #[test]
    fn duration_valid_glued_units() {
        assert!(is_duration("10000ms"));
        assert!(is_duration("1.5s"));
        assert!(!is_duration("ms"));
        assert!(!is_duration("10"));
        // ZooKeeper SessionTrackerImpl: "Expiring session 0x" + hex + ", timeout of " + timeout + "ms exceeded".
        assert!(same_key(
            "Expiring session 0x24ede63a01b003b, timeout of 10000ms exceeded",
            "Expiring session 0x34ede65503f0036, timeout of 40000ms exceeded"
        ));
    }

    #[test]
    fn size_valid_glued_and_separate_units() {
        assert!(is_size("126MB"));
        assert!(is_size("16K"));
        assert!(is_size("0k"));
        assert!(!is_size("12 MB"));
        assert!(is_size_unit("KB"));
        // Spark MemoryStore: "Block %s stored as bytes in memory (estimated size %s, free %s)"
        // with Utils.bytesToString sizes ("5.2 KB", "93.0 B").
        let a = "Block broadcast_9_piece0 stored as bytes in memory (estimated size 5.2 KB, free 5.2 KB)";
        let b = "Block broadcast_0_piece0 stored as bytes in memory (estimated size 93.0 B, free 317.1 KB)";
        assert!(same_key(a, b));
        assert_eq!(
            shown(a),
            "Block <*> stored as bytes in memory (estimated size <*>, free <*>)"
        );
    }

    #[test]
    fn version_valid_forms() {
        for s in ["v1.0.0", "2.6.5-1.358", "1.16ac", "3.3.3-7", "1.4.1"] {
            assert!(is_version(s), "{s}");
        }
        for s in ["1", "v", "1.", "ssh2"] {
            assert!(!is_version(s), "{s}");
        }
        assert!(same_key(
            "klogd 1.4.1, log source = /proc/kmsg started.",
            "klogd 1.5.0, log source = /proc/kmsg started."
        ));
    }

    #[test]
    fn time_and_date_valid_forms() {
        assert!(is_time_of_day("07:07:00"));
        assert!(is_time_of_day("17:41:44,747"));
        assert!(is_time_of_day("9:04"));
        assert!(!is_time_of_day("123:00"));
        assert!(is_date("2015-07-29"));
        assert!(is_date("21/01/2024"));
        assert!(!is_date("2015-07"));
        assert!(is_timestamp("2015-07-29T17:41:44.747Z"));
        assert!(is_timestamp("2024-01-21T15:00:02+01:00"));
    }

    #[test]
    fn datetime_over_tokens_valid_one_variable() {
        // vsftpd/ftpd via syslog: "connection from %s (%s) at %s" with ctime().
        let a = "connection from 24.54.76.216 (24-54-76-216.bflony.adelphia.net) at Fri Jun 17 07:07:00 2005";
        assert_eq!(shown(a), "connection from <*> (<*>) at <*>");
        assert!(same_key(
            a,
            "connection from 82.68.222.195 (82-68-222-195.dsl.in-addr.zen.co.uk) at Sun Jul 3 23:16:09 2005"
        ));
        assert_eq!(
            shown("started at 2015-07-29 17:41:44,747 by cron"),
            "started at <*> by cron"
        );
        // A lone day number is not a date.
        assert_eq!(shown("retry 3 07:07:00"), "retry <*> <*>");
    }

    #[test]
    fn quoted_value_valid_one_position() {
        assert_eq!(is_quoted_open("\"GET"), None);
        assert_eq!(is_quoted_open("msg=\"connection"), Some(b'"'));
        assert_eq!(is_quoted_open("'hlt'"), None);
        assert_eq!(is_quoted_open("Can't"), None);
        // nginx ngx_http_log_error_handler: ", client: %V, server: %V, request: \"%V\"".
        let a = "upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.0.0.1, server: shop, request: \"GET /api/v1/cart HTTP/1.1\", host: \"shop\"";
        let b = "upstream timed out (110: Connection timed out) while reading response header from upstream, client: 10.0.0.9, server: shop, request: \"GET /api/v1/cart/items?id=3 HTTP/1.1\", host: \"shop\"";
        assert!(same_key(a, b));
        let positions = |msg: &str| {
            let mut m = Masked::new();
            mask_message(msg, &mut m);
            m.key.matches(SEP).count() + 1
        };
        assert_eq!(positions(a), 23);
        // containerd/logrus `time=… level=… msg="…"`: a quoted value of any length is one
        // position.
        assert_eq!(
            positions(
                "level=error msg=\"dial tcp 10.0.0.5:5432: connect: connection refused\" component=db"
            ),
            positions("level=error msg=\"i/o timeout\" component=db")
        );
    }

    #[test]
    fn bool_and_null_valid_are_variables() {
        assert!(is_bool_or_null("true"));
        assert!(!is_bool_or_null("none"));
        assert!(same_key(
            "OutputCommitter set in config null",
            "OutputCommitter set in config true"
        ));
    }

    #[test]
    fn key_value_valid_keeps_key() {
        // Linux-PAM pam_unix: "authentication failure; logname=%s uid=%d euid=%d tty=%s ruser=%s rhost=%s  user=%s".
        assert_eq!(
            shown(
                "authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=112.95.230.3  user=root"
            ),
            "authentication failure; logname= uid=<*> euid=<*> tty=ssh ruser= rhost=<*> user=root"
        );
        assert_eq!(
            shown("setTodayTotalDetailSteps=1514038440000##7007##548365"),
            "setTodayTotalDetailSteps=<*>"
        );
        assert_eq!(
            shown("new date =20171223, type=40002,7163.0,old=6983.0"),
            "new date =<*>, type=<*>,<*>,old=<*>"
        );
    }

    #[test]
    fn glued_numbers_valid_masked_beside_text() {
        assert_eq!(shown("Initializing CPU#0"), "Initializing CPU#<*>");
        assert_eq!(shown("*** info [mice.c(1766)]:"), "*** info [mice.c(<*>)]:");
        assert_eq!(
            // `imps2` is a weak variable: shown `<*>` in the key, kept as text by templates.
            shown("imps2: Auto-detected intellimouse PS/2"),
            "<*>: Auto-detected intellimouse PS/<*>"
        );
        assert_eq!(
            shown("Thread Thread[eventHandlingThread,5,main] threw an Exception."),
            "Thread Thread[eventHandlingThread,<*>,main] threw an Exception."
        );
    }

    #[test]
    fn identifiers_valid_strong_and_weak() {
        assert_eq!(classify_atom("blk_-1608999687919862906"), AtomKind::Strong);
        assert_eq!(
            classify_atom("attempt_1445144423722_0020_m_000000_0"),
            AtomKind::Strong
        );
        assert_eq!(classify_atom("job_1445144423722_0020Job"), AtomKind::Strong);
        assert_eq!(classify_atom("dquot_6.5.1"), AtomKind::Strong);
        assert_eq!(classify_atom("ssh2"), AtomKind::Weak);
        assert_eq!(classify_atom("rdd_2_1"), AtomKind::Weak);
        assert_eq!(classify_atom("Slf4jLogger"), AtomKind::Weak);
        assert_eq!(classify_atom("preauth"), AtomKind::Literal);
        let mut m = Masked::new();
        mask_message(
            "Failed password for root from 112.95.230.3 port 45378 ssh2",
            &mut m,
        );
        assert_eq!(m.weak_values().collect::<Vec<_>>(), vec!["ssh2"]);
    }

    #[test]
    fn whitespace_runs_valid_collapse() {
        assert_eq!(
            shown("  We launched 1 speculations.  Sleeping 15000 milliseconds."),
            "We launched <*> speculations. Sleeping <*> milliseconds."
        );
        assert_eq!(shown(""), "");
    }

    #[test]
    fn leaders_and_numeric_suffixes_valid_masked_alone() {
        // IBM Blue Gene/L RAS (AIX-style dot leaders) and "generating core.%d".
        assert_eq!(
            shown("machine check: i-fetch......................0"),
            "machine check: i-fetch......................<*>"
        );
        assert_eq!(shown("generating core.2275"), "generating core.<*>");
        assert_eq!(
            shown("Enabling fast FPU save and restore... done."),
            "Enabling fast FPU save and restore... done."
        );
        assert!(!is_host_port("state.clipTopAmount:0"));
    }

    #[test]
    fn kernel_frames_and_tags_valid_keep_their_words() {
        // Linux lib/dump_stack.c via printk's %pS: "symbol+0xoff/0xsize".
        assert_eq!(shown("dump_stack_lvl+0x4a/0x63"), "dump_stack_lvl+<*>/<*>");
        assert_eq!(shown("</TASK>"), "</TASK>");
        assert_eq!(
            shown("cni0: port 11(veth7635210a) entered blocking state"),
            "<*>: port <*>(<*>) entered blocking state"
        );
    }

    #[test]
    fn colon_glued_address_valid_kept_whole() {
        // Hadoop DataXceiver: datanode + ":Got exception while serving " + block + " to " + remote + ":".
        assert_eq!(
            shown(
                "10.251.30.85:50010:Got exception while serving blk_-2918118818249673980 to /10.251.90.64:"
            ),
            "<*>:Got exception while serving <*> to <*>:"
        );
        assert_eq!(
            shown("Started HttpServer2$SelectChannelConnectorWithSafeStartup@0.0.0.0:62267"),
            "Started <*>$SelectChannelConnectorWithSafeStartup@<*>"
        );
        assert_eq!(
            shown("Error:KeeperErrorCode sessionid:0x34ed93485090001"),
            "Error:KeeperErrorCode sessionid:<*>"
        );
    }

    /// Throughput of the mining step (mask + count) on one thread, over the lines of
    /// `$CULPRIT_SPEED_FILE` or a synthetic mix:
    /// `cargo test --release --lib mining_speed -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn mining_speed_valid_report() {
        use crate::templates::table::{KeyTable, Limits, Observation};
        use std::sync::Arc;
        let lines: Vec<String> = match std::env::var("CULPRIT_SPEED_FILE") {
            Ok(p) => std::fs::read_to_string(p)
                .unwrap()
                .lines()
                .map(str::to_string)
                .collect(),
            Err(_) => (0..200_000u64)
                .map(|i| match i % 4 {
                    0 => format!(
                        "Failed password for root from 10.0.{}.{} port {} ssh2",
                        i % 250,
                        i % 200,
                        30000 + i % 9999
                    ),
                    1 => format!(
                        "Receiving block blk_{} src: /10.251.{}.7:{} dest: /10.251.1.2:50010",
                        i * 7919,
                        i % 250,
                        40000 + i % 999
                    ),
                    2 => format!(
                        "Running task {}.0 in stage {}.0 (TID {})",
                        i % 200,
                        i % 31,
                        i
                    ),
                    _ => format!(
                        "pam_unix(sshd:session): session opened for user news by (uid={})",
                        i % 1000
                    ),
                })
                .collect(),
        };
        let mut m = Masked::new();
        let t = std::time::Instant::now();
        for l in &lines {
            mask_message(l, &mut m);
        }
        let mask_s = t.elapsed().as_secs_f64();
        let src: Arc<str> = Arc::from("speed");
        let mut table = KeyTable::new(Limits::default());
        let t = std::time::Instant::now();
        for (i, l) in lines.iter().enumerate() {
            mask_message(l, &mut m);
            let obs = Observation {
                time: 0,
                service: &src,
                source: &src,
                line: i as u64 + 1,
                text: l,
            };
            table.add(&m, &obs);
        }
        let count_s = t.elapsed().as_secs_f64();
        let n = lines.len() as f64;
        println!(
            "{} lines: mask {:.0} lines/s; mask+count {:.0} lines/s; {} keys",
            lines.len(),
            n / mask_s,
            n / count_s,
            table.len()
        );
    }

    #[test]
    fn hostile_input_invalid_never_panics_and_stays_bounded() {
        let long = "x".repeat(10_000);
        assert_eq!(shown(&long), "<*>");
        assert_eq!(shown(&format!("key={}", "y".repeat(300))), "key=<*>");
        let colons = "a:".repeat(3000);
        assert!(shown(&colons[..4000]).starts_with("a:a:"));
        let many = "a ".repeat(1000);
        let mut m = Masked::new();
        mask_message(&many, &mut m);
        assert_eq!(m.key.matches(SEP).count() + 1, MAX_POSITIONS);
        for s in [
            "\u{1}\u{2}\u{1f}",
            "\"",
            "'",
            "=",
            "==",
            "((((",
            "é=ü:ß",
            "\"a b",
            "0x",
            "::",
            "-.-",
            "\u{1f} a",
            "Jan 1 1:00",
        ] {
            let mut m = Masked::new();
            mask_message(s, &mut m);
            assert!(!m.key.is_empty());
        }
        let mut m = Masked::new();
        mask_message("a\u{1}b", &mut m);
        assert_eq!(m.key, "a?b");
    }
}
