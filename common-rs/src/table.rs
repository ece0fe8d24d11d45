//! The mount table model: `/proc/PID/mountinfo`, fstab and mtab (`/proc/mounts`) parsed from
//! bytes (proc(5), fstab(5)), and the parent→children index that makes every tree walk O(n).
//!
//! The line grammar is libmount's (`tab_parse.c`), because findmnt output must match
//! util-linux for the same file: fields end at a space or a tab (never at CR: util-linux#780);
//! only `\ooo` octal escapes are undone; optional fields run to the first `" - "`; an empty
//! source is two spaces in a row; text after the last field is ignored; a trailing CR is
//! dropped; blank and `#` lines are skipped. No field is ever "cleaned up" (libmount strips a
//! `" (deleted)"` suffix from targets; we keep it: CVE-2021-3996 came from such cleaning).
//! A line that does not parse is reported by number and skipped; a last line with no newline
//! is parsed and reported as cut off. A live table is read to EOF and read again if
//! `poll(POLLPRI)` says it changed meanwhile (research/security.md §1.7).

use std::io;
use std::os::fd::{AsFd, AsRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use nix::errno::Errno;
use nix::fcntl::OFlag;
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::stat::Mode;

use crate::trace;

/// The text fields of an [`Entry`], in the order they are stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    /// The root of the mount within its filesystem: FSROOT (mountinfo).
    Root,
    /// Where it is mounted.
    Target,
    /// Per-mount options (mountinfo), or all options (fstab, mtab).
    VfsOptions,
    /// Optional fields (`shared:1 master:2`), space-separated, in order (mountinfo).
    OptFields,
    /// Filesystem type.
    Fstype,
    /// Mount source; may be empty.
    Source,
    /// Superblock options (mountinfo).
    FsOptions,
}

const FIELDS: usize = 7;

/// One line of a mount table. Fields a format lacks stay empty or zero.
///
/// The seven text fields live back to back in one allocation per entry: a table of 100k
/// mounts is 100k small blocks laid out in file order, where a `Vec` per field made 700k
/// scattered ones (the live tree's cell lookups were cache misses). Read them with the
/// methods named like the fields (`e.target()`), change them with [`Entry::set`].
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Entry {
    /// Mount ID (mountinfo).
    pub id: u64,
    /// Parent mount ID (mountinfo).
    pub parent: u64,
    /// Device major number (mountinfo).
    pub major: u32,
    /// Device minor number (mountinfo).
    pub minor: u32,
    /// fstab dump frequency.
    pub freq: u32,
    /// fstab fsck pass number.
    pub passno: u32,
    /// The text fields in [`Field`] order, nothing between them. Equal entries have equal
    /// `text` and `ends`, so the derived `PartialEq` compares fields.
    text: Box<[u8]>,
    /// Where each field ends in `text`.
    ends: [u32; FIELDS],
}

impl std::fmt::Debug for Entry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let s = |v: &[u8]| String::from_utf8_lossy(v).into_owned();
        f.debug_struct("Entry")
            .field("id", &self.id)
            .field("parent", &self.parent)
            .field("major", &self.major)
            .field("minor", &self.minor)
            .field("root", &s(self.root()))
            .field("target", &s(self.target()))
            .field("vfs_options", &s(self.vfs_options()))
            .field("opt_fields", &s(self.opt_fields()))
            .field("fstype", &s(self.fstype()))
            .field("source", &s(self.source()))
            .field("fs_options", &s(self.fs_options()))
            .field("freq", &self.freq)
            .field("passno", &self.passno)
            .finish()
    }
}

impl Entry {
    /// The text of one field.
    pub fn get(&self, field: Field) -> &[u8] {
        let i = field as usize;
        let start = match i.checked_sub(1) {
            Some(p) => self.ends[p] as usize,
            None => 0,
        };
        self.text.get(start..self.ends[i] as usize).unwrap_or(&[])
    }

    /// FSROOT (mountinfo).
    pub fn root(&self) -> &[u8] {
        self.get(Field::Root)
    }

    /// Where it is mounted.
    pub fn target(&self) -> &[u8] {
        self.get(Field::Target)
    }

    /// Per-mount options (mountinfo), or all options (fstab, mtab).
    pub fn vfs_options(&self) -> &[u8] {
        self.get(Field::VfsOptions)
    }

    /// Optional fields (`shared:1 master:2`) as written, space-separated (mountinfo).
    pub fn opt_fields(&self) -> &[u8] {
        self.get(Field::OptFields)
    }

    /// Filesystem type.
    pub fn fstype(&self) -> &[u8] {
        self.get(Field::Fstype)
    }

    /// Mount source; may be empty.
    pub fn source(&self) -> &[u8] {
        self.get(Field::Source)
    }

    /// Superblock options (mountinfo).
    pub fn fs_options(&self) -> &[u8] {
        self.get(Field::FsOptions)
    }

    /// Replace one field.
    pub fn set(&mut self, field: Field, value: &[u8]) {
        let mut fields = [&[][..]; FIELDS];
        for (i, f) in fields.iter_mut().enumerate() {
            *f = if i == field as usize {
                value
            } else {
                self.get(FIELD_ORDER[i])
            };
        }
        let (text, ends) = pack(&fields, 0);
        self.text = text;
        self.ends = ends;
    }

    /// This entry with one field replaced (for building entries by hand).
    pub fn with(mut self, field: Field, value: &[u8]) -> Entry {
        self.set(field, value);
        self
    }

    /// The optional fields one by one (`shared:1`, `master:2`, `propagate_from:3`,
    /// `unbindable`: proc(5)).
    pub fn optional_fields(&self) -> impl Iterator<Item = &[u8]> {
        self.opt_fields()
            .split(|&b| b == b' ')
            .filter(|f| !f.is_empty())
    }

    /// `shared:N`: the mount is a member of peer group N and propagates mount events
    /// (mount_namespaces(7)).
    pub fn is_shared(&self) -> bool {
        self.optional_fields().any(|f| f.starts_with(b"shared:"))
    }
}

const FIELD_ORDER: [Field; FIELDS] = [
    Field::Root,
    Field::Target,
    Field::VfsOptions,
    Field::OptFields,
    Field::Fstype,
    Field::Source,
    Field::FsOptions,
];

/// The fields back to back and where each ends; the fields whose bit is set in `escaped`
/// have their `\ooo` escapes undone on the way. Text past 4 GiB (which no mount table
/// line has: the kernel caps paths at PATH_MAX) is cut off.
fn pack(fields: &[&[u8]; FIELDS], escaped: u8) -> (Box<[u8]>, [u32; FIELDS]) {
    let total: usize = fields.iter().map(|f| f.len()).sum();
    let mut text = Vec::with_capacity(total);
    let mut ends = [0u32; FIELDS];
    for (i, f) in fields.iter().enumerate() {
        if escaped & (1 << i) != 0 {
            unescape_into(f, &mut text);
        } else {
            text.extend_from_slice(f);
        }
        if text.len() > u32::MAX as usize {
            text.truncate(u32::MAX as usize);
        }
        ends[i] = text.len() as u32;
    }
    (text.into_boxed_slice(), ends)
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
    /// The format the table was parsed as: the one asked for, or the one detected
    /// (`None`: nothing to detect it from, no line but blanks and comments).
    pub format: Option<Format>,
}

