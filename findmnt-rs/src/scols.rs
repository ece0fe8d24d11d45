//! The output table: what libsmartcols (util-linux 2.38) prints for findmnt, byte for byte,
//! when stdout is not a terminal: tree, list, `--raw`, `--pairs` and `--json` forms.
//!
//! Column widths follow `calculate.c`: the widest cell (tree art included), at least the
//! header's width, raised to an absolute width hint; a non-terminal never truncates.
//! Every step is one pass over the lines, so printing is O(n) in every mode.

use common::escape;

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

/// Print `lines` (in tree pre-order: every line after its parent, children in order).
pub fn print(out: &mut Vec<u8>, columns: &[Column], lines: &[Line], style: &Style) {
    match style.mode {
        Mode::Json => json(out, columns, lines, style),
        Mode::Raw | Mode::Pairs => plain(out, columns, lines, style),
        Mode::Human => human(out, columns, lines, style),
    }
}

/// For each line: whether it is the last child of its parent, and whether it has children.
fn shape(lines: &[Line]) -> (Vec<bool>, Vec<bool>) {
    let mut last_child = vec![None; lines.len()];
    let mut has_kids = vec![false; lines.len()];
    for (i, l) in lines.iter().enumerate() {
        if let Some(p) = l.parent {
            last_child[p] = Some(i);
            has_kids[p] = true;
        }
    }
    let mut is_last = vec![false; lines.len()];
    for c in last_child.iter().flatten() {
        is_last[*c] = true;
    }
    (is_last, has_kids)
}

