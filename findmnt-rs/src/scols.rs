//! The output table: what libsmartcols (util-linux 2.38) prints for findmnt, byte for byte:
//! tree, list, `--raw`, `--pairs` and `--json` forms.
//!
//! Column widths follow `calculate.c`: the widest cell (tree art included), at least the
//! header's width, raised to an absolute width hint; a non-terminal never truncates. On a
//! terminal the aligned forms are fitted to its width (the `fit` module).
//! Every step is one pass over the lines, so printing is O(n) in every mode.

use common::escape;

use crate::fit;

/// How a column's cells look in JSON.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Json {
    /// `"text"`, or `null` when empty.
    String,
    /// A bare number, or `null` when empty.
    Number,
    /// `["text"]`, or `[]` when empty (multi-line cells: SOURCES).
    Array,
}

/// One output column.
#[derive(Clone, Debug)]
pub struct Column {
    /// Header text.
    pub name: &'static str,
    /// libsmartcols width hint: ≥ 1 is an absolute minimum width.
    pub hint: f64,
    /// Right-aligned.
    pub right: bool,
    /// Carries the tree art.
    pub tree: bool,
    /// Never widened to the header (`SCOLS_FL_STRICTWIDTH`): the width hint rules.
    pub strict: bool,
    /// JSON form.
    pub json: Json,
}

/// The output forms.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Aligned columns (tree art when a column is the tree column).
    Human,
    /// `--raw`.
    Raw,
    /// `--pairs`.
    Pairs,
    /// `--json`.
    Json,
}

/// Table-wide settings.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    /// Output form.
    pub mode: Mode,
    /// No header line.
    pub noheadings: bool,
    /// ASCII tree art (`-a`, or a non-UTF-8 locale).
    pub ascii: bool,
    /// The locale is UTF-8: printable UTF-8 is shown as it is.
    pub utf8: bool,
    /// `--shell`: pairs keys usable as shell variable names.
    pub shellvar: bool,
}

/// A line: its cells (`None` = no data) and the line it hangs under.
#[derive(Clone, Debug, Default)]
pub struct Line {
    /// One cell per column.
    pub cells: Vec<Option<Vec<u8>>>,
    /// Index of the parent line (tree mode only).
    pub parent: Option<usize>,
}

/// Where cell data comes from: `cell(line, column, scratch)` gives the cell's bytes
/// (borrowed from where they are stored, or built in `scratch`), `None` when the cell has
/// no data. Asked twice per cell in aligned modes (measure, then print), so nothing but
/// the output buffer grows with the table.
pub trait Cells {
    /// The data of one cell; `None` when it has none.
    fn cell<'a>(
        &'a mut self,
        line: usize,
        column: usize,
        scratch: &'a mut Vec<u8>,
    ) -> Option<&'a [u8]>;

    /// Where the line's data lives, so that measuring can walk memory in order.
    fn locality(&self, line: usize) -> usize {
        line
    }
}

impl Cells for &[Line] {
    fn cell<'a>(&'a mut self, line: usize, column: usize, _: &'a mut Vec<u8>) -> Option<&'a [u8]> {
        self.get(line)
            .and_then(|l| l.cells.get(column))
            .and_then(|c| c.as_deref())
    }
}

/// Output goes to `sink` in chunks of about this size.
const CHUNK: usize = 1 << 18;

/// Print stored `lines` into `out`.
pub fn print(out: &mut Vec<u8>, columns: &[Column], lines: &[Line], style: &Style) {
    print_on(out, columns, lines, style, None);
}

/// [`print`] as one of the prints of `session` (fitted to a terminal when there is one).
pub fn print_on(
    out: &mut Vec<u8>,
    columns: &[Column],
    lines: &[Line],
    style: &Style,
    session: Option<&mut fit::Session>,
) {
    let parents: Vec<Option<usize>> = lines.iter().map(|l| l.parent).collect();
    let mut cells: &[Line] = lines;
    let mut sink = |_: &mut Vec<u8>| -> Result<(), ()> { Ok(()) };
    let _ = render(
        out, &mut sink, columns, &parents, &mut cells, style, session,
    );
}

