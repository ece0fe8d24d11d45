//! A table printer that lays out text exactly as util-linux's libsmartcols does for the
//! tables lsns builds: column widths, right alignment, tree art, truncation on a terminal,
//! multi-line cells, raw and JSON output.
//!
//! The rules, from libsmartcols (calculate.c, print.c, lib/jsonwrt.c) and checked against
//! util-linux 2.38 lsns output:
//! - A column is as wide as its widest cell (tree art included), at least as wide as its
//!   header; an absolute width hint widens it only when both are narrower than the hint.
//! - Columns are separated by one space; the last column is never padded on the right.
//! - Only on a terminal is the table fitted to its width (`COLUMNS`, else the terminal's,
//!   else 80): truncatable columns lose one cell per round until it fits or they reach
//!   their header's width. Piped output is never truncated.
//! - Raw output escapes blanks, backslash and every byte that is not printable ASCII as
//!   `\xNN`; JSON nests children under `"children"`, empty cells are `null`.
//! - Human output escapes control bytes (and invalid or non-printable multibyte text) as
//!   `\xNN`; outside a UTF-8 locale every byte above 0x7f is escaped.

use common::escape;

/// A column: header, layout flags, JSON type.
#[derive(Debug, Clone)]
pub struct Column {
    /// Header text; lowercased as the JSON key.
    pub name: &'static str,
    /// Absolute width hint (libsmartcols `whint` ≥ 1), 0 for none.
    pub whint: usize,
    /// Right-aligned.
    pub right: bool,
    /// May be truncated to fit a terminal.
    pub trunc: bool,
    /// A multi-line cell: its text is split at newlines, one chunk per output line.
    pub wrap_nl: bool,
    /// The column that carries the tree art.
    pub tree: bool,
    /// A number in JSON (unquoted).
    pub number: bool,
}

/// Output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Aligned columns.
    Human,
    /// Cells separated by one space, escaped.
    Raw,
    /// JSON, `{"NAME": [ {...}, ... ]}`.
    Json,
}

/// Tree art symbols: branch, vertical, last branch.
struct Symbols {
    branch: &'static str,
    vertical: &'static str,
    right: &'static str,
}

const UTF8_SYMBOLS: Symbols = Symbols {
    branch: "\u{251c}\u{2500}",
    vertical: "\u{2502} ",
    right: "\u{2514}\u{2500}",
};

const ASCII_SYMBOLS: Symbols = Symbols {
    branch: "|-",
    vertical: "| ",
    right: "`-",
};

struct Line {
    cells: Vec<Vec<u8>>,
    parent: Option<usize>,
    children: Vec<usize>,
}

/// A table being built, then printed once.
pub struct Table {
    columns: Vec<Column>,
    lines: Vec<Line>,
    /// Output format.
    pub format: Format,
    /// Print the header line.
    pub headings: bool,
    /// The locale's charset is UTF-8 (tree art and text passed through).
    pub utf8: bool,
    /// The terminal's width, when stdout is a terminal.
    pub term_width: Option<usize>,
    /// The JSON array's name.
    pub json_name: &'static str,
}

impl Table {
    /// A table with these columns.
    pub fn new(columns: Vec<Column>) -> Table {
        Table {
            columns,
            lines: Vec::new(),
            format: Format::Human,
            headings: true,
            utf8: false,
            term_width: None,
            json_name: "table",
        }
    }

    /// Add a line under `parent` (a previous line's index); returns its index.
    pub fn add_line(&mut self, parent: Option<usize>, cells: Vec<Vec<u8>>) -> usize {
        let index = self.lines.len();
        let parent = parent.filter(|&p| p < index);
        if let Some(p) = parent {
            self.lines[p].children.push(index);
        }
        self.lines.push(Line {
            cells,
            parent,
            children: Vec::new(),
        });
        index
    }

    fn is_tree(&self) -> bool {
        self.columns.iter().any(|c| c.tree)
    }

