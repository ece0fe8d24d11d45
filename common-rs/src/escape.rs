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