/// Print a table of `parents.len()` lines (in tree pre-order: every line after its
/// parent, children in order), handing full chunks of `buf` to `sink`. With a `session`
/// the human form is fitted to the terminal, if there is one, and follows the statistics
/// of the session's earlier prints.
pub fn render<E>(
    buf: &mut Vec<u8>,
    sink: &mut dyn FnMut(&mut Vec<u8>) -> Result<(), E>,
    columns: &[Column],
    parents: &[Option<usize>],
    cells: &mut dyn Cells,
    style: &Style,
    session: Option<&mut fit::Session>,
) -> Result<(), E> {
    match style.mode {
        Mode::Json => json(buf, sink, columns, parents, cells),
        Mode::Raw | Mode::Pairs => plain(buf, sink, columns, parents.len(), cells, style),
        Mode::Human => human(buf, sink, columns, parents, cells, style, session),
    }
}

fn flush<E>(
    buf: &mut Vec<u8>,
    sink: &mut dyn FnMut(&mut Vec<u8>) -> Result<(), E>,
) -> Result<(), E> {
    if buf.len() >= CHUNK {
        sink(buf)?;
    }
    Ok(())
}

/// For each line: whether it is the last child of its parent, whether it has children,
/// and its depth.
fn shape(parents: &[Option<usize>]) -> (Vec<bool>, Vec<bool>, Vec<u32>) {
    let n = parents.len();
    let mut last_child = vec![usize::MAX; n];
    let mut has_kids = vec![false; n];
    let mut depth = vec![0u32; n];
    for (i, p) in parents.iter().enumerate() {
        if let Some(p) = *p {
            last_child[p] = i;
            has_kids[p] = true;
            depth[i] = depth[p] + 1;
        }
    }
    let mut is_last = vec![false; n];
    for &c in &last_child {
        if c != usize::MAX {
            is_last[c] = true;
        }
    }
    (is_last, has_kids, depth)
}