    /// The lines in print order: insertion order, or depth first from the roots.
    fn order(&self) -> Vec<usize> {
        if !self.is_tree() {
            return (0..self.lines.len()).collect();
        }
        let mut order = Vec::with_capacity(self.lines.len());
        let mut stack: Vec<usize> = self
            .lines
            .iter()
            .enumerate()
            .filter(|(_, l)| l.parent.is_none())
            .map(|(i, _)| i)
            .rev()
            .collect();
        while let Some(i) = stack.pop() {
            order.push(i);
            stack.extend(self.lines[i].children.iter().rev());
        }
        order
    }

    fn symbols(&self) -> &'static Symbols {
        if self.utf8 {
            &UTF8_SYMBOLS
        } else {
            &ASCII_SYMBOLS
        }
    }

    fn is_last_child(&self, i: usize) -> bool {
        match self.lines[i].parent {
            Some(p) => self.lines[p].children.last() == Some(&i),
            None => true,
        }
    }

    /// The art in front of line `i`'s tree cell: `│ ` or two spaces per ancestor below the
    /// root, then `├─` or `└─`.
    fn art(&self, i: usize) -> String {
        let Some(parent) = self.lines[i].parent else {
            return String::new();
        };
        let mut art = self.continuation(parent);
        let sym = self.symbols();
        art.push_str(if self.is_last_child(i) {
            sym.right
        } else {
            sym.branch
        });
        art
    }

    /// The art that continues line `i`'s ancestry on a following output line.
    fn continuation(&self, i: usize) -> String {
        let Some(parent) = self.lines[i].parent else {
            return String::new();
        };
        let mut art = self.continuation(parent);
        art.push_str(if self.is_last_child(i) {
            "  "
        } else {
            self.symbols().vertical
        });
        art
    }

    /// Print the table to `out`. An empty table prints nothing, except JSON's empty array.
    pub fn print(&self, out: &mut Vec<u8>) {
        match self.format {
            Format::Human => self.print_human(out),
            Format::Raw => self.print_raw(out),
            Format::Json => self.print_json(out),
        }
    }

    fn print_raw(&self, out: &mut Vec<u8>) {
        if self.lines.is_empty() {
            return;
        }
        let mut rows: Vec<Vec<Vec<u8>>> = Vec::new();
        if self.headings {
            rows.push(
                self.columns
                    .iter()
                    .map(|c| c.name.as_bytes().to_vec())
                    .collect(),
            );
        }
        let tree = self.is_tree();
        for i in self.order() {
            let row = self
                .columns
                .iter()
                .enumerate()
                .map(|(c, col)| {
                    let mut cell = Vec::new();
                    if tree && col.tree {
                        cell.extend_from_slice(self.art(i).as_bytes());
                    }
                    cell.extend_from_slice(self.cell(i, c));
                    cell
                })
                .collect();
            rows.push(row);
        }
        for row in rows {
            for (c, cell) in row.iter().enumerate() {
                if c > 0 {
                    out.push(b' ');
                }
                escape::raw(cell, out);
            }
            out.push(b'\n');
        }
    }

    fn cell(&self, line: usize, column: usize) -> &[u8] {
        self.lines[line]
            .cells
            .get(column)
            .map_or(&[][..], Vec::as_slice)
    }

    fn print_json(&self, out: &mut Vec<u8>) {
        let mut w = Json::default();
        out.extend_from_slice(b"{\n");
        w.indent = 1;
        w.open(out, Some(self.json_name), b'[');
        let tree = self.is_tree();
        let roots: Vec<usize> = self.order();
        let last_root = self.lines.iter().rposition(|l| l.parent.is_none());
        for i in roots {
            w.open(out, None, b'{');
            for (c, col) in self.columns.iter().enumerate() {
                let key = col.name.to_ascii_lowercase();
                w.value(out, &key, self.cell(i, c), col.number);
            }
            if tree && !self.lines[i].children.is_empty() {
                w.open(out, Some("children"), b'[');
                continue;
            }
            if !tree {
                w.close(out, b'}');
                continue;
            }
            // Close this object, and every parent whose last child it ends.
            let mut ln = Some(i);
            while let Some(l) = ln {
                let is_child = self.lines[l].parent.is_some();
                let last = if is_child {
                    self.is_last_child(l)
                } else {
                    Some(l) == last_root
                };
                w.close(out, b'}');
                if last && is_child {
                    w.close(out, b']');
                }
                if !last {
                    break;
                }
                ln = self.lines[l].parent;
            }
        }
        w.close(out, b']');
        out.extend_from_slice(b"\n}\n");
    }

    fn print_human(&self, out: &mut Vec<u8>) {
        if self.lines.is_empty() {
            return;
        }
        let tree = self.is_tree();
        let order = self.order();
        // Every cell encoded once: (art, chunks of encoded text with their widths).
        let mut grid: Vec<Vec<Cell>> = vec![Vec::new(); self.lines.len()];
        for &i in &order {
            grid[i] = self
                .columns
                .iter()
                .enumerate()
                .map(|(c, col)| {
                    let art = if tree && col.tree {
                        self.art(i)
                    } else {
                        String::new()
                    };
                    let data = self.cell(i, c);
                    let chunks = if col.wrap_nl {
                        data.split(|&b| b == b'\n')
                            .filter(|c| !c.is_empty())
                            .map(|c| encode(c, self.utf8))
                            .collect()
                    } else if data.is_empty() {
                        Vec::new()
                    } else {
                        vec![encode(data, self.utf8)]
                    };
                    Cell { art, chunks }
                })
                .collect();
        }
        let widths = self.widths(&order, &grid);
        let last = self.columns.len().saturating_sub(1);
        let mut p = Printer {
            out,
            columns: &self.columns,
            widths: &widths,
            last,
        };
        if self.headings {
            for (c, col) in self.columns.iter().enumerate() {
                let header = encode(col.name.as_bytes(), self.utf8);
                p.data(c, &header.0, header.1, String::new);
            }
            p.out.push(b'\n');
        }
        for (n, &i) in order.iter().enumerate() {
            let cells = &grid[i];
            let continuation = || self.continuation_with_children(i);
            for (c, cell) in cells.iter().enumerate() {
                let (text, width) = cell.first();
                let mut shown = cell.art.clone();
                shown.push_str(text);
                p.data(c, &shown, width + art_width(&cell.art), continuation);
            }
            // Further lines of multi-line cells.
            let depth = cells.iter().map(|c| c.chunks.len()).max().unwrap_or(0);
            for row in 1..depth {
                p.out.push(b'\n');
                for (c, cell) in cells.iter().enumerate() {
                    match cell.chunks.get(row) {
                        Some((text, width)) => p.pending(c, text, *width),
                        None => p.empty(c, &continuation()),
                    }
                }
            }
            if n + 1 < order.len() {
                p.out.push(b'\n');
            }
        }
        p.out.push(b'\n');
    }

    fn continuation_with_children(&self, i: usize) -> String {
        let mut art = self.continuation(i);
        if !self.lines[i].children.is_empty() {
            art.push_str(self.symbols().vertical);
        }
        art
    }

    /// Column widths by libsmartcols' rules (`count_column_width()`, `__scols_calculate()`).
    fn widths(&self, order: &[usize], grid: &[Vec<Cell>]) -> Vec<usize> {
        let mut widths = Vec::with_capacity(self.columns.len());
        let mut minimums = Vec::with_capacity(self.columns.len());
        let mut tree_art = Vec::with_capacity(self.columns.len());
        for (c, col) in self.columns.iter().enumerate() {
            let min = encode(col.name.as_bytes(), self.utf8).1.max(1);
            let mut width = 0;
            let mut art = 0;
            for &i in order {
                let cell = &grid[i][c];
                let data = cell.chunks.iter().map(|(_, w)| *w).max().unwrap_or(0);
                width = width.max(art_width(&cell.art) + data);
                art = art.max(art_width(&cell.art));
            }
            if width < min {
                width = min;
            } else if col.whint >= 1 && width < col.whint && min < col.whint {
                width = col.whint;
            }
            widths.push(width);
            minimums.push(min);
            tree_art.push(art);
        }
        let Some(term) = self.term_width else {
            return widths;
        };
        let mut total: usize = widths.iter().sum::<usize>() + widths.len().saturating_sub(1);
        // Only truncatable columns give way (libsmartcols' stage 2; lsns sets no relative
        // width hints, so stages 1 and 3 never apply).
        while total > term {
            let before = total;
            for (c, col) in self.columns.iter().enumerate() {
                if total <= term {
                    break;
                }
                if widths[c] == minimums[c] || (col.tree && total <= tree_art[c]) {
                    continue;
                }
                if col.trunc && widths[c] > 0 {
                    widths[c] -= 1;
                    total -= 1;
                }
            }
            if total == before {
                break;
            }
        }
        widths
    }
}

