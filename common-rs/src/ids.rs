//! User and group ids as the kernel takes them: decimal u32, never `(uid_t)-1`.
//!
//! util-linux 2.38 parses ids with `strtoul` and wraps: `--map-user=4294967296` maps root.
//! We accept only plain decimal digits whose value fits in u32 and is not 4294967295 (the
//! kernel's "no id" marker): no sign, no whitespace, no empty string.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

/// The id spelled by `text`, or `None` when it is not a valid id.
pub fn parse(text: &OsStr) -> Option<u32> {
    let bytes = text.as_bytes();
    if bytes.is_empty() || !bytes.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(bytes)
        .ok()?
        .parse::<u32>()
        .ok()
        .filter(|&id| id != u32::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_decimal_only() {
        let p = |s: &str| parse(OsStr::new(s));
        assert_eq!(p("0"), Some(0));
        assert_eq!(p("1000"), Some(1000));
        assert_eq!(p("007"), Some(7));
        assert_eq!(p("4294967294"), Some(4_294_967_294));
        for bad in [
            "",
            "4294967295",
            "4294967296",
            "-1",
            "+1",
            " 5",
            "5 ",
            "1e3",
            "0x10",
        ] {
            assert_eq!(p(bad), None, "{bad:?}");
        }
    }
}
