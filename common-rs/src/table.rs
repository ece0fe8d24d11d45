//! The mount table model: `/proc/PID/mountinfo`, fstab and mtab (`/proc/mounts`) parsed from
//! bytes (proc(5), fstab(5)).
//!
//! The rules (research/features.md §7.5, security.md §1.7): mountinfo fields are split on
//! single spaces, so an empty source is an empty field; only `\ooo` octal escapes are undone;
//! optional fields and options keep their order; no field is ever "cleaned up". A line that
//! does not parse is reported by number and skipped; a last line with no newline is parsed
//! and reported as cut off. A live table is read to EOF and read again if `poll(POLLPRI)`
//! says it changed meanwhile.

use std::fs::File;
use std::io::{self, Read};
use std::os::fd::AsFd;
use std::path::Path;

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};

/// One line of a mount table. Fields a format lacks stay empty or zero.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Entry {
    /// Mount ID (mountinfo).
    pub id: u64,
    /// Parent mount ID (mountinfo).
    pub parent: u64,
    /// Device major number (mountinfo).
    pub major: u32,
    /// Device minor number (mountinfo).
    pub minor: u32,
    /// The root of the mount within its filesystem: FSROOT (mountinfo).
    pub root: Vec<u8>,
    /// Where it is mounted.
    pub target: Vec<u8>,
    /// Per-mount options (mountinfo), or all options (fstab, mtab).
    pub vfs_options: Vec<u8>,
    /// Optional fields (`shared:1 master:2`), space-separated, in order (mountinfo).
    pub opt_fields: Vec<u8>,
    /// Filesystem type.
    pub fstype: Vec<u8>,
    /// Mount source; may be empty.
    pub source: Vec<u8>,
    /// Superblock options (mountinfo).
    pub fs_options: Vec<u8>,
    /// fstab dump frequency.
    pub freq: u32,
    /// fstab fsck pass number.
    pub passno: u32,
}

/// The line format of a table.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// `/proc/PID/mountinfo`.
    MountInfo,
    /// fstab(5), also the format of mtab and `/proc/mounts`.
    Fstab,
}

/// A parsed table and what was wrong with its text.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    /// The entries, in file order.
    pub entries: Vec<Entry>,
    /// 1-based numbers of lines that did not parse and were skipped.
    pub bad_lines: Vec<usize>,
    /// The last line had no newline (the file was cut off).
    pub truncated: bool,
}

impl Format {
    /// Guess the format from the first line that is not blank or a comment: mountinfo
    /// lines start with two numbers and have a lone `-` separator.
    pub fn detect(text: &[u8]) -> Format {
        let first = text
            .split(|&b| b == b'\n')
            .map(trim)
            .find(|l| !l.is_empty() && !l.starts_with(b"#"));
        match first {
            Some(line) if parse_mountinfo(line).is_some() => Format::MountInfo,
            _ => Format::Fstab,
        }
    }
}

/// Parse a whole table.
pub fn parse(text: &[u8], format: Format) -> Table {
    let mut table = Table {
        truncated: !text.is_empty() && !text.ends_with(b"\n"),
        ..Table::default()
    };
    let body = text.strip_suffix(b"\n").unwrap_or(text);
    if body.is_empty() && !table.truncated {
        return table;
    }
    for (index, line) in body.split(|&b| b == b'\n').enumerate() {
        let parsed = match format {
            Format::MountInfo => parse_mountinfo(line).map(Some),
            Format::Fstab => parse_fstab(line),
        };
        match parsed {
            Some(Some(entry)) => table.entries.push(entry),
            Some(None) => {}
            None => table.bad_lines.push(index + 1),
        }
    }
    table
}