impl Table {
    /// The warnings util-linux prints for this table's text, without the `prog: ` prefix:
    /// `FILE: parse error at line N -- ignored` per bad line, then (our addition, D14) a
    /// cut-off last line.
    pub fn warnings(&self, file: &str) -> Vec<String> {
        let mut out: Vec<String> = self
            .bad_lines
            .iter()
            .map(|n| format!("{file}: parse error at line {n} -- ignored"))
            .collect();
        if self.truncated {
            out.push(format!(
                "{file}: last line is not terminated by a newline (file cut off?)"
            ));
        }
        out
    }
}

impl Format {
    /// Guess the format as libmount does: the first line that is not blank or a comment
    /// starts with two unsigned numbers in mountinfo, anything else is fstab/mtab.
    pub fn detect(text: &[u8]) -> Format {
        let first = text
            .split(|&b| b == b'\n')
            .map(skip_blank)
            .find(|l| !l.is_empty() && l[0] != b'#');
        match first {
            Some(line) if two_numbers(line) => Format::MountInfo,
            _ => Format::Fstab,
        }
    }
}

/// `sscanf(line, "%u %u")` succeeds.
fn two_numbers(line: &[u8]) -> bool {
    let Some((_, rest)) = scan_number(line) else {
        return false;
    };
    scan_number(rest).is_some()
}

/// strtol-like: skip C whitespace, an optional sign, then digits. Returns (value, rest).
fn scan_number(s: &[u8]) -> Option<(i64, &[u8])> {
    let mut i = 0;
    while i < s.len() && matches!(s[i], b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c) {
        i += 1;
    }
    let mut negative = false;
    if i < s.len() && (s[i] == b'+' || s[i] == b'-') {
        negative = s[i] == b'-';
        i += 1;
    }
    let start = i;
    let mut value: i64 = 0;
    while i < s.len() && s[i].is_ascii_digit() {
        value = value
            .saturating_mul(10)
            .saturating_add(i64::from(s[i] - b'0'));
        i += 1;
    }
    if i == start {
        return None;
    }
    Some((if negative { -value } else { value }, &s[i..]))
}

/// Parse a whole table.
pub fn parse(text: &[u8], format: Format) -> Table {
    let mut parser = Parser::new(Some(format));
    let done = parser.feed(text);
    parser.finish(text.get(done..).unwrap_or_default())
}

/// A table parsed piece by piece as it is read: each complete line is parsed as soon as
/// it arrives, so a live table is parsed while its text is still in the cache and never
/// held whole. [`parse`] is this parser fed the whole text at once.
#[derive(Debug)]
pub struct Parser {
    /// `None`: detect it from the first line that is not blank or a comment.
    format: Option<Format>,
    table: Table,
    /// Lines seen so far.
    lines: usize,
    /// The start of a line whose end has not been pushed yet.
    carry: Vec<u8>,
}

impl Parser {
    /// A parser for `format`, or for the format [`Format::detect`] would find.
    pub fn new(format: Option<Format>) -> Parser {
        Parser {
            format,
            table: Table::default(),
            lines: 0,
            carry: Vec::new(),
        }
    }

    /// Parse `chunk`, the next piece of the text: its complete lines now, a line it cuts
    /// off once the rest of that line is pushed (or at [`Parser::end`]).
    pub fn push(&mut self, chunk: &[u8]) {
        let mut chunk = chunk;
        if !self.carry.is_empty() {
            let Some(nl) = find_byte(chunk, b'\n') else {
                self.carry.extend_from_slice(chunk);
                return;
            };
            let mut line = std::mem::take(&mut self.carry);
            line.extend_from_slice(&chunk[..nl]);
            self.line(&line, false);
            line.clear();
            self.carry = line;
            chunk = &chunk[nl + 1..];
        }
        let done = self.feed(chunk);
        self.carry.extend_from_slice(&chunk[done..]);
    }

    /// The table, once everything was pushed.
    pub fn end(mut self) -> Table {
        let rest = std::mem::take(&mut self.carry);
        self.finish(&rest)
    }

    /// Parse the complete lines at the start of `text`; returns how many bytes that was
    /// (up to and including the last newline). The rest must be fed again, after more
    /// text, or handed to [`Parser::finish`].
    pub fn feed(&mut self, text: &[u8]) -> usize {
        let Some(end) = text.iter().rposition(|&b| b == b'\n') else {
            return 0;
        };
        let mut rest = &text[..end + 1];
        while let Some(at) = find_byte(rest, b'\n') {
            self.line(&rest[..at], false);
            rest = &rest[at + 1..];
        }
        end + 1
    }

    /// The table, once `rest` (the text after the last newline: a cut-off last line, or
    /// nothing) is parsed too.
    pub fn finish(mut self, rest: &[u8]) -> Table {
        if !rest.is_empty() {
            self.table.truncated = true;
            self.line(rest, true);
        }
        self.table.format = self.format;
        self.table
    }

    /// The format of the table, once known.
    pub fn format(&self) -> Option<Format> {
        self.format
    }

    fn line(&mut self, raw: &[u8], cut_off: bool) {
        self.lines += 1;
        if self.format.is_none() {
            let line = skip_blank(raw);
            if !line.is_empty() && line[0] != b'#' {
                self.format = Some(if two_numbers(line) {
                    Format::MountInfo
                } else {
                    Format::Fstab
                });
            }
        }
        // libmount reads lines as C strings: a NUL ends the line, and a line that ends at a
        // NUL before its newline is an error (unless it is the cut-off last line).
        let line = match find_byte(raw, 0) {
            Some(at) if cut_off => &raw[..at],
            Some(_) => {
                self.table.bad_lines.push(self.lines);
                return;
            }
            None => raw,
        };
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        let line = skip_blank(line);
        if line.is_empty() || line[0] == b'#' {
            return;
        }
        let parsed = match self.format {
            Some(Format::MountInfo) => parse_mountinfo(line),
            _ => parse_fstab(line).flatten(),
        };
        match parsed {
            Some(entry) => self.table.entries.push(entry),
            None => self.table.bad_lines.push(self.lines),
        }
    }
}

/// The first `byte` in `hay`, eight bytes at a time (a mount table is megabytes of short
/// lines: this is where parsing spends its time).
fn find_byte(hay: &[u8], byte: u8) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let pattern = LO * u64::from(byte);
    let mut chunks = hay.chunks_exact(8);
    let mut at = 0;
    for chunk in chunks.by_ref() {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let x = u64::from_le_bytes(word) ^ pattern;
        // A zero byte in x is a match (the classic has-zero-byte test; exact for the
        // lowest match, which is the one wanted).
        let found = x.wrapping_sub(LO) & !x & HI;
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == byte)
        .map(|p| at + p)
}

