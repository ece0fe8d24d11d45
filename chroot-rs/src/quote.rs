//! Operands in messages quoted as GNU chroot quotes them (gnulib quotearg), so no raw
//! control byte ever reaches the terminal:
//! - NEWROOT with `quoteaf()`, the shell-escape-always style: `'/a b'`, a quote as `'\''`,
//!   unprintable bytes in a `$'...'` segment: `'/no'$'\377''x'`;
//! - COMMAND with `quote()`, the locale style: `'a\'b'` with C escapes (`\n`, `\033`) in the
//!   C locale, `‘a'b’` in a UTF-8 locale.
//!
//! Printable means ASCII 0x20..0x7e in the C locale; in a UTF-8 locale (`LC_ALL`, else
//! `LC_CTYPE`, else `LANG` names UTF-8) also any valid non-control character.

/// Whether the environment selects a UTF-8 locale, as setlocale(LC_ALL, "") would.
pub fn utf8_locale() -> bool {
    ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .filter_map(std::env::var_os)
        .find(|v| !v.is_empty())
        .is_some_and(|v| {
            let v = v.to_string_lossy().to_ascii_lowercase();
            v.contains("utf-8") || v.contains("utf8")
        })
}

/// A piece of the text: a printable character, or one byte that is not.
enum Unit<'a> {
    Print(&'a str),
    Byte(u8),
}

fn units(bytes: &[u8], utf8: bool) -> Vec<Unit<'_>> {
    let mut out = Vec::new();
    for chunk in bytes.utf8_chunks() {
        let valid = chunk.valid();
        for (at, c) in valid.char_indices() {
            let text = &valid[at..at + c.len_utf8()];
            let printable = if c.is_ascii() {
                (' '..='~').contains(&c)
            } else {
                utf8 && !c.is_control()
            };
            if printable {
                out.push(Unit::Print(text));
            } else {
                out.extend(text.bytes().map(Unit::Byte));
            }
        }
        out.extend(chunk.invalid().iter().map(|&b| Unit::Byte(b)));
    }
    out
}

/// C escape of one unprintable byte: `\n`, `\t`, ... or three octal digits.
fn escape(byte: u8) -> String {
    match byte {
        0x07 => "\\a".into(),
        0x08 => "\\b".into(),
        0x0c => "\\f".into(),
        b'\n' => "\\n".into(),
        b'\r' => "\\r".into(),
        b'\t' => "\\t".into(),
        0x0b => "\\v".into(),
        b => format!("\\{b:03o}"),
    }
}

/// gnulib `quote()`: the locale quoting style.
pub fn quote(bytes: &[u8], utf8: bool) -> String {
    let (open, close) = if utf8 {
        ("\u{2018}", "\u{2019}")
    } else {
        ("'", "'")
    };
    let mut out = String::from(open);
    for unit in units(bytes, utf8) {
        match unit {
            Unit::Print("\\") => out.push_str("\\\\"),
            Unit::Print("'") if !utf8 => out.push_str("\\'"),
            Unit::Print(text) => out.push_str(text),
            Unit::Byte(b) => out.push_str(&escape(b)),
        }
    }
    out.push_str(close);
    out
}

/// Whether gnulib counts `unit`, at byte offset `at` of an argument `len` bytes long, as
/// meaning the same inside C and shell double quotes (`c_and_shell_quote_compat`).
fn compat(unit: &Unit, at: usize, len: usize) -> bool {
    match unit {
        Unit::Byte(_) => false,
        Unit::Print(text) => match text.as_bytes() {
            [b'{' | b'}'] => len == 1,
            [b'#' | b'~'] => at == 0,
            [c] => c.is_ascii_alphanumeric() || b" '%+,-./:]_@".contains(c),
            _ => true,
        },
    }
}