fn human(out: &mut Vec<u8>, columns: &[Column], lines: &[Line], style: &Style) {
    if lines.is_empty() {
        return;
    }
    let (is_last, _) = shape(lines);
    let tree = columns.iter().any(|c| c.tree) && lines.iter().any(|l| l.parent.is_some());
    let (vert, branch, right) = if style.ascii || !style.utf8 {
        ("| ", "|-", "`-")
    } else {
        ("\u{2502} ", "\u{251c}\u{2500}", "\u{2514}\u{2500}")
    };
    // Tree art prefix of each line (what its children inherit), built once per line.
    let mut prefix: Vec<String> = Vec::new();
    let mut art: Vec<String> = Vec::new();
    if tree {
        prefix.reserve(lines.len());
        art.reserve(lines.len());
        for (i, l) in lines.iter().enumerate() {
            let (mine, inherited) = match l.parent {
                None => (String::new(), String::new()),
                Some(p) => {
                    let base = &prefix[p];
                    let mine = format!("{base}{}", if is_last[i] { right } else { branch });
                    let inherited = format!("{base}{}", if is_last[i] { "  " } else { vert });
                    (mine, inherited)
                }
            };
            art.push(mine);
            prefix.push(inherited);
        }
    }
    // Encode every cell once and measure it.
    let ncols = columns.len();
    let mut text: Vec<Vec<u8>> = Vec::with_capacity(lines.len() * ncols);
    let mut widths: Vec<usize> = Vec::with_capacity(lines.len() * ncols);
    let mut colw: Vec<usize> = columns.iter().map(|c| c.name.len().max(1)).collect();
    let mut maxdata = vec![0usize; ncols];
    for (li, l) in lines.iter().enumerate() {
        for (ci, col) in columns.iter().enumerate() {
            let mut buf = Vec::new();
            let mut w = 0;
            if col.tree && tree {
                buf.extend_from_slice(art[li].as_bytes());
                w += art[li].chars().count();
            }
            if let Some(data) = l.cells.get(ci).and_then(|c| c.as_deref()) {
                w += escape::safe(data, style.utf8, &mut buf);
            }
            maxdata[ci] = maxdata[ci].max(w);
            text.push(buf);
            widths.push(w);
        }
    }
    for (ci, col) in columns.iter().enumerate() {
        let min = colw[ci];
        let mut w = maxdata[ci];
        if w < min {
            w = min;
        } else if col.hint >= 1.0 && (w as f64) < col.hint && (min as f64) < col.hint {
            w = col.hint as usize;
        }
        colw[ci] = w;
    }
    if !style.noheadings {
        for (ci, col) in columns.iter().enumerate() {
            let mut buf = Vec::new();
            let w = escape::safe(col.name.as_bytes(), style.utf8, &mut buf);
            cell(out, &buf, w, colw[ci], col.right, ci + 1 == ncols);
        }
        out.push(b'\n');
    }
    for li in 0..lines.len() {
        for (ci, col) in columns.iter().enumerate() {
            let k = li * ncols + ci;
            cell(
                out,
                &text[k],
                widths[k],
                colw[ci],
                col.right,
                ci + 1 == ncols,
            );
        }
        out.push(b'\n');
    }
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

fn plain(out: &mut Vec<u8>, columns: &[Column], lines: &[Line], style: &Style) {
    if lines.is_empty() {
        return;
    }
    let pairs = style.mode == Mode::Pairs;
    if !pairs && !style.noheadings {
        for (ci, col) in columns.iter().enumerate() {
            if ci > 0 {
                out.push(b' ');
            }
            escape::raw(col.name.as_bytes(), out);
        }
        out.push(b'\n');
    }
    let keys: Vec<String> = columns
        .iter()
        .map(|c| key(c.name, style.shellvar))
        .collect();
    for l in lines {
        for (ci, key) in keys.iter().enumerate() {
            if ci > 0 {
                out.push(b' ');
            }
            let data = l.cells.get(ci).and_then(|c| c.as_deref()).unwrap_or(b"");
            if pairs {
                out.extend_from_slice(key.as_bytes());
                out.extend_from_slice(b"=\"");
                escape::pairs(data, out);
                out.push(b'"');
            } else {
                escape::raw(data, out);
            }
        }
        out.push(b'\n');
    }
}

fn indent(out: &mut Vec<u8>, level: usize) {
    out.resize(out.len() + level * 3, b' ');
}

fn json(out: &mut Vec<u8>, columns: &[Column], lines: &[Line], _style: &Style) {
    let (is_last, has_kids) = shape(lines);
    let keys: Vec<String> = columns.iter().map(|c| c.name.to_lowercase()).collect();
    out.extend_from_slice(b"{\n");
    indent(out, 1);
    out.extend_from_slice(b"\"filesystems\": [\n");
    // `open[d]` = whether an object was already written at nesting depth d (for the comma).
    let mut depth_of = vec![0usize; lines.len()];
    let mut first_at: Vec<bool> = vec![true];
    for (li, l) in lines.iter().enumerate() {
        let depth = l.parent.map_or(0, |p| depth_of[p] + 1);
        depth_of[li] = depth;
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
            let data = l
                .cells
                .get(ci)
                .and_then(|c| c.as_deref())
                .filter(|d| !d.is_empty());
            match (col.json, data) {
                (Json::Array, Some(d)) => {
                    out.extend_from_slice(b"[\n");
                    indent(out, level + 2);
                    out.extend_from_slice(b" \"");
                    escape::json(d, out);
                    out.extend_from_slice(b"\"\n");
                    indent(out, level + 1);
                    out.push(b']');
                }
                (Json::Array, None) => out.extend_from_slice(b"[\n]"),
                (_, None) => out.extend_from_slice(b"null"),
                (Json::Number, Some(d)) => out.extend_from_slice(d),
                (Json::String, Some(d)) => {
                    out.push(b'"');
                    escape::json(d, out);
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
            let Some(p) = lines[cur].parent else { break };
            let plevel = 2 + depth_of[p] * 2;
            out.push(b'\n');
            indent(out, plevel + 1);
            out.push(b']');
            out.push(b'\n');
            indent(out, plevel);
            out.push(b'}');
            cur = p;
        }
    }
    out.push(b'\n');
    indent(out, 1);
    out.extend_from_slice(b"]\n}\n");
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
            "TARGET     ID\n/           1\n\u{251c}\u{2500}/a        2\n\u{2502} \u{2514}\u{2500}/a/b    3\n\u{2514}\u{2500}/c       14\n"
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