// Lines are addressed by number in several parallel arrays.
#[allow(clippy::needless_range_loop, clippy::too_many_arguments)]
fn human<E>(
    buf: &mut Vec<u8>,
    sink: &mut dyn FnMut(&mut Vec<u8>) -> Result<(), E>,
    columns: &[Column],
    parents: &[Option<usize>],
    cells: &mut dyn Cells,
    style: &Style,
    mut session: Option<&mut fit::Session>,
) -> Result<(), E> {
    let n = parents.len();
    if n == 0 {
        return Ok(());
    }
    let tree = columns.iter().any(|c| c.tree) && parents.iter().any(|p| p.is_some());
    let (is_last, has_kids, depth) = if tree {
        shape(parents)
    } else {
        (Vec::new(), Vec::new(), Vec::new())
    };
    let (vert, branch, right): (&[u8], &[u8], &[u8]) = if style.ascii || !style.utf8 {
        (b"| ", b"|-", b"`-")
    } else {
        (
            "\u{2502} ".as_bytes(),
            "\u{251c}\u{2500}".as_bytes(),
            "\u{2514}\u{2500}".as_bytes(),
        )
    };
    // Pass 1: column widths (libsmartcols `count_column_width`, non-terminal output).
    let ncols = columns.len();
    let mut maxdata = vec![0usize; ncols];
    let sampled = session.as_deref_mut().is_some_and(|s| {
        s.term(style.mode);
        s.wants_sample()
    });
    let mut sample = sampled.then(|| fit::Sample::new(columns));
    let mut scratch = Vec::new();
    // Widths do not depend on the order, and the table's own order is cache-friendly.
    // A left-aligned last column is never padded: its width is never used (but fitting a
    // terminal's width looks at every column).
    let measured = match columns.last() {
        Some(c) if !c.right && sample.is_none() => ncols - 1,
        _ => ncols,
    };
    for li in by_locality(n, cells) {
        for (ci, col) in columns.iter().enumerate().take(measured) {
            let mut w = if col.tree && tree {
                2 * depth[li] as usize
            } else {
                0
            };
            if let Some(data) = cells.cell(li, ci, &mut scratch) {
                w += if col.json == Json::Array {
                    chunks(data)
                        .map(|c| escape::safe_width(c, style.utf8))
                        .max()
                        .unwrap_or(0)
                } else {
                    escape::safe_width(data, style.utf8)
                };
            }
            maxdata[ci] = maxdata[ci].max(w);
            if let Some(s) = &mut sample {
                s.note(ci, w);
            }
        }
    }
    let colw: Vec<usize> = columns
        .iter()
        .enumerate()
        .map(|(ci, col)| fit::base_width(col, maxdata[ci]))
        .collect();
    let fitted = session
        .zip(sample)
        .map(|(f, s)| f.layout(columns, &maxdata, &s, fit::tree_art_width(&depth)));
    if !style.noheadings {
        for (ci, col) in columns.iter().enumerate() {
            let mut text = Vec::new();
            let w = escape::safe(col.name.as_bytes(), style.utf8, &mut text);
            match &fitted {
                Some(f) => f.cell(buf, ci, &text, w, &|_| 0),
                None => cell(buf, &text, w, colw[ci], col.right, ci + 1 == ncols),
            }
        }
        buf.push(b'\n');
    }
    // Pass 2: print. The tree art of a line is its parent's children prefix (a bar or a
    // blank per ancestor level, by whether that ancestor was a last child) and a branch;
    // the prefixes of the current path are kept on a stack, so each line copies one.
    let mut prefix: Vec<u8> = Vec::new();
    // `prefix[..ends[d]]`: the prefix of children at depth d + 1.
    let mut ends: Vec<usize> = vec![0];
    let mut text = Vec::new();
    // The lines after the first of multi-line cells: (column, lines).
    let mut more: Vec<(usize, Vec<Vec<u8>>)> = Vec::new();
    for li in 0..n {
        let d = if tree { depth[li] as usize } else { 0 };
        // Where this line's ancestors' part of the tree art ends in `prefix`.
        let at = if d > 0 {
            ends.get(d - 1).copied().unwrap_or(0)
        } else {
            0
        };
        // This line's children hang under it: their prefix is this line's plus a bar, or a
        // blank when this line is its parent's last child (none for a root). The same art
        // goes on below the line's own cells when they take more than one output line.
        if tree && d > 0 {
            prefix.truncate(at);
            prefix.extend_from_slice(if is_last[li] { b"  " } else { vert });
            ends.truncate(d);
            ends.push(prefix.len());
        } else if tree {
            prefix.clear();
            ends.truncate(1);
        }
        let children = &prefix[..];
        let below = |out: &mut Vec<u8>| {
            out.extend_from_slice(children);
            2 * d
        };
        for (ci, col) in columns.iter().enumerate() {
            let last = ci + 1 == ncols;
            // The tree art and the (first line of the) cell into `out`; returns the width.
            let mut write = |out: &mut Vec<u8>| {
                let mut w = 0;
                if col.tree && tree && d > 0 {
                    out.extend_from_slice(&prefix[..at]);
                    out.extend_from_slice(if is_last[li] { right } else { branch });
                    w = 2 * d;
                }
                if let Some(data) = cells.cell(li, ci, &mut scratch) {
                    w += first_line(data, col, style, out, &mut more, ci);
                }
                w
            };
            if fitted.is_none() && !col.right {
                // Left-aligned, not fitted: straight into the output, padded after.
                let start = buf.len();
                let w = write(buf);
                if !last {
                    let pad = if buf.len() == start {
                        colw[ci] + 1
                    } else {
                        colw[ci].saturating_sub(w) + 1
                    };
                    buf.resize(buf.len() + pad, b' ');
                }
                continue;
            }
            // Measured first, then padded or fitted.
            text.clear();
            let w = write(&mut text);
            match &fitted {
                // Below an overflowing cell, the tree lines of this line go on.
                Some(f) => f.cell(buf, ci, &text, w, &below),
                None => cell(buf, &text, w, colw[ci], col.right, last),
            }
        }
        buf.push(b'\n');
        if !more.is_empty() {
            // With a bar for the line's own children while more cell lines are to come.
            let kids = tree && has_kids[li];
            let mut put = |buf: &mut Vec<u8>, ci: usize, text: &[u8], w: usize| match &fitted {
                Some(f) => f.cell(buf, ci, text, w, &below),
                None => cell(buf, text, w, colw[ci], columns[ci].right, ci + 1 == ncols),
            };
            let art = (children, 2 * d);
            continued(
                buf,
                columns,
                &more,
                art,
                kids.then_some(vert),
                style,
                &mut put,
            );
            more.clear();
        }
        flush(buf, sink)?;
    }
    Ok(())
}