/// One cell, encoded for a terminal: tree art, and the text as one or more chunks.
#[derive(Clone, Default)]
struct Cell {
    art: String,
    chunks: Vec<(String, usize)>,
}

impl Cell {
    fn first(&self) -> (&str, usize) {
        self.chunks
            .first()
            .map_or(("", 0), |(t, w)| (t.as_str(), *w))
    }
}

fn art_width(art: &str) -> usize {
    art.chars().map(escape::char_width).sum()
}

/// Writes aligned cells.
struct Printer<'a> {
    out: &'a mut Vec<u8>,
    columns: &'a [Column],
    widths: &'a [usize],
    last: usize,
}

impl Printer<'_> {
    /// A cell of a first output line (libsmartcols `print_data()`).
    fn data(&mut self, c: usize, text: &str, len: usize, continuation: impl Fn() -> String) {
        let col = &self.columns[c];
        let is_last = c == self.last;
        let mut width = self.widths[c];
        if is_last && len < width && !col.right {
            width = len;
        }
        let (text, mut len) = if len > width && col.trunc {
            let (bytes, cells) = escape::cut(text.as_bytes(), width);
            (text.get(..bytes).unwrap_or(text), cells)
        } else {
            (text, len)
        };
        if !text.is_empty() {
            if col.right {
                self.pad(width.saturating_sub(len));
                len = width;
            }
            self.out.extend_from_slice(text.as_bytes());
        }
        if is_last {
            return;
        }
        self.pad(width.saturating_sub(len));
        if len > width && !col.trunc {
            // Too wide and not truncatable: the next column starts on a new line.
            self.out.push(b'\n');
            let art = continuation();
            for j in 0..=c {
                self.empty(j, &art);
            }
        } else {
            self.out.push(b' ');
        }
    }

    /// A further chunk of a multi-line cell (`print_pending_data()`).
    fn pending(&mut self, c: usize, text: &str, len: usize) {
        self.out.extend_from_slice(text.as_bytes());
        if c == self.last {
            return;
        }
        self.pad(self.widths[c].saturating_sub(len));
        self.out.push(b' ');
    }

    /// A cell with nothing to say on this output line, or the tree continuing
    /// (`print_empty_cell()`).
    fn empty(&mut self, c: usize, art: &str) {
        let mut len = 0;
        if self.columns[c].tree {
            self.out.extend_from_slice(art.as_bytes());
            len = art_width(art);
        }
        if c == self.last {
            return;
        }
        self.pad(self.widths[c].saturating_sub(len));
        self.out.push(b' ');
    }

    fn pad(&mut self, n: usize) {
        self.out.extend(std::iter::repeat_n(b' ', n));
    }
}