/// The first space or tab in `hay`, eight bytes at a time (see [`find_byte`]).
fn find_separator(hay: &[u8]) -> Option<usize> {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let zero = |x: u64| x.wrapping_sub(LO) & !x & HI;
    let mut chunks = hay.chunks_exact(8);
    let mut at = 0;
    for chunk in chunks.by_ref() {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        let w = u64::from_le_bytes(word);
        // Each test is exact for its lowest match, so their union's lowest bit is the
        // first separator.
        let found = zero(w ^ (LO * u64::from(b' '))) | zero(w ^ (LO * u64::from(b'\t')));
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    chunks
        .remainder()
        .iter()
        .position(|&b| b == b' ' || b == b'\t')
        .map(|p| at + p)
}

/// Parse one mountinfo line:
/// `ID PARENT MAJ:MIN ROOT TARGET VFS-OPTS [OPT-FIELD...] - FSTYPE SOURCE FS-OPTS`.
pub fn parse_mountinfo(line: &[u8]) -> Option<Entry> {
    let (id, s) = id_field(line)?;
    let s = skip_separator(s);
    let (parent, s) = id_field(s)?;
    let s = skip_separator(s);
    let (major, rest) = scan_number(s)?;
    let rest = rest.strip_prefix(b":")?;
    let (minor, _) = scan_number(rest)?;
    let s = skip_separator(skip_nonseparator(s));
    let (root, s) = token(s)?;
    let (target, s) = token(skip_separator(s))?;
    let (vfs, s) = token(skip_separator(s))?;
    // Optional fields run up to the first " - " (libmount: strstr), starting one byte
    // after the end of the VFS options.
    let sep = find_dash(s)?;
    let opt_fields = if sep > 1 { &s[1..sep] } else { &[][..] };
    let s = skip_separator(&s[sep + 3..]);
    let (fstype, s) = token(s)?;
    if s.is_empty() {
        return None;
    }
    let (source, s) = if s.starts_with(b"  ") {
        (&[][..], s)
    } else {
        token(skip_separator(s))?
    };
    let (fs_options, _) = token(skip_separator(s))?;
    let fields = [root, target, vfs, opt_fields, fstype, source, fs_options];
    // Every field but the optional ones is unescaped; most lines have nothing to undo.
    let escaped = if find_byte(line, b'\\').is_some() {
        !(1 << Field::OptFields as u8)
    } else {
        0
    };
    let (text, ends) = pack(&fields, escaped);
    Some(Entry {
        id,
        parent,
        // sscanf("%u") wraps negative numbers; keep the low 32 bits like it does.
        major: major as u32,
        minor: minor as u32,
        text,
        ends,
        ..Entry::default()
    })
}

/// Where `" - "` first occurs in `s`.
fn find_dash(s: &[u8]) -> Option<usize> {
    let mut from = 0;
    while let Some(at) = find_byte(s.get(from..)?, b'-') {
        let dash = from + at;
        if dash > 0 && s[dash - 1] == b' ' && s.get(dash + 1) == Some(&b' ') {
            return Some(dash - 1);
        }
        from = dash + 1;
    }
    None
}

/// A mount ID: a number followed by a separator. Negative or huge IDs (which the kernel
/// never writes) are refused rather than wrapped.
fn id_field(s: &[u8]) -> Option<(u64, &[u8])> {
    let (value, rest) = scan_number(s)?;
    // libmount wants a separator after the ID (an ID alone on the line is an error).
    if rest.first().is_none_or(|&b| b != b' ' && b != b'\t') {
        return None;
    }
    if !(0..=i64::from(i32::MAX)).contains(&value) {
        return None;
    }
    Some((value as u64, rest))
}

/// Parse one fstab/mtab line: `SOURCE TARGET FSTYPE [OPTIONS [FREQ [PASSNO]]]`.
/// Blank and `#` lines give `Some(None)`; a bad line `None`.
pub fn parse_fstab(line: &[u8]) -> Option<Option<Entry>> {
    let line = skip_blank(line);
    if line.is_empty() || line[0] == b'#' {
        return Some(None);
    }
    let (source, s) = token(line)?;
    let (target, s) = token(skip_separator(s))?;
    let (fstype, s) = token(skip_separator(s))?;
    let s = skip_separator(s);
    let (options, mut freq, mut passno) = (token(s), 0, 0);
    if let Some((_, s)) = options {
        let s = skip_separator(s);
        if !s.is_empty() {
            let (f, s) = count_field(s)?;
            freq = f;
            let s = skip_separator(s);
            if !s.is_empty() {
                passno = count_field(s)?.0;
            }
        }
    }
    let options = options.map_or(&[][..], |(o, _)| o);
    let fields = [&[][..], target, options, &[], fstype, source, &[]];
    let (text, ends) = pack(&fields, u8::MAX);
    Some(Some(Entry {
        freq,
        passno,
        text,
        ends,
        ..Entry::default()
    }))
}

fn count_field(s: &[u8]) -> Option<(u32, &[u8])> {
    let (value, rest) = scan_number(s)?;
    if !(rest.is_empty() || rest[0] == b' ' || rest[0] == b'\t') {
        return None;
    }
    Some((
        u32::try_from(value.clamp(0, i64::from(i32::MAX))).ok()?,
        rest,
    ))
}

/// A field up to the next space or tab (still escaped); `None` when empty.
fn token(s: &[u8]) -> Option<(&[u8], &[u8])> {
    let end = find_separator(s).unwrap_or(s.len());
    if end == 0 {
        return None;
    }
    Some((&s[..end], &s[end..]))
}

fn skip_separator(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|&&b| b == b' ' || b == b'\t').count();
    &s[n..]
}

fn skip_nonseparator(s: &[u8]) -> &[u8] {
    let n = s.iter().take_while(|&&b| b != b' ' && b != b'\t').count();
    &s[n..]
}

fn skip_blank(s: &[u8]) -> &[u8] {
    skip_separator(s)
}

/// Undo `\ooo` octal escapes (three octal digits, value taken modulo 256 as libmount
/// does); every other byte stays as it is. A `\000` ends the field, as it ends the C
/// string libmount builds.
pub fn unescape(field: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(field.len());
    unescape_into(field, &mut out);
    out
}