/// Parse one mountinfo line:
/// `ID PARENT MAJ:MIN ROOT TARGET VFS-OPTS [OPT-FIELD...] - FSTYPE SOURCE FS-OPTS`.
pub fn parse_mountinfo(line: &[u8]) -> Option<Entry> {
    let fields: Vec<&[u8]> = line.split(|&b| b == b' ').collect();
    let sep = 6 + fields.get(6..)?.iter().position(|f| *f == b"-")?;
    if fields.len() != sep + 4 {
        return None;
    }
    let (major, minor) = split_once(fields[2], b':')?;
    Some(Entry {
        id: number(fields[0])?,
        parent: number(fields[1])?,
        major: number(major)?,
        minor: number(minor)?,
        root: unescape(fields[3]),
        target: unescape(fields[4]),
        vfs_options: unescape(fields[5]),
        opt_fields: fields[6..sep].join(&b' '),
        fstype: unescape(fields[sep + 1]),
        source: unescape(fields[sep + 2]),
        fs_options: unescape(fields[sep + 3]),
        ..Entry::default()
    })
}

/// Parse one fstab/mtab line: `SOURCE TARGET [FSTYPE [OPTIONS [FREQ [PASSNO]]]]`,
/// whitespace-separated. Blank and `#` lines give `Some(None)`; a bad line `None`.
pub fn parse_fstab(line: &[u8]) -> Option<Option<Entry>> {
    let line = trim(line);
    if line.is_empty() || line.starts_with(b"#") {
        return Some(None);
    }
    let fields: Vec<&[u8]> = line
        .split(|b| b.is_ascii_whitespace())
        .filter(|f| !f.is_empty())
        .collect();
    if fields.len() < 2 || fields.len() > 6 {
        return None;
    }
    let field = |i: usize| fields.get(i).map(|f| unescape(f)).unwrap_or_default();
    let count = |i: usize| fields.get(i).map_or(Some(0), |f| number(f));
    Some(Some(Entry {
        source: field(0),
        target: field(1),
        fstype: field(2),
        vfs_options: field(3),
        freq: count(4)?,
        passno: count(5)?,
        ..Entry::default()
    }))
}