/// Text made safe for a terminal, as libsmartcols' `mbs_safe_encode()` (`escape::safe`),
/// and its width in cells.
pub fn encode(bytes: &[u8], utf8: bool) -> (String, usize) {
    let mut out = Vec::with_capacity(bytes.len());
    let width = escape::safe(bytes, utf8, &mut out);
    // `safe` writes valid UTF-8 only (printable characters and `\xNN` text).
    (String::from_utf8_lossy(&out).into_owned(), width)
}

/// util-linux's JSON writer (lib/jsonwrt.c): three spaces per level, `},{` between
/// siblings.
#[derive(Default)]
struct Json {
    indent: usize,
    after_close: bool,
}

impl Json {
    fn pad(&self, out: &mut Vec<u8>) {
        out.extend(std::iter::repeat_n(b' ', self.indent * 3));
    }

    fn open(&mut self, out: &mut Vec<u8>, name: Option<&str>, kind: u8) {
        match name {
            Some(name) => {
                if self.after_close {
                    out.extend_from_slice(b",\n");
                }
                self.pad(out);
                json_string(name.as_bytes(), out);
                out.extend_from_slice(b": ");
            }
            None if self.after_close => out.push(b','),
            None => self.pad(out),
        }
        out.push(kind);
        out.push(b'\n');
        self.indent += 1;
        self.after_close = false;
    }