/// [`unescape`], appended to `out`.
fn unescape_into(field: &[u8], out: &mut Vec<u8>) {
    let Some(first) = find_byte(field, b'\\') else {
        out.extend_from_slice(field);
        return;
    };
    out.extend_from_slice(&field[..first]);
    let mut i = first;
    while i < field.len() {
        let octal = field
            .get(i + 1..i + 4)
            .filter(|d| d.iter().all(|b| (b'0'..=b'7').contains(b)));
        match (field[i], octal) {
            (b'\\', Some(d)) => {
                let value = (u32::from(d[0] - b'0') << 6)
                    | (u32::from(d[1] - b'0') << 3)
                    | u32::from(d[2] - b'0');
                let byte = (value & 0xff) as u8;
                if byte == 0 {
                    break;
                }
                out.push(byte);
                i += 4;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
}

/// Read a live table (`/proc/self/mountinfo`, `/proc/PID/mountinfo`, ...) consistently:
/// read to EOF, then ask `poll(POLLPRI)` on the same descriptor whether the mount table
/// changed since it was opened; if so read it again (at most a few times). Not traced: a
/// tool that traces its syscalls calls [`read_live_traced`].
pub fn read_live(path: &Path) -> io::Result<Vec<u8>> {
    read_live_as(None, path)
}

/// [`read_live`] with each syscall traced under `prog` (`ROOTBOX_TRACE=1`):
/// `prog: open("/proc/self/mountinfo", O_RDONLY|O_CLOEXEC) = 3`, the reads, the poll, the
/// close.
pub fn read_live_traced(prog: &str, path: &Path) -> io::Result<Vec<u8>> {
    read_live_as(Some(prog), path)
}

fn read_live_as(prog: Option<&str>, path: &Path) -> io::Result<Vec<u8>> {
    let mut text = Vec::new();
    for _ in 0..LIVE_TRIES {
        let file = TableFile::open(prog, path)?;
        text.clear();
        file.read_to_end(&mut text)?;
        if !file.wait_change(0)? {
            break;
        }
    }
    Ok(text)
}

/// Read a whole (non-live) table file, each syscall traced under `prog`.
pub fn read_traced(prog: &str, path: &Path) -> io::Result<Vec<u8>> {
    let file = TableFile::open(Some(prog), path)?;
    let mut text = Vec::new();
    file.read_to_end(&mut text)?;
    Ok(text)
}

/// Read and parse a table file, parsing each piece as it is read (see [`Parser`]), each
/// syscall traced under `prog`; `format` `None` detects it. A `live` table is read as
/// [`read_live`] reads it: again, from scratch, while `poll(POLLPRI)` says it changed.
pub fn read_parsed(
    prog: Option<&str>,
    path: &Path,
    live: bool,
    format: Option<Format>,
) -> io::Result<Table> {
    let mut buf = vec![0; CHUNK];
    let mut table = Table::default();
    for _ in 0..if live { LIVE_TRIES } else { 1 } {
        let file = TableFile::open(prog, path)?;
        table = file.parse_to_end(Parser::new(format), &mut buf)?;
        if !live || !file.wait_change(0)? {
            break;
        }
    }
    Ok(table)
}

/// How many times a live table is read before a changing one is taken as it is.
const LIVE_TRIES: usize = 5;

/// The size of each read of a table file.
pub const CHUNK: usize = 1 << 16;

/// An open table file whose syscalls are traced under `prog` when it is `Some` and
/// `ROOTBOX_TRACE` is on, in strace's shape: `open(...)`, `read(3, ..., 65536) = 1234`,
/// `poll([{fd=3, events=POLLPRI}], 1, 0) = 0`, `lseek(3, 0, SEEK_SET) = 0`, `close(3) = 0`.
#[derive(Debug)]
pub struct TableFile<'a> {
    prog: Option<&'a str>,
    fd: Option<OwnedFd>,
}

impl<'a> TableFile<'a> {
    /// `open(path, O_RDONLY|O_CLOEXEC)`.
    pub fn open(prog: Option<&'a str>, path: &Path) -> io::Result<TableFile<'a>> {
        let result = nix::fcntl::open(path, OFlag::O_RDONLY | OFlag::O_CLOEXEC, Mode::empty());
        let result = traced(prog, result, || {
            format!(
                "open({}, O_RDONLY|O_CLOEXEC)",
                trace::quote(path.as_os_str().as_bytes())
            )
        });
        Ok(TableFile {
            prog,
            fd: Some(result?),
        })
    }

    fn raw(&self) -> i32 {
        self.fd.as_ref().map_or(-1, AsRawFd::as_raw_fd)
    }

    /// Append everything from the current offset to EOF to `text`, in reads of [`CHUNK`]
    /// bytes (a seq_file such as mountinfo returns at most a page or so per read anyway).
    /// The buffer grows by doubling and is zero-filled only when it grows, so a 14 MB
    /// table of 100k mounts costs O(n), not a fill of the whole buffer per read.
    pub fn read_to_end(&self, text: &mut Vec<u8>) -> io::Result<()> {
        let mut filled = text.len();
        let result = loop {
            if text.len() < filled + CHUNK {
                let size = (filled + CHUNK).max(text.len() * 2);
                text.resize(size, 0);
            }
            match self.read(&mut text[filled..filled + CHUNK]) {
                Ok(0) => break Ok(()),
                Ok(n) => filled += n,
                Err(e) => break Err(e),
            }
        };
        text.truncate(filled);
        result
    }

    /// Read from the current offset to EOF through `buf`, pushing each piece into
    /// `parser`: the text is parsed while it is still in the cache, and never held whole.
    pub fn parse_to_end(&self, mut parser: Parser, buf: &mut [u8]) -> io::Result<Table> {
        loop {
            let n = self.read(buf)?;
            if n == 0 {
                return Ok(parser.end());
            }
            parser.push(&buf[..n]);
        }
    }

    /// One traced `read(2)` into `buf` (retried on EINTR).
    pub fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        let Some(fd) = &self.fd else {
            return Err(Errno::EBADF.into());
        };
        let size = buf.len();
        let result = loop {
            match nix::unistd::read(fd, buf) {
                Err(Errno::EINTR) => continue,
                other => break other,
            }
        };
        let n = traced(self.prog, result, || {
            format!("read({}, ..., {size})", self.raw())
        })?;
        Ok(n)
    }

    /// `lseek(fd, 0, SEEK_SET)`, to read the table again.
    pub fn rewind(&self) -> io::Result<()> {
        let Some(fd) = &self.fd else {
            return Err(Errno::EBADF.into());
        };
        let result = nix::unistd::lseek(fd, 0, nix::unistd::Whence::SeekSet).map(|_| ());
        traced(self.prog, result, || {
            format!("lseek({}, 0, SEEK_SET)", self.raw())
        })?;
        Ok(())
    }

    /// Wait up to `timeout_ms` (negative: forever) for the mount table behind the file to
    /// change since it was opened or last read: `poll(POLLPRI)`; true when it did.
    pub fn wait_change(&self, timeout_ms: i32) -> io::Result<bool> {
        let Some(fd) = &self.fd else {
            return Err(Errno::EBADF.into());
        };
        let timeout = if timeout_ms < 0 {
            PollTimeout::NONE
        } else {
            PollTimeout::try_from(timeout_ms).unwrap_or(PollTimeout::MAX)
        };
        let mut fds = [PollFd::new(fd.as_fd(), PollFlags::POLLPRI)];
        let result = poll(&mut fds, timeout);
        let n = traced(self.prog, result, || {
            format!(
                "poll([{{fd={}, events=POLLPRI}}], 1, {timeout_ms})",
                self.raw()
            )
        })?;
        Ok(n > 0
            && fds[0]
                .revents()
                .is_some_and(|r| r.intersects(PollFlags::POLLPRI | PollFlags::POLLERR)))
    }
}

impl Drop for TableFile<'_> {
    fn drop(&mut self) {
        if let Some(fd) = self.fd.take() {
            let raw = fd.as_raw_fd();
            // A read-only descriptor: nothing can be lost if close fails.
            let _ = traced(self.prog, nix::unistd::close(fd), || {
                format!("close({raw})")
            });
        }
    }
}

/// [`trace::call`] when there is a `prog` to trace under.
fn traced<T: trace::Shown>(
    prog: Option<&str>,
    result: nix::Result<T>,
    desc: impl FnOnce() -> String,
) -> nix::Result<T> {
    match prog {
        Some(prog) => trace::call(prog, result, desc),
        None => result,
    }
}

/// The parent→children relation of a mountinfo table, built once in O(n log n).
///
/// Children of an entry are the entries whose parent ID is its ID, in ascending ID order
/// (libmount `mnt_table_next_child_fs`), an entry is never its own child, and of several
/// entries sharing one ID only the first in file order is anyone's child. Built from
/// sorted arrays, not hash maps: no input (a `-F` file's IDs are anyone's choice) can make
/// it slower than the sorts.
#[derive(Clone, Debug, Default)]
pub struct Index {
    /// (mount ID, entry) of the first entry with each ID, by ID.
    ids: Vec<(u64, usize)>,
    /// Children of entry `i` are `kids[start[i]..start[i + 1]]`.
    start: Vec<usize>,
    kids: Vec<usize>,
}

impl Index {
    /// Build the index of `entries`.
    pub fn new(entries: &[Entry]) -> Index {
        let mut ids: Vec<(u64, usize)> =
            entries.iter().enumerate().map(|(i, e)| (e.id, i)).collect();
        // By ID, then file order: the first of each run of one ID is the first in the file.
        ids.sort_unstable();
        ids.dedup_by_key(|&mut (id, _)| id);
        // (parent ID, child's place in `ids`): only the first entry of an ID is a child,
        // never of itself. Sorted, each parent's children are together, in child-ID order
        // (`ids` is in ID order).
        let mut edges: Vec<(u64, usize)> = ids
            .iter()
            .enumerate()
            .filter_map(|(k, &(id, i))| {
                let parent = entries.get(i)?.parent;
                (parent != id).then_some((parent, k))
            })
            .collect();
        edges.sort_unstable();
        let mut start = Vec::with_capacity(entries.len() + 1);
        let mut kids = Vec::with_capacity(edges.len());
        // Every entry carrying the parent ID has these children (duplicate IDs included).
        for e in entries {
            start.push(kids.len());
            let from = edges.partition_point(|&(parent, _)| parent < e.id);
            kids.extend(
                edges[from..]
                    .iter()
                    .take_while(|&&(parent, _)| parent == e.id)
                    .map(|&(_, k)| ids[k].1),
            );
        }
        start.push(kids.len());
        Index { ids, start, kids }
    }

    /// The children of entry `i`, in ascending mount-ID order.
    pub fn children(&self, i: usize) -> &[usize] {
        match (self.start.get(i), self.start.get(i + 1)) {
            (Some(&a), Some(&b)) => &self.kids[a..b],
            _ => &[],
        }
    }

    /// The first entry (in file order) with this mount ID.
    pub fn by_id(&self, id: u64) -> Option<usize> {
        let at = self.ids.binary_search_by_key(&id, |&(id, _)| id).ok()?;
        Some(self.ids[at].1)
    }

    /// The root of the tree as libmount finds it: the first entry with the lowest parent
    /// ID, then up through parent IDs while a parent exists (stopping on a cycle, where
    /// libmount loops forever).
    pub fn root(&self, entries: &[Entry]) -> Option<usize> {
        let mut root = None;
        for (i, e) in entries.iter().enumerate() {
            if root.is_none_or(|r: usize| e.parent < entries[r].parent) {
                root = Some(i);
            }
        }
        let mut root = root?;
        let mut seen = vec![false; entries.len()];
        seen[root] = true;
        while let Some(up) = self.by_id(entries[root].parent) {
            if seen[up] {
                break;
            }
            seen[up] = true;
            root = up;
        }
        Some(root)
    }
}

/// One line of a tree laid out by [`forest`]: the entry and the line it hangs under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placed {
    /// Index of the entry in the table.
    pub entry: usize,
    /// Index (into the returned list) of the parent line, if any.
    pub parent: Option<usize>,
}