/// Undo `\ooo` octal escapes (three octal digits); every other byte stays as it is.
pub fn unescape(field: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(field.len());
    let mut i = 0;
    while i < field.len() {
        let octal = field
            .get(i + 1..i + 4)
            .filter(|d| d.iter().all(|b| (b'0'..=b'7').contains(b)) && d[0] <= b'3');
        match (field[i], octal) {
            (b'\\', Some(d)) => {
                out.push((d[0] - b'0') << 6 | (d[1] - b'0') << 3 | (d[2] - b'0'));
                i += 4;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// Read a live table (`/proc/self/mountinfo`, `/proc/PID/mountinfo`, ...) consistently:
/// read to EOF, then ask `poll(POLLPRI)` on the same descriptor whether the mount table
/// changed since it was opened; if so read it again (at most a few times).
pub fn read_live(path: &Path) -> io::Result<Vec<u8>> {
    const TRIES: usize = 5;
    let mut text = Vec::new();
    for _ in 0..TRIES {
        let mut file = File::open(path)?;
        text.clear();
        file.read_to_end(&mut text)?;
        let mut fds = [PollFd::new(file.as_fd(), PollFlags::POLLPRI)];
        let changed = poll(&mut fds, PollTimeout::ZERO).map_err(io::Error::from)? > 0
            && fds[0]
                .revents()
                .is_some_and(|r| r.intersects(PollFlags::POLLPRI | PollFlags::POLLERR));
        if !changed {
            break;
        }
    }
    Ok(text)
}

fn number<T: std::str::FromStr>(field: &[u8]) -> Option<T> {
    if field.is_empty() || !field.iter().all(u8::is_ascii_digit) {
        return None;
    }
    std::str::from_utf8(field).ok()?.parse().ok()
}

fn split_once(field: &[u8], sep: u8) -> Option<(&[u8], &[u8])> {
    let at = field.iter().position(|&b| b == sep)?;
    Some((&field[..at], &field[at + 1..]))
}

fn trim(line: &[u8]) -> &[u8] {
    line.trim_ascii()
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: &[u8] =
        b"36 35 98:0 /mnt1 /mnt\\0402 rw,noatime master:1 shared:7 - ext3 /dev/root rw,errors=continue";

    #[test]
    fn mountinfo_line() {
        let e = parse_mountinfo(LINE).unwrap();
        assert_eq!((e.id, e.parent, e.major, e.minor), (36, 35, 98, 0));
        assert_eq!(e.root, b"/mnt1");
        assert_eq!(e.target, b"/mnt 2");
        assert_eq!(e.vfs_options, b"rw,noatime");
        assert_eq!(e.opt_fields, b"master:1 shared:7");
        assert_eq!(e.fstype, b"ext3");
        assert_eq!(e.source, b"/dev/root");
        assert_eq!(e.fs_options, b"rw,errors=continue");
    }

    #[test]
    fn empty_source_and_no_optional_fields() {
        let e = parse_mountinfo(b"1 0 0:5 / / rw - tmpfs  rw").unwrap();
        assert_eq!(e.source, b"");
        assert_eq!(e.opt_fields, b"");
        assert_eq!(e.fs_options, b"rw");
    }

    #[test]
    fn garbage_is_rejected() {
        for bad in [
            &b""[..],
            b"x 0 0:5 / / rw - tmpfs t rw",
            b"1 0 05 / / rw - tmpfs t rw",
            b"1 0 0:5 / / rw tmpfs t rw",
            b"1 0 0:5 / / rw - tmpfs t",
            b"1 0 0:5 / / rw - tmpfs t rw extra",
            b"1  0 0:5 / / rw - tmpfs t rw",
        ] {
            assert_eq!(
                parse_mountinfo(bad),
                None,
                "{:?}",
                String::from_utf8_lossy(bad)
            );
        }
    }

    #[test]
    fn unescape_only_octal() {
        assert_eq!(unescape(b"a\\040b\\011c\\012d\\134e"), b"a b\tc\nd\\e");
        assert_eq!(unescape(b"\\x41\\n\\4\\400\\"), b"\\x41\\n\\4\\400\\");
        assert_eq!(unescape(b"\\377\\000"), b"\xff\x00");
    }

    #[test]
    fn table_reports_bad_and_cut_off_lines() {
        let text = b"1 0 0:5 / / rw - tmpfs t rw\nnonsense\n2 1 0:6 / /a rw - tmpfs t r";
        let t = parse(text, Format::MountInfo);
        assert_eq!(t.entries.len(), 2);
        assert_eq!(t.bad_lines, vec![2]);
        assert!(t.truncated);
        assert_eq!(parse(b"", Format::MountInfo), Table::default());
    }

    #[test]
    fn fstab_lines() {
        let t = parse(
            b"# comment\n\n/dev/sda1\t/  ext4 defaults,noatime 0 1\nUUID=x /a\\040b swap\nbad\n",
            Format::Fstab,
        );
        assert_eq!(t.bad_lines, vec![5]);
        assert_eq!(t.entries[0].source, b"/dev/sda1");
        assert_eq!(t.entries[0].vfs_options, b"defaults,noatime");
        assert_eq!((t.entries[0].freq, t.entries[0].passno), (0, 1));
        assert_eq!(t.entries[1].target, b"/a b");
        assert_eq!(t.entries[1].fstype, b"swap");
        assert_eq!(t.entries[1].vfs_options, b"");
    }

    #[test]
    fn format_detection() {
        assert_eq!(Format::detect(LINE), Format::MountInfo);
        assert_eq!(
            Format::detect(b"# x\nproc /proc proc rw 0 0\n"),
            Format::Fstab
        );
    }

    #[test]
    fn live_read_of_own_table() {
        let text = read_live(Path::new("/proc/self/mountinfo")).unwrap();
        let t = parse(&text, Format::MountInfo);
        assert!(t.bad_lines.is_empty());
        assert!(t.entries.iter().any(|e| e.target == b"/"));
    }
}