    fn close(&mut self, out: &mut Vec<u8>, kind: u8) {
        self.indent = self.indent.saturating_sub(1);
        out.push(b'\n');
        self.pad(out);
        out.push(kind);
        self.after_close = true;
    }

    fn value(&mut self, out: &mut Vec<u8>, name: &str, data: &[u8], number: bool) {
        if self.after_close {
            out.extend_from_slice(b",\n");
        }
        self.pad(out);
        json_string(name.as_bytes(), out);
        out.extend_from_slice(b": ");
        if data.is_empty() {
            out.extend_from_slice(b"null");
        } else if number {
            out.extend_from_slice(data);
        } else {
            json_string(data, out);
        }
        self.after_close = true;
    }
}

/// A JSON string as util-linux quotes it (`fputs_quoted_json()`), except that bytes that
/// are not UTF-8 become the text `\xNN` so the document is always valid
/// (research/security.md D5).
fn json_string(bytes: &[u8], out: &mut Vec<u8>) {
    out.push(b'"');
    escape::json(bytes, out);
    out.push(b'"');
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(name: &'static str, whint: usize, right: bool) -> Column {
        Column {
            name,
            whint,
            right,
            trunc: false,
            wrap_nl: false,
            tree: false,
            number: right,
        }
    }

    fn sample() -> Table {
        let mut cmd = col("COMMAND", 0, false);
        cmd.tree = true;
        cmd.trunc = true;
        let mut t = Table::new(vec![col("NS", 10, true), col("TYPE", 5, false), cmd]);
        t.utf8 = true;
        t.json_name = "namespaces";
        let a = t.add_line(
            None,
            vec![b"4026531832".to_vec(), b"mnt".to_vec(), b"init".to_vec()],
        );
        t.add_line(
            Some(a),
            vec![b"4026531860".to_vec(), b"mnt".to_vec(), b"a b".to_vec()],
        );
        t.add_line(
            Some(a),
            vec![b"4026531861".to_vec(), b"cgroup".to_vec(), b"c".to_vec()],
        );
        t
    }

    fn printed(t: &Table) -> String {
        let mut out = Vec::new();
        t.print(&mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn human_layout() {
        let t = sample();
        assert_eq!(
            printed(&t),
            "        NS TYPE   COMMAND\n\
             4026531832 mnt    init\n\
             4026531860 mnt    \u{251c}\u{2500}a b\n\
             4026531861 cgroup \u{2514}\u{2500}c\n"
        );
    }

    #[test]
    fn width_hint_and_header_minimum() {
        let mut t = Table::new(vec![col("PID", 5, true), col("USER", 0, false)]);
        t.add_line(None, vec![b"2".to_vec(), b"root".to_vec()]);
        // Data narrower than the header: the header's width, not the hint.
        assert_eq!(printed(&t), "PID USER\n  2 root\n");
        t.add_line(None, vec![b"8273".to_vec(), b"x".to_vec()]);
        // Data at least as wide as the header but narrower than the hint: the hint.
        assert_eq!(printed(&t), "  PID USER\n    2 root\n 8273 x\n");
    }

    #[test]
    fn terminal_truncates_the_truncatable() {
        let mut t = sample();
        t.add_line(
            Some(1),
            vec![b"1".to_vec(), b"uts".to_vec(), b"cccccccccccccccc".to_vec()],
        );
        t.term_width = Some(30);
        assert_eq!(
            printed(&t),
            "        NS TYPE   COMMAND\n\
             4026531832 mnt    init\n\
             4026531860 mnt    \u{251c}\u{2500}a b\n\
             \x20        1 uts    \u{2502} \u{2514}\u{2500}cccccccc\n\
             4026531861 cgroup \u{2514}\u{2500}c\n"
        );
        // Never narrower than the header.
        t.term_width = Some(10);
        assert!(printed(&t).starts_with("        NS TYPE   COMMAND\n"));
    }

    #[test]
    fn raw_and_ascii_art() {
        let mut t = sample();
        t.format = Format::Raw;
        t.utf8 = false;
        assert_eq!(
            printed(&t),
            "NS TYPE COMMAND\n4026531832 mnt init\n4026531860 mnt |-a\\x20b\n4026531861 cgroup `-c\n"
        );
    }

    #[test]
    fn json_tree() {
        let mut t = sample();
        t.format = Format::Json;
        t.add_line(None, vec![b"1".to_vec(), Vec::new(), b"q\"\n".to_vec()]);
        let text = printed(&t);
        assert_eq!(
            text,
            "{\n   \"namespaces\": [\n      {\n         \"ns\": 4026531832,\n         \"type\": \"mnt\",\n         \"command\": \"init\",\n         \"children\": [\n            {\n               \"ns\": 4026531860,\n               \"type\": \"mnt\",\n               \"command\": \"a b\"\n            },{\n               \"ns\": 4026531861,\n               \"type\": \"cgroup\",\n               \"command\": \"c\"\n            }\n         ]\n      },{\n         \"ns\": 1,\n         \"type\": null,\n         \"command\": \"q\\\"\\n\"\n      }\n   ]\n}\n"
        );
        let mut empty = Table::new(vec![col("NS", 10, true)]);
        empty.format = Format::Json;
        empty.json_name = "namespaces";
        assert_eq!(printed(&empty), "{\n   \"namespaces\": [\n\n   ]\n}\n");
    }

    #[test]
    fn encoding() {
        assert_eq!(encode(b"a\nb", true), ("a\\x0ab".into(), 6));
        assert_eq!(
            encode("caf\u{e9}".as_bytes(), true),
            ("caf\u{e9}".into(), 4)
        );
        assert_eq!(
            encode("caf\u{e9}".as_bytes(), false),
            ("caf\\xc3\\xa9".into(), 11)
        );
        assert_eq!(encode(b"\\x", true).0, "\\x5cx");
        assert_eq!(encode(b"\xff", true).0, "\\xff");
        assert_eq!(encode("\u{65e5}\u{672c}x".as_bytes(), true).1, 5);
        assert_eq!(escape::cut("\u{65e5}\u{672c}x".as_bytes(), 3), (3, 2));
        assert_eq!(escape::cut(b"ab", 5), (2, 2));
        let mut out = Vec::new();
        json_string(b"\xffa\x01", &mut out);
        assert_eq!(out, b"\"\\\\xffa\\u0001\"");
    }

    #[test]
    fn multi_line_cells() {
        let mut nsfs = col("NSFS", 0, false);
        nsfs.wrap_nl = true;
        let mut t = Table::new(vec![col("NS", 10, true), nsfs, col("COMMAND", 0, false)]);
        t.add_line(
            None,
            vec![b"1".to_vec(), b"/a\n/bb".to_vec(), b"x".to_vec()],
        );
        assert_eq!(printed(&t), "NS NSFS COMMAND\n 1 /a   x\n   /bb  \n");
    }
}