/// Lay out the whole table as findmnt's default tree does, in O(n): the tree under the
/// root, where entries that do not satisfy `wanted` are left out and their children hang
/// under the nearest wanted ancestor; then every wanted entry that is not yet placed
/// (orphans, cycle members, entries under unwanted unreachable parents) starts a new tree,
/// in file order. Each entry is placed at most once, so cycles, self-parents and duplicate
/// IDs cannot loop or repeat.
///
/// One util-linux quirk is kept so that output matches: when a later tree reaches an entry
/// already placed, that tree stops growing (`create_treenode` gives up at that point).
pub fn forest(entries: &[Entry], index: &Index, wanted: &dyn Fn(usize) -> bool) -> Vec<Placed> {
    let mut out = Vec::new();
    let mut placed = vec![false; entries.len()];
    let mut expanded = vec![false; entries.len()];
    let Some(root) = index.root(entries) else {
        return out;
    };
    grow(
        root,
        index,
        wanted,
        &mut out,
        &mut placed,
        &mut expanded,
        true,
    );
    for i in 0..entries.len() {
        if !placed[i] && wanted(i) {
            grow(
                i,
                index,
                wanted,
                &mut out,
                &mut placed,
                &mut expanded,
                false,
            );
        }
    }
    out
}

/// Place `top` and its subtree (iteratively: trees may be 100k deep).
fn grow(
    top: usize,
    index: &Index,
    wanted: &dyn Fn(usize) -> bool,
    out: &mut Vec<Placed>,
    placed: &mut [bool],
    expanded: &mut [bool],
    first: bool,
) {
    // Stack of (entry, line its children hang under, next child position).
    let mut stack: Vec<(usize, Option<usize>, usize)> = Vec::new();
    let mut visit =
        |i: usize, parent: Option<usize>, out: &mut Vec<Placed>| -> Option<Option<usize>> {
            let line = if wanted(i) {
                if placed[i] {
                    return None;
                }
                placed[i] = true;
                out.push(Placed { entry: i, parent });
                Some(out.len() - 1)
            } else {
                parent
            };
            Some(line)
        };
    match visit(top, None, out) {
        Some(line) if !expanded[top] => {
            expanded[top] = true;
            stack.push((top, line, 0));
        }
        _ => return,
    }
    while let Some(top_frame) = stack.last_mut() {
        let (i, line, next) = *top_frame;
        let Some(&child) = index.children(i).get(next) else {
            stack.pop();
            continue;
        };
        top_frame.2 += 1;
        match visit(child, line, out) {
            // Reached an entry already placed: util-linux stops this whole tree; in the
            // first tree (only possible with cycles or duplicate IDs) we skip it instead,
            // which is the deliberate fix: every entry printed once, nothing lost.
            None if !first => return,
            None => {}
            Some(child_line) if !expanded[child] => {
                expanded[child] = true;
                stack.push((child, child_line, 0));
            }
            Some(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: &[u8] =
        b"36 35 98:0 /mnt1 /mnt\\0402 rw,noatime master:1 shared:7 - ext3 /dev/root rw,errors=continue";

    fn mi(text: &str) -> Vec<Entry> {
        parse(text.as_bytes(), Format::MountInfo).entries
    }

    #[test]
    fn mountinfo_line() {
        let e = parse_mountinfo(LINE).unwrap();
        assert_eq!((e.id, e.parent, e.major, e.minor), (36, 35, 98, 0));
        assert_eq!(e.root(), b"/mnt1");
        assert_eq!(e.target(), b"/mnt 2");
        assert_eq!(e.vfs_options(), b"rw,noatime");
        assert_eq!(e.opt_fields(), b"master:1 shared:7");
        assert_eq!(e.fstype(), b"ext3");
        assert_eq!(e.source(), b"/dev/root");
        assert_eq!(e.fs_options(), b"rw,errors=continue");
    }

    #[test]
    fn empty_source_and_no_optional_fields() {
        let e = parse_mountinfo(b"1 0 0:5 / / rw - tmpfs  rw").unwrap();
        assert_eq!(e.source(), b"");
        assert_eq!(e.opt_fields(), b"");
        assert_eq!(e.fs_options(), b"rw");
    }

    #[test]
    fn libmount_field_rules() {
        // Trailing text is ignored, tabs separate, CR does not.
        let e = parse_mountinfo(b"1 0 0:5 / / rw - tmpfs t rw extra").unwrap();
        assert_eq!(e.fs_options(), b"rw");
        let e = parse_mountinfo(b"1 0 8:1 / /a\tb rw - tmpfs src rw").unwrap();
        assert_eq!((e.target(), e.vfs_options()), (&b"/a"[..], &b"b"[..]));
        assert_eq!(e.opt_fields(), b"rw");
        let e = parse_mountinfo(b"1 0 8:1 / /a\rb rw - tmpfs src rw").unwrap();
        assert_eq!(e.target(), b"/a\rb");
        // The first " - " ends the optional fields.
        let e = parse_mountinfo(b"1 0 8:1 / /x rw - opt - tmpfs src rw").unwrap();
        assert_eq!((e.fstype(), e.source()), (&b"opt"[..], &b"-"[..]));
        let e = parse_mountinfo(b"1 0 8:1 / /x rw shared:1 - - tmpfs src rw").unwrap();
        assert_eq!((e.opt_fields(), e.fstype()), (&b"shared:1"[..], &b"-"[..]));
        // Double spaces after the separator: an empty source.
        let e = parse_mountinfo(b"1 0 8:1  /  /x  rw  -  tmpfs  src  rw").unwrap();
        assert_eq!((e.source(), e.fs_options()), (&b""[..], &b"src"[..]));
        let e = parse_mountinfo(b" 1  0 8:1 / /x rw - t s o").unwrap();
        assert_eq!((e.id, e.parent), (1, 0));
    }

    #[test]
    fn garbage_is_rejected() {
        for bad in [
            &b""[..],
            b"x 0 0:5 / / rw - tmpfs t rw",
            b"1 0 05 / / rw - tmpfs t rw",
            b"1 0 0:5 / / rw tmpfs t rw",
            b"1 0 0:5 / / rw - tmpfs t",
            b"1 0 0:5 / / rw - tmpfs",
            b"1 0 0:5 / / rw -",
            b"1 0 0:5 / /x rw",
            b"1x 0 0:5 / / rw - tmpfs t rw",
            b"-1 0 0:5 / / rw - tmpfs t rw",
            b"1",
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
        assert_eq!(unescape(b"\\x41\\n\\4\\"), b"\\x41\\n\\4\\");
        assert_eq!(unescape(b"\\377\\777"), b"\xff\xff");
        assert_eq!(unescape(b"ab\\000cd"), b"ab");
        assert_eq!(unescape(b"\\\\040"), b"\\ ");
    }

    #[test]
    fn table_reports_bad_and_cut_off_lines() {
        let text = b"1 0 0:5 / / rw - tmpfs t rw\nnonsense\n2 1 0:6 / /a rw - tmpfs t r";
        let t = parse(text, Format::MountInfo);
        assert_eq!(t.entries.len(), 2);
        assert_eq!(t.bad_lines, vec![2]);
        assert!(t.truncated);
        assert_eq!(
            t.warnings("f"),
            vec![
                "f: parse error at line 2 -- ignored".to_string(),
                "f: last line is not terminated by a newline (file cut off?)".to_string()
            ]
        );
        assert_eq!(
            parse(b"", Format::MountInfo),
            Table {
                format: Some(Format::MountInfo),
                ..Table::default()
            }
        );
        // Comments, blank lines, CRLF and NUL bytes.
        let t = parse(
            b"# c\n\n  \n1 0 0:5 / / rw - t s o\r\n2 1 0:6 / /a\0 rw - t s o\n",
            Format::MountInfo,
        );
        assert_eq!(t.entries.len(), 1);
        assert_eq!(t.entries[0].fs_options(), b"o");
        assert_eq!(t.bad_lines, vec![5]);
    }

    #[test]
    fn long_lines() {
        let long = "x".repeat(1 << 20);
        let t = parse(
            format!("1 0 0:5 / /{long} rw - t s o\n").as_bytes(),
            Format::MountInfo,
        );
        assert_eq!(t.entries[0].target().len(), (1 << 20) + 1);
    }

    #[test]
    fn fstab_lines() {
        let t = parse(
            b"# comment\n\n/dev/sda1\t/  ext4 defaults,noatime 0 1\nUUID=x /a\\040b swap\nbad\nproc /proc\na b c d x\n",
            Format::Fstab,
        );
        assert_eq!(t.bad_lines, vec![5, 6, 7]);
        assert_eq!(t.entries[0].source(), b"/dev/sda1");
        assert_eq!(t.entries[0].vfs_options(), b"defaults,noatime");
        assert_eq!((t.entries[0].freq, t.entries[0].passno), (0, 1));
        assert_eq!(t.entries[1].target(), b"/a b");
        assert_eq!(t.entries[1].fstype(), b"swap");
        assert_eq!(t.entries[1].vfs_options(), b"");
        let g = parse(b"garbage line here\n", Format::Fstab);
        assert_eq!(g.entries[0].target(), b"line");
    }

    #[test]
    fn format_detection() {
        assert_eq!(Format::detect(LINE), Format::MountInfo);
        assert_eq!(
            Format::detect(b"# x\nproc /proc proc rw 0 0\n"),
            Format::Fstab
        );
        assert_eq!(Format::detect(b"  1\t2 x\n"), Format::MountInfo);
    }

    #[test]
    fn index_orders_children_by_id() {
        let e = mi("20 1 0:1 / / rw - e s o\n30 20 0:1 / /c rw - e s o\n\
             21 20 0:1 / /a rw - e s o\n22 21 0:1 / /a/b rw - e s o\n");
        let ix = Index::new(&e);
        assert_eq!(ix.children(0), &[2, 1]);
        assert_eq!(ix.children(2), &[3]);
        assert_eq!(ix.root(&e), Some(0));
        let all = |_: usize| true;
        let f = forest(&e, &ix, &all);
        let order: Vec<usize> = f.iter().map(|p| p.entry).collect();
        assert_eq!(order, vec![0, 2, 3, 1]);
        assert_eq!(f[2].parent, Some(1));
    }

    #[test]
    fn index_with_duplicate_ids_and_self_parents() {
        // 0: id 7; 1: id 7 again; 2,3: children of 7 (ids 9, 8); 4: its own parent;
        // 5: child of the second 7 only by ID.
        let e = mi("7 1 0:1 / /a rw - e s o\n7 1 0:1 / /b rw - e s o\n\
             9 7 0:1 / /a/9 rw - e s o\n8 7 0:1 / /a/8 rw - e s o\n\
             4 4 0:1 / /self rw - e s o\n");
        let ix = Index::new(&e);
        assert_eq!(ix.by_id(7), Some(0));
        assert_eq!(ix.by_id(4), Some(4));
        assert_eq!(ix.by_id(5), None);
        assert_eq!(ix.children(0), &[3, 2]);
        assert_eq!(ix.children(1), &[3, 2]);
        assert_eq!(ix.children(4), &[] as &[usize]);
        assert_eq!(ix.children(99), &[] as &[usize]);
        assert_eq!(ix.root(&e), Some(0));
    }

    #[test]
    fn cycles_orphans_duplicates_are_safe() {
        // A cycle with no root, a self-parent, duplicate IDs, an orphan.
        let e = mi("2 3 0:1 / /a rw - e s o\n3 2 0:1 / /a/b rw - e s o\n\
             5 5 0:1 / /self rw - e s o\n7 2 0:1 / /d1 rw - e s o\n\
             7 2 0:1 / /d2 rw - e s o\n8 7 0:1 / /d/x rw - e s o\n9 99 0:1 / /orph rw - e s o\n");
        let ix = Index::new(&e);
        let all = |_: usize| true;
        let f = forest(&e, &ix, &all);
        let mut seen: Vec<usize> = f.iter().map(|p| p.entry).collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), f.len(), "each entry at most once");
        assert_eq!(f.len(), e.len());
        // A deep chain does not recurse.
        let mut text = String::from("1 0 0:1 / / rw - e s o\n");
        for i in 2..200_000 {
            text.push_str(&format!("{i} {} 0:1 / /x rw - e s o\n", i - 1));
        }
        let e = mi(&text);
        let f = forest(&e, &Index::new(&e), &all);
        assert_eq!(f.len(), e.len());
    }

    #[test]
    fn unwanted_entries_pass_children_up() {
        let e = mi("1 0 0:1 / / rw - e s o\n2 1 0:1 / /a rw - t s o\n3 2 0:1 / /a/b rw - e s o\n");
        let ix = Index::new(&e);
        let f = forest(&e, &ix, &|i| e[i].fstype() == b"e");
        assert_eq!(
            f,
            vec![
                Placed {
                    entry: 0,
                    parent: None
                },
                Placed {
                    entry: 2,
                    parent: Some(0)
                }
            ]
        );
    }

    /// What the fuzz target (fuzz/fuzz_targets/parse.rs) checks, for one input.
    fn check_any(data: &[u8]) {
        for format in [Format::MountInfo, Format::Fstab, Format::detect(data)] {
            let table = parse(data, format);
            let index = Index::new(&table.entries);
            let placed = forest(&table.entries, &index, &|_| true);
            let mut seen = vec![false; table.entries.len()];
            for p in &placed {
                assert!(!seen[p.entry], "entry placed twice");
                seen[p.entry] = true;
            }
            let _ = forest(&table.entries, &index, &|i| i % 3 != 0);
        }
    }

    /// Replays the fuzz corpus on the stable toolchain (cargo-fuzz needs nightly).
    #[test]
    fn fuzz_corpus_replays_clean() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus/parse");
        let mut n = 0;
        for e in std::fs::read_dir(dir).unwrap() {
            check_any(&std::fs::read(e.unwrap().path()).unwrap());
            n += 1;
        }
        assert!(n >= 5);
    }

    /// A bounded random run: lines assembled from mountinfo-like tokens and raw bytes.
    #[test]
    fn random_tables_never_panic() {
        const TOKENS: &[&[u8]] = &[
            b"1",
            b"2",
            b"3",
            b"0",
            b"7",
            b"8:1",
            b"0:5",
            b"/",
            b"/a",
            b"\\040",
            b"\\",
            b"rw",
            b"shared:1",
            b"-",
            b" - ",
            b"tmpfs",
            b"",
            b"  ",
            b"\t",
            b"\r",
            b"\n",
            b"#",
            b"\0",
            b"\xff",
            b"LABEL=x",
            b"=",
            b",",
            b"99999999999",
            b"-1",
            b"+3",
        ];
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..3000 {
            let mut data = Vec::new();
            for _ in 0..(next() % 60) {
                if next() % 5 == 0 {
                    data.push((next() % 256) as u8);
                } else {
                    data.extend_from_slice(TOKENS[(next() % TOKENS.len() as u64) as usize]);
                    data.push(if next() % 7 == 0 { b'\n' } else { b' ' });
                }
            }
            check_any(&data);
        }
    }

    #[test]
    fn live_read_of_own_table() {
        let text = read_live(Path::new("/proc/self/mountinfo")).unwrap();
        let t = parse(&text, Format::MountInfo);
        assert!(t.bad_lines.is_empty());
        assert!(t.entries.iter().any(|e| e.target() == b"/"));
    }

    #[test]
    fn file_reads_whole_text_across_chunks_and_rewinds() {
        let path = std::env::temp_dir().join(format!("rootbox-table-{}", std::process::id()));
        // Longer than several read chunks, not a multiple of one.
        let text: Vec<u8> = (0..200_001u32).map(|i| b'a' + (i % 26) as u8).collect();
        std::fs::write(&path, &text).unwrap();
        assert_eq!(read_traced("test", &path).unwrap(), text);
        let file = TableFile::open(None, &path).unwrap();
        let mut got = Vec::new();
        file.read_to_end(&mut got).unwrap();
        file.rewind().unwrap();
        file.read_to_end(&mut got).unwrap();
        assert_eq!(got, [text.as_slice(), text.as_slice()].concat());
        std::fs::remove_file(&path).unwrap();
        assert_eq!(
            read_traced("test", &path).map_err(|e| e.raw_os_error()),
            Err(Some(Errno::ENOENT as i32))
        );
    }

    /// Text fed in pieces of any size parses exactly as the whole text does.
    #[test]
    fn pieces_parse_as_the_whole() {
        let texts: [&[u8]; 4] = [
            b"# c\n\n  \n1 0 0:5 / / rw - t s o\r\n2 1 0:6 / /a\0 rw - t s o\n\
              3 1 8:1 /r /a\\040b rw shared:1 - ext4 /dev/x\\011 rw,y\nbad\n4 3 0:1 / /c rw - t  o\n\
              5 4 0:1 / /cut\0x rw - t s o",
            b"/dev/sda1 / ext4 rw 0 1\n#x\nproc /proc proc\nbad\n",
            b"\n\n",
            b"",
        ];
        for text in texts {
            let format = Format::detect(text);
            let whole = parse(text, format);
            for size in 1..=text.len().max(1) {
                for given in [Some(format), None] {
                    let mut p = Parser::new(given);
                    for piece in text.chunks(size) {
                        p.push(piece);
                    }
                    // Detection may find no format in a text of blank lines; the rest agrees.
                    let got = p.end();
                    assert_eq!(got.entries, whole.entries, "size {size}");
                    assert_eq!(got.bad_lines, whole.bad_lines, "size {size}");
                    assert_eq!(got.truncated, whole.truncated, "size {size}");
                }
            }
            // Every split into two pieces, through feed/finish.
            for at in 0..=text.len() {
                let mut p = Parser::new(Some(format));
                p.push(&text[..at]);
                p.push(&text[at..]);
                assert_eq!(p.end(), whole, "split at {at}");
            }
        }
        let detected = |t: &[u8]| {
            let mut p = Parser::new(None);
            p.push(t);
            p.end().format
        };
        assert_eq!(detected(LINE), Some(Format::MountInfo));
        assert_eq!(
            detected(b"# x\n\nproc /proc proc rw 0 0\n"),
            Some(Format::Fstab)
        );
        assert_eq!(detected(b"# only a comment\n\n"), None);
    }

    #[test]
    fn find_byte_agrees_with_position() {
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        for len in 0..80 {
            let data: Vec<u8> = (0..len)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    [b'a', b'\n', 0, 0x80, 0xff, b'-', b' '][(x % 7) as usize]
                })
                .collect();
            for start in 0..len.min(9) {
                for b in [b'\n', 0, 0x80, 0xff, b'-', b'z'] {
                    let hay = &data[start..];
                    assert_eq!(find_byte(hay, b), hay.iter().position(|&c| c == b));
                }
            }
        }
        for len in 0..40 {
            for at in 0..len {
                for sep in [b' ', b'\t'] {
                    let mut hay: Vec<u8> = (0..len).map(|i| b'a' + (i % 26) as u8).collect();
                    hay[at] = sep;
                    if at + 3 < len {
                        hay[at + 3] = b' ';
                    }
                    assert_eq!(find_separator(&hay), Some(at), "{len} {at}");
                }
            }
            let plain: Vec<u8> = (0..len).map(|i| [b'x', 0x80, 0x09 ^ 0x80][i % 3]).collect();
            assert_eq!(find_separator(&plain), None);
        }
        assert_eq!(find_dash(b" rw - x"), Some(3));
        assert_eq!(find_dash(b"a-b - - c"), Some(3));
        assert_eq!(find_dash(b"-- -x"), None);
    }

    #[test]
    fn entry_fields_set_and_compare() {
        let e = parse_mountinfo(LINE).unwrap();
        let mut f = e.clone();
        f.set(Field::Source, b"/dev/sda1");
        assert_eq!(f.source(), b"/dev/sda1");
        for field in FIELD_ORDER {
            if field != Field::Source {
                assert_eq!(f.get(field), e.get(field), "{field:?}");
            }
        }
        assert_ne!(f, e);
        f.set(Field::Source, b"/dev/root");
        assert_eq!(f, e);
        let g = Entry::default()
            .with(Field::FsOptions, b"rw")
            .with(Field::Root, b"/")
            .with(Field::Target, b"");
        assert_eq!(
            (g.root(), g.target(), g.fs_options()),
            (&b"/"[..], &b""[..], &b"rw"[..])
        );
        assert_eq!(g.source(), b"");
        // Same fields, built in another order: equal.
        let h = Entry::default()
            .with(Field::Root, b"/")
            .with(Field::FsOptions, b"rw");
        assert_eq!(g, h);
        assert!(format!("{g:?}").contains("fs_options: \"rw\""));
    }

    #[test]
    fn read_parsed_is_read_then_parse() {
        let path = std::env::temp_dir().join(format!("rootbox-parsed-{}", std::process::id()));
        let mut text = Vec::new();
        for i in 1..3000 {
            text.extend_from_slice(
                format!(
                    "{i} {} 0:{i} / /m\\040{i} rw shared:{i} - tmpfs s{i} rw\n",
                    i - 1
                )
                .as_bytes(),
            );
        }
        text.extend_from_slice(b"x y");
        std::fs::write(&path, &text).unwrap();
        let got = read_parsed(None, &path, false, None).unwrap();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(got, parse(&text, Format::MountInfo));
        assert_eq!(got.entries.len(), 2999);
        assert_eq!(got.bad_lines, vec![3000]);
        assert!(got.truncated);
        let live = read_parsed(None, Path::new("/proc/self/mountinfo"), true, None).unwrap();
        assert_eq!(live.format, Some(Format::MountInfo));
        assert!(live.entries.iter().any(|e| e.target() == b"/"));
    }

    #[test]
    fn propagation_from_optional_fields() {
        let of = |fields: &str| Entry::default().with(Field::OptFields, fields.as_bytes());
        let shared = |fields: &str| of(fields).is_shared();
        assert!(!shared(""));
        assert!(shared("shared:1"));
        assert!(shared("master:1 shared:7"));
        assert!(!shared("master:3 propagate_from:2"));
        assert!(!shared("unbindable"));
        // A field only counts from its start, as the kernel writes them.
        assert!(!shared("xshared:1 amaster:2 unbindablex"));
        let e = of("master:1 shared:7");
        assert_eq!(
            e.optional_fields().collect::<Vec<_>>(),
            [&b"master:1"[..], b"shared:7"]
        );
    }
}