/// The lines of a multi-line cell (libsmartcols `scols_wrapnl_nextchunk`): split at each
/// newline, a newline at the end starting no further line.
fn chunks(data: &[u8]) -> impl Iterator<Item = &[u8]> {
    data.strip_suffix(b"\n")
        .filter(|d| !d.is_empty())
        .unwrap_or(data)
        .split(|&b| b == b'\n')
}

/// The further lines of a line whose multi-line cells (`more`: column and its lines after
/// the first) had several: each of their lines in its column, the other columns blank but
/// the tree column's art: `children` (the art of a child of the line, and its width in
/// cells), then `bar` when the line has children and cell lines are still to come
/// (libsmartcols `print_empty_cell` with `has_pending_data`).
fn continued(
    buf: &mut Vec<u8>,
    columns: &[Column],
    more: &[(usize, Vec<Vec<u8>>)],
    children: (&[u8], usize),
    bar: Option<&[u8]>,
    style: &Style,
    put: &mut PutCell<'_>,
) {
    let rows = more.iter().map(|(_, l)| l.len()).max().unwrap_or(0);
    let mut text = Vec::new();
    for row in 0..rows {
        for (ci, col) in columns.iter().enumerate() {
            text.clear();
            let mut w = 0;
            if let Some((_, lines)) = more.iter().find(|(c, _)| *c == ci) {
                if let Some(l) = lines.get(row) {
                    w = escape::safe(l, style.utf8, &mut text);
                }
            } else if col.tree {
                // Still to come: a later column's line of this row, or any later row.
                let pending = more
                    .iter()
                    .any(|(c, l)| (*c > ci && l.len() > row) || l.len() > row + 1);
                text.extend_from_slice(children.0);
                w = children.1;
                if let (Some(bar), true) = (bar, pending) {
                    text.extend_from_slice(bar);
                    w += 2;
                }
            }
            put(buf, ci, &text, w);
        }
        buf.push(b'\n');
    }
}

/// Print cell `(column, text, width in cells)` of a line into the output.
type PutCell<'a> = dyn FnMut(&mut Vec<u8>, usize, &[u8], usize) + 'a;

/// Append a cell's text made safe, only its first line if it is a multi-line cell (the
/// rest goes to `more`); returns its width.
fn first_line(
    data: &[u8],
    col: &Column,
    style: &Style,
    out: &mut Vec<u8>,
    more: &mut Vec<(usize, Vec<Vec<u8>>)>,
    ci: usize,
) -> usize {
    if col.json != Json::Array || !data.contains(&b'\n') {
        return escape::safe(data, style.utf8, out);
    }
    let mut lines = chunks(data);
    let w = escape::safe(lines.next().unwrap_or_default(), style.utf8, out);
    let rest: Vec<Vec<u8>> = lines.map(<[u8]>::to_vec).collect();
    if !rest.is_empty() {
        more.push((ci, rest));
    }
    w
}

/// Lines `0..n` in the order of [`Cells::locality`], by a counting sort (localities are
/// entry numbers); in line order if they are not that dense (any order gives the same
/// widths).
fn by_locality(n: usize, cells: &dyn Cells) -> Vec<usize> {
    let keys: Vec<usize> = (0..n).map(|li| cells.locality(li)).collect();
    let max = keys.iter().copied().max().unwrap_or(0);
    if max > 16 * n + (1 << 16) {
        return (0..n).collect();
    }
    let mut start = vec![0usize; max + 2];
    for &k in &keys {
        start[k + 1] += 1;
    }
    for i in 1..start.len() {
        start[i] += start[i - 1];
    }
    let mut order = vec![0; n];
    for (li, &k) in keys.iter().enumerate() {
        order[start[k]] = li;
        start[k] += 1;
    }
    order
}

/// One aligned cell: data padded to `width` (on the left when right-aligned), then the
/// column separator; the last column is not padded on the right.
fn cell(out: &mut Vec<u8>, data: &[u8], len: usize, width: usize, right: bool, last: bool) {
    let pad = width.saturating_sub(len);
    if data.is_empty() {
        if !last {
            out.resize(out.len() + width + 1, b' ');
        }
        return;
    }
    if right {
        out.resize(out.len() + pad, b' ');
        out.extend_from_slice(data);
    } else {
        out.extend_from_slice(data);
        if !last {
            out.resize(out.len() + pad, b' ');
        }
    }
    if !last {
        out.push(b' ');
    }
}

