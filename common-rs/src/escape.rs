//! Bytes from the mount table made safe to print.
//!
//! Mount points and sources are arbitrary bytes. Nothing we print may carry a raw control
//! byte to the terminal (research/security.md §1.7): control bytes, DEL and bytes that are
//! not UTF-8 are printed as `\xNN`.

/// `bytes` with control bytes, DEL and invalid UTF-8 written as `\xNN`.
pub fn control(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            if c.is_ascii_control() {
                out.push_str(&format!("\\x{:02x}", u32::from(c)));
            } else {
                out.push(c);
            }
        }
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02x}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_bytes_and_invalid_utf8() {
        assert_eq!(control(b"/mnt/a b"), "/mnt/a b");
        assert_eq!(
            control(b"a\nb\tc\x1b[31m\x7f"),
            "a\\x0ab\\x09c\\x1b[31m\\x7f"
        );
        assert_eq!(control("caf\u{e9}".as_bytes()), "caf\u{e9}");
        assert_eq!(control(b"\xff\xfe/x"), "\\xff\\xfe/x");
    }
}

/// How libsmartcols shows a cell in list and tree mode (`mbs_safe_encode`): printable
/// characters as they are (under a UTF-8 locale, valid printable UTF-8 too), everything
/// else byte by byte as `\xNN`, and a backslash as `\x5c` when an `x` follows it, so the
/// output stays unambiguous. Returns the text and its width in terminal cells.
pub fn safe(bytes: &[u8], utf8: bool, out: &mut Vec<u8>) -> usize {
    if plain(bytes) {
        out.extend_from_slice(bytes);
        return bytes.len();
    }
    // The printable-ASCII prefix without backslashes goes through as it is.
    let plain = bytes
        .iter()
        .position(|&b| !(0x20..0x7f).contains(&b) || b == b'\\')
        .unwrap_or(bytes.len());
    out.extend_from_slice(&bytes[..plain]);
    let mut width = plain;
    let mut i = plain;
    while i < bytes.len() {
        let b = bytes[i];
        if b < 0x80 {
            if b == b'\\' && bytes.get(i + 1) == Some(&b'x') {
                hex(b, out);
                width += 4;
            } else if (0x20..0x7f).contains(&b) {
                out.push(b);
                width += 1;
            } else {
                hex(b, out);
                width += 4;
            }
            i += 1;
            continue;
        }
        match utf8.then(|| decode(&bytes[i..])).flatten() {
            Some((c, len)) if printable(c) => {
                out.extend_from_slice(&bytes[i..i + len]);
                width += char_width(c);
                i += len;
            }
            Some((_, len)) => {
                for &b in &bytes[i..i + len] {
                    hex(b, out);
                    width += 4;
                }
                i += len;
            }
            None => {
                hex(b, out);
                width += 4;
                i += 1;
            }
        }
    }
    width
}

/// The width [`safe`] gives `bytes`, without writing them anywhere (the measuring pass
/// of a table: most cells are printable ASCII, whose width is their length).
pub fn safe_width(bytes: &[u8], utf8: bool) -> usize {
    if plain(bytes) {
        return bytes.len();
    }
    safe(bytes, utf8, &mut Vec::with_capacity(bytes.len() * 4))
}

/// Only printable ASCII and no backslash: [`safe`] shows it as it is. A fold rather than
/// an early exit, so that it vectorizes (most cells of a table are such text).
fn plain(bytes: &[u8]) -> bool {
    bytes.iter().fold(true, |ok, &b| {
        ok & ((0x20..0x7f).contains(&b) & (b != b'\\'))
    })
}

/// The longest prefix of `text` (valid UTF-8 in a UTF-8 locale, else ASCII) that fits in
/// `width` cells (util-linux `mbs_truncate`): its length in bytes and its width in cells.
pub fn cut(text: &[u8], width: usize) -> (usize, usize) {
    let Ok(s) = std::str::from_utf8(text) else {
        let n = text.len().min(width);
        return (n, n);
    };
    let mut cells = 0;
    for (i, c) in s.char_indices() {
        let w = char_width(c);
        if cells + w > width {
            return (i, cells);
        }
        cells += w;
    }
    (text.len(), cells)
}

/// The `--raw` form: space, backslash, control bytes and every non-ASCII byte as `\xNN`.
pub fn raw(bytes: &[u8], out: &mut Vec<u8>) {
    if bytes.iter().fold(true, |ok, &b| {
        ok & ((0x21..0x7f).contains(&b) & (b != b'\\'))
    }) {
        out.extend_from_slice(bytes);
        return;
    }
    let plain = bytes
        .iter()
        .position(|&b| b <= b' ' || b >= 0x7f || b == b'\\')
        .unwrap_or(bytes.len());
    out.extend_from_slice(&bytes[..plain]);
    for &b in &bytes[plain..] {
        if b <= b' ' || b >= 0x7f || b == b'\\' {
            hex(b, out);
        } else {
            out.push(b);
        }
    }
}