/// gnulib `quoteaf()`: the shell-escape-always quoting style. An argument with an
/// apostrophe and nothing else special is double-quoted instead: `"it's"`.
pub fn quoteaf(bytes: &[u8], utf8: bool) -> String {
    let units = units(bytes, utf8);
    let mut at = 0;
    let mut all_compat = true;
    for unit in &units {
        all_compat &= compat(unit, at, bytes.len());
        at += match unit {
            Unit::Print(text) => text.len(),
            Unit::Byte(_) => 1,
        };
    }
    if all_compat && units.iter().any(|u| matches!(u, Unit::Print("'"))) {
        return format!("\"{}\"", String::from_utf8_lossy(bytes));
    }
    let mut out = String::from("'");
    let mut in_dollar = false;
    for unit in units {
        match unit {
            Unit::Print("'") => {
                out.push_str("'\\''");
                in_dollar = false;
            }
            Unit::Print(text) => {
                if in_dollar {
                    out.push_str("''");
                    in_dollar = false;
                }
                out.push_str(text);
            }
            Unit::Byte(b) => {
                if !in_dollar {
                    out.push_str("'$'");
                    in_dollar = true;
                }
                out.push_str(&escape(b));
            }
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    // Expected strings are GNU chroot 9.1's output under LC_ALL=C and LC_ALL=C.UTF-8.
    #[test]
    fn quoteaf_like_gnu() {
        assert_eq!(quoteaf(b"/nonexist", false), "'/nonexist'");
        assert_eq!(quoteaf(b"", false), "''");
        assert_eq!(
            quoteaf(b"/no\xffx\ny\tz'q\"\\", false),
            "'/no'$'\\377''x'$'\\n''y'$'\\t''z'\\''q\"\\'"
        );
        assert_eq!(quoteaf(b"/a\n'", false), "'/a'$'\\n'\\'''");
        assert_eq!(
            quoteaf("/nonexist-é".as_bytes(), false),
            "'/nonexist-'$'\\303\\251'"
        );
        assert_eq!(quoteaf(b"/it's @x", false), "\"/it's @x\"");
        assert_eq!(quoteaf(b"#it's", false), "\"#it's\"");
        assert_eq!(quoteaf(b"~'a", false), "\"~'a\"");
        assert_eq!(quoteaf(b"a#it's", false), "'a#it'\\''s'");
        assert_eq!(quoteaf(b"a~'", false), "'a~'\\'''");
        assert_eq!(quoteaf(b"it's$", false), "'it'\\''s$'");
        assert_eq!(quoteaf(b"{'", false), "'{'\\'''");
        assert_eq!(quoteaf(b"{", false), "'{'");
        assert_eq!(quoteaf(b"'", false), "\"'\"");
        assert_eq!(
            quoteaf("café'".as_bytes(), false),
            "'caf'$'\\303\\251'\\'''"
        );
        assert_eq!(quoteaf("café'".as_bytes(), true), "\"café'\"");
        assert_eq!(quoteaf("/nonexist-é".as_bytes(), true), "'/nonexist-é'");
        assert_eq!(
            quoteaf(b"/\xc3\xa9\xff\n'", true),
            "'/\u{e9}'$'\\377\\n'\\'''"
        );
    }

    #[test]
    fn quote_like_gnu() {
        assert_eq!(quote(b"nonexist-cmd", false), "'nonexist-cmd'");
        assert_eq!(quote(b"no\xffx\ny\x1b", false), "'no\\377x\\ny\\033'");
        assert_eq!(
            quote(b"a'b\\c\x07\x08\x0c\r\x0b\x7f\"d", false),
            "'a\\'b\\\\c\\a\\b\\f\\r\\v\\177\"d'"
        );
        assert_eq!(
            quote(b"\xc3\xa9'b\xff\n", true),
            "\u{2018}\u{e9}'b\\377\\n\u{2019}"
        );
    }
}

#[cfg(test)]
mod properties {
    use super::*;

    /// Deterministic pseudo-random byte strings (xorshift), biased towards the bytes that
    /// matter to the quoting rules.
    fn inputs() -> impl Iterator<Item = Vec<u8>> {
        const ALPHABET: &[u8] = b"a/ '\"\\$#~{}?@\n\t\x1b\x7f\x00\xc3\xa9\xff\xe2\x80\x98";
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        (0..5000).map(move |_| {
            let mut next = || {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state
            };
            let len = (next() % 12) as usize;
            (0..len)
                .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
                .collect()
        })
    }

    #[test]
    fn no_control_byte_ever_reaches_the_terminal() {
        for input in inputs() {
            for utf8 in [false, true] {
                for text in [quote(&input, utf8), quoteaf(&input, utf8)] {
                    assert!(!text.chars().any(char::is_control), "{input:?} -> {text:?}");
                }
            }
        }
    }
}