/// The name of a column as a pairs key: as it is, or (`--shell`) with every character that
/// cannot be in a shell variable name as `_` and a trailing `%` as `_PCT`.
fn key(name: &str, shellvar: bool) -> String {
    if !shellvar {
        return name.to_string();
    }
    let mut k = String::with_capacity(name.len() + 3);
    for (i, c) in name.chars().enumerate() {
        if c == '%' && i + 1 == name.len() {
            k.push_str("_PCT");
        } else if c.is_ascii_alphanumeric() || c == '_' {
            k.push(c);
        } else {
            k.push('_');
        }
    }
    if k.starts_with(|c: char| c.is_ascii_digit()) {
        k.insert(0, '_');
    }
    k
}

fn plain<E>(
    buf: &mut Vec<u8>,
    sink: &mut dyn FnMut(&mut Vec<u8>) -> Result<(), E>,
    columns: &[Column],
    n: usize,
    cells: &mut dyn Cells,
    style: &Style,
) -> Result<(), E> {
    if n == 0 {
        return Ok(());
    }
    let pairs = style.mode == Mode::Pairs;
    if !pairs && !style.noheadings {
        for (ci, col) in columns.iter().enumerate() {
            if ci > 0 {
                buf.push(b' ');
            }
            escape::raw(col.name.as_bytes(), buf);
        }
        buf.push(b'\n');
    }
    let keys: Vec<String> = columns
        .iter()
        .map(|c| key(c.name, style.shellvar))
        .collect();
    let mut scratch = Vec::new();
    for li in 0..n {
        for (ci, key) in keys.iter().enumerate() {
            if ci > 0 {
                buf.push(b' ');
            }
            let data = cells.cell(li, ci, &mut scratch).unwrap_or_default();
            if pairs {
                buf.extend_from_slice(key.as_bytes());
                buf.extend_from_slice(b"=\"");
                escape::pairs(data, buf);
                buf.push(b'"');
            } else {
                escape::raw(data, buf);
            }
        }
        buf.push(b'\n');
        flush(buf, sink)?;
    }
    Ok(())
}

fn indent(out: &mut Vec<u8>, level: usize) {
    out.resize(out.len() + level * 3, b' ');
}