/// The `--pairs` value form (inside double quotes): `"`, `\`, `` ` ``, `$`, control bytes
/// and non-ASCII bytes as `\xNN`; space stays.
pub fn pairs(bytes: &[u8], out: &mut Vec<u8>) {
    for &b in bytes {
        if !(b' '..0x7f).contains(&b) || matches!(b, b'"' | b'\\' | b'`' | b'$') {
            hex(b, out);
        } else {
            out.push(b);
        }
    }
}

/// A JSON string body: `"` and `\` escaped, C0 controls as `\b \f \n \r \t` or `\u00XX`,
/// everything else as it is, except that bytes which are not UTF-8 become the text `\xNN`
/// (escaped as `\\xNN`), so the document is always valid UTF-8 JSON (util-linux writes
/// them raw: DESIGN.md §3).
pub fn json(bytes: &[u8], out: &mut Vec<u8>) {
    if bytes.iter().fold(true, |ok, &b| {
        ok & ((0x20..0x7f).contains(&b) & (b != b'"') & (b != b'\\'))
    }) {
        out.extend_from_slice(bytes);
        return;
    }
    for chunk in bytes.utf8_chunks() {
        for &b in chunk.valid().as_bytes() {
            match b {
                b'"' => out.extend_from_slice(b"\\\""),
                b'\\' => out.extend_from_slice(b"\\\\"),
                0x08 => out.extend_from_slice(b"\\b"),
                0x0c => out.extend_from_slice(b"\\f"),
                b'\n' => out.extend_from_slice(b"\\n"),
                b'\r' => out.extend_from_slice(b"\\r"),
                b'\t' => out.extend_from_slice(b"\\t"),
                0..=0x1f => out.extend_from_slice(format!("\\u{:04x}", b).as_bytes()),
                _ => out.push(b),
            }
        }
        for &b in chunk.invalid() {
            out.extend_from_slice(format!("\\\\x{b:02x}").as_bytes());
        }
    }
}

fn hex(b: u8, out: &mut Vec<u8>) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    out.extend_from_slice(&[
        b'\\',
        b'x',
        DIGITS[usize::from(b >> 4)],
        DIGITS[usize::from(b & 15)],
    ]);
}

/// The first UTF-8 character of `bytes` and its length, if it is valid.
fn decode(bytes: &[u8]) -> Option<(char, usize)> {
    let len = match bytes.first()? {
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return None,
    };
    let s = std::str::from_utf8(bytes.get(..len)?).ok()?;
    Some((s.chars().next()?, len))
}

/// glibc `iswprint` for the characters that matter in paths: C1 controls, the line and
/// paragraph separators, surrogates and non-characters are not printable.
fn printable(c: char) -> bool {
    let u = u32::from(c);
    !((0x80..0xa0).contains(&u)
        || u == 0x2028
        || u == 0x2029
        || (0xfff9..=0xfffb).contains(&u)
        || (u & 0xfffe) == 0xfffe
        || (0xfdd0..=0xfdef).contains(&u)
        || (0xe0000..=0xe007f).contains(&u))
}

/// Terminal cells of a printable character (`wcwidth`): combining marks and zero-width
/// format characters 0, East Asian wide and fullwidth characters 2, everything else 1.
pub fn char_width(c: char) -> usize {
    let u = u32::from(c);
    const ZERO: &[(u32, u32)] = &[
        (0x0300, 0x036f),
        (0x0483, 0x0489),
        (0x0591, 0x05bd),
        (0x0610, 0x061a),
        (0x064b, 0x065f),
        (0x0e31, 0x0e31),
        (0x0e34, 0x0e3a),
        (0x1ab0, 0x1aff),
        (0x1dc0, 0x1dff),
        (0x200b, 0x200f),
        (0x202a, 0x202e),
        (0x2060, 0x2064),
        (0x20d0, 0x20ff),
        (0xfe00, 0xfe0f),
        (0xfe20, 0xfe2f),
        (0xfeff, 0xfeff),
    ];
    const WIDE: &[(u32, u32)] = &[
        (0x1100, 0x115f),
        (0x231a, 0x231b),
        (0x2329, 0x232a),
        (0x23e9, 0x23ec),
        (0x2e80, 0x303e),
        (0x3041, 0x33ff),
        (0x3400, 0x4dbf),
        (0x4e00, 0x9fff),
        (0xa000, 0xa4cf),
        (0xa960, 0xa97f),
        (0xac00, 0xd7a3),
        (0xf900, 0xfaff),
        (0xfe10, 0xfe19),
        (0xfe30, 0xfe6f),
        (0xff00, 0xff60),
        (0xffe0, 0xffe6),
        (0x1f300, 0x1f64f),
        (0x1f900, 0x1f9ff),
        (0x20000, 0x2fffd),
        (0x30000, 0x3fffd),
    ];
    let within = |t: &[(u32, u32)]| t.iter().any(|&(a, b)| (a..=b).contains(&u));
    if within(ZERO) {
        0
    } else if within(WIDE) {
        2
    } else {
        1
    }
}

#[cfg(test)]
mod format_tests {
    use super::*;

    fn s(b: &[u8], utf8: bool) -> (String, usize) {
        let mut out = Vec::new();
        let w = safe(b, utf8, &mut out);
        (String::from_utf8(out).unwrap(), w)
    }

    #[test]
    fn safe_like_libsmartcols() {
        assert_eq!(s(b"/a b\\c", true), ("/a b\\c".into(), 6));
        assert_eq!(s(b"\\xab", true), ("\\x5cxab".into(), 7));
        assert_eq!(s(b"\t\x1b\x7f", true), ("\\x09\\x1b\\x7f".into(), 12));
        assert_eq!(s("caf\u{e9}".as_bytes(), true), ("caf\u{e9}".into(), 4));
        assert_eq!(
            s("caf\u{e9}".as_bytes(), false),
            ("caf\\xc3\\xa9".into(), 11)
        );
        assert_eq!(s("\u{4e2d}".as_bytes(), true), ("\u{4e2d}".into(), 2));
        assert_eq!(s("e\u{301}".as_bytes(), true), ("e\u{301}".into(), 1));
        assert_eq!(s(b"\xc2\x85\xff", true), ("\\xc2\\x85\\xff".into(), 12));
    }

    #[test]
    fn width_without_writing() {
        for (b, utf8) in [
            (&b"/a b"[..], true),
            (b"\\x", true),
            (b"a\\b", true),
            (b"\t\x7f", false),
            ("caf\u{e9}\u{4e2d}".as_bytes(), true),
            ("caf\u{e9}".as_bytes(), false),
            (b"", true),
        ] {
            assert_eq!(safe_width(b, utf8), safe(b, utf8, &mut Vec::new()), "{b:?}");
        }
    }

    #[test]
    fn plain_text_as_it_is() {
        let text = b"/mnt/a-long/enough_path=1,2 to take the fast path (32+ bytes)~";
        let mut o = Vec::new();
        assert_eq!(safe(text, true, &mut o), text.len());
        assert_eq!(o, text);
        o.clear();
        json(text, &mut o);
        assert_eq!(o, text);
        o.clear();
        raw(b"/mnt/no-space-here:{}[]'~", &mut o);
        assert_eq!(o, b"/mnt/no-space-here:{}[]'~");
        // One byte that is not plain, at the end of a long run, still counts.
        o.clear();
        raw(&[&text[..40], b"\\"].concat(), &mut o);
        assert!(o.ends_with(b"\\x5c"));
        o.clear();
        json(&[&text[..40], b"\""].concat(), &mut o);
        assert!(o.ends_with(b"\\\""));
        assert_eq!(safe_width(&[&text[..40], b"\x7f"].concat(), true), 44);
    }

    #[test]
    fn raw_pairs_json() {
        let mut o = Vec::new();
        raw(b"a b\\\"$\xc3\xa9", &mut o);
        assert_eq!(o, b"a\\x20b\\x5c\"$\\xc3\\xa9");
        o.clear();
        pairs(b"a b\\\"$`'\n", &mut o);
        assert_eq!(o, b"a b\\x5c\\x22\\x24\\x60'\\x0a");
        o.clear();
        json(b"\"\\\n\x1b\x7f\xff\xc3\xa9", &mut o);
        assert_eq!(o, "\\\"\\\\\\n\\u001b\x7f\\\\xff\u{e9}".as_bytes());
    }

    #[test]
    fn cuts_whole_characters() {
        assert_eq!(cut(b"rw,relatime", 5), (5, 5));
        assert_eq!(cut(b"abc", 5), (3, 3));
        let s = "a\u{4e2d}b".as_bytes();
        assert_eq!(cut(s, 2), (1, 1));
        assert_eq!(cut(s, 3), (4, 3));
        let e = "e\u{301}x".as_bytes();
        assert_eq!(cut(e, 1), (3, 1));
    }
}