fn json<E>(
    out: &mut Vec<u8>,
    sink: &mut dyn FnMut(&mut Vec<u8>) -> Result<(), E>,
    columns: &[Column],
    parents: &[Option<usize>],
    cells: &mut dyn Cells,
) -> Result<(), E> {
    // Without a tree column libsmartcols nests nothing.
    let tree = columns.iter().any(|c| c.tree);
    let flat: Vec<Option<usize>>;
    let parents = if tree {
        parents
    } else {
        flat = vec![None; parents.len()];
        &flat
    };
    let (is_last, has_kids, depth_of) = shape(parents);
    let keys: Vec<String> = columns.iter().map(|c| c.name.to_lowercase()).collect();
    out.extend_from_slice(b"{\n");
    indent(out, 1);
    out.extend_from_slice(b"\"filesystems\": [\n");
    // `first_at[d]`: no object written yet at nesting depth d (for the comma).
    let mut first_at: Vec<bool> = vec![true];
    let mut scratch = Vec::new();
    for li in 0..parents.len() {
        let depth = depth_of[li] as usize;
        let level = 2 + depth * 2;
        if first_at.len() <= depth {
            first_at.resize(depth + 1, true);
        }
        if first_at[depth] {
            indent(out, level);
            out.push(b'{');
        } else {
            out.extend_from_slice(b",{");
        }
        first_at[depth] = false;
        for (ci, col) in columns.iter().enumerate() {
            if ci > 0 {
                out.push(b',');
            }
            out.push(b'\n');
            indent(out, level + 1);
            out.push(b'"');
            escape::json(keys[ci].as_bytes(), out);
            out.extend_from_slice(b"\": ");
            let data = cells
                .cell(li, ci, &mut scratch)
                .filter(|d| !d.is_empty())
                .unwrap_or_default();
            let has = !data.is_empty();
            match (col.json, has) {
                // An item per line of the cell, `null` for an empty one (as 2.38 writes
                // them: every newline starts an item, a last one too).
                (Json::Array, _) => {
                    out.extend_from_slice(b"[\n");
                    indent(out, level + 2);
                    let items = if has { data } else { b"" };
                    for (k, item) in items.split(|&b| b == b'\n').enumerate() {
                        out.extend_from_slice(if k == 0 { b" " } else { b", " });
                        if item.is_empty() {
                            out.extend_from_slice(b"null");
                        } else {
                            out.push(b'"');
                            escape::json(item, out);
                            out.push(b'"');
                        }
                    }
                    out.push(b'\n');
                    indent(out, level + 1);
                    out.push(b']');
                }
                (_, false) => out.extend_from_slice(b"null"),
                (Json::Number, true) => out.extend_from_slice(data),
                (Json::String, true) => {
                    out.push(b'"');
                    escape::json(data, out);
                    out.push(b'"');
                }
            }
        }
        if has_kids[li] {
            out.extend_from_slice(b",\n");
            indent(out, level + 1);
            out.extend_from_slice(b"\"children\": [\n");
            if first_at.len() <= depth + 1 {
                first_at.resize(depth + 2, true);
            }
            first_at[depth + 1] = true;
            continue;
        }
        // Close this object, and every ancestor whose last child this line ends.
        out.push(b'\n');
        indent(out, level);
        out.push(b'}');
        let mut cur = li;
        while is_last[cur] {
            let Some(p) = parents[cur] else { break };
            let plevel = 2 + depth_of[p] as usize * 2;
            out.push(b'\n');
            indent(out, plevel + 1);
            out.push(b']');
            out.push(b'\n');
            indent(out, plevel);
            out.push(b'}');
            cur = p;
        }
        flush(out, sink)?;
    }
    out.push(b'\n');
    indent(out, 1);
    out.extend_from_slice(b"]\n}\n");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn col(name: &'static str, right: bool, tree: bool) -> Column {
        Column {
            name,
            hint: 0.1,
            right,
            tree,
            strict: false,
            json: Json::String,
        }
    }

    fn line(cells: &[&str], parent: Option<usize>) -> Line {
        Line {
            cells: cells
                .iter()
                .map(|c| (!c.is_empty()).then(|| c.as_bytes().to_vec()))
                .collect(),
            parent,
        }
    }

    fn style(mode: Mode) -> Style {
        Style {
            mode,
            noheadings: false,
            ascii: false,
            utf8: true,
            shellvar: false,
        }
    }

    fn render(mode: Mode, cols: &[Column], lines: &[Line]) -> String {
        let mut out = Vec::new();
        print(&mut out, cols, lines, &style(mode));
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn tree_and_padding() {
        let cols = [col("TARGET", false, true), col("ID", true, false)];
        let lines = [
            line(&["/", "1"], None),
            line(&["/a", "2"], Some(0)),
            line(&["/a/b", "3"], Some(1)),
            line(&["/c", "14"], Some(0)),
        ];
        assert_eq!(
            render(Mode::Human, &cols, &lines),
            "TARGET   ID\n/         1\n\u{251c}\u{2500}/a      2\n\u{2502} \u{2514}\u{2500}/a/b  3\n\u{2514}\u{2500}/c     14\n"
        );
    }

    #[test]
    fn json_nesting() {
        let cols = [col("TARGET", false, true)];
        let lines = [
            line(&["/"], None),
            line(&["/a"], Some(0)),
            line(&["/b"], Some(0)),
        ];
        let j = render(Mode::Json, &cols, &lines);
        assert_eq!(
            j,
            "{\n   \"filesystems\": [\n      {\n         \"target\": \"/\",\n         \"children\": [\n            {\n               \"target\": \"/a\"\n            },{\n               \"target\": \"/b\"\n            }\n         ]\n      }\n   ]\n}\n"
        );
        assert_eq!(
            render(Mode::Json, &cols, &[]),
            "{\n   \"filesystems\": [\n\n   ]\n}\n"
        );
    }

    #[test]
    fn shell_keys() {
        assert_eq!(key("MAJ:MIN", true), "MAJ_MIN");
        assert_eq!(key("USE%", true), "USE_PCT");
        assert_eq!(key("FS-OPTIONS", true), "FS_OPTIONS");
        assert_eq!(key("USE%", false), "USE%");
    }
}
