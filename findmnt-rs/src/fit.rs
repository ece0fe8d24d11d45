//! Fitting the human table to a terminal, as libsmartcols (util-linux 2.38,
//! `libsmartcols/src/calculate.c` and `print.c`) does when stdout is a terminal.
//!
//! The width pass of [`crate::scols`] measures every column; on a terminal it also keeps
//! the cell widths of the `NOEXTREMES` columns ([`Sample`]). [`Session::layout`] then turns
//! the measurements and the terminal's width into column widths:
//! 1. A `NOEXTREMES` column (TARGET, SOURCE, FSROOT) whose widest cell is more than twice
//!    the average cell is "extreme": while the table is too wide, it is measured again
//!    without those cells.
//! 2. A table narrower than the terminal gives the room back to the extreme columns (up
//!    to their widest cell), then to the last column unless it is right-aligned.
//! 3. A table wider than the terminal loses one cell per column per round, in three
//!    stages: `TRUNC` columns wider than their share (relative hint × terminal width),
//!    then any `TRUNC` column, then any column with a relative hint. A column never goes
//!    below its header's width; the tree column is left alone once the table is no wider
//!    than the widest tree art.
//!
//! [`Fitted::cell`] prints a cell at its fitted width: a `TRUNC` cell is cut where its
//! width ends, with no ellipsis, never inside a character (a double-width character that
//! does not fit is left out); any other cell that does not fit is printed whole and the
//! rest of the line continues on the next line, under padding and the tree's vertical
//! lines. The last column is never padded.
//!
//! libsmartcols keeps a column's statistics (average cell, "extreme" flag, widest cell) in
//! the column, across the prints of one table, and `--poll` prints every change with the
//! same table: a [`Session`] carries them from print to print. Once a column has been found
//! extreme, its cells wider than twice that first average no longer widen it, on a terminal
//! or not; such a cell overflows onto the next line.

use common::escape;

use crate::scols::{Column, Mode};
use crate::sys;

/// The terminal the table is printed on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Term {
    /// Width in cells (TIOCGWINSZ, else `$COLUMNS`, else 80).
    pub width: usize,
    /// `-u/--notruncate`: no column is `TRUNC` (findmnt.c `disable_columns_truncate`).
    pub notruncate: bool,
}

impl Term {
    /// The terminal stdout is, if it is one and the table is in the aligned form (the
    /// only one libsmartcols fits).
    pub fn of_stdout(mode: Mode, notruncate: bool) -> Option<Term> {
        if mode != Mode::Human {
            return None;
        }
        sys::terminal_width().map(|width| Term { width, notruncate })
    }
}

/// The libsmartcols flags of findmnt's columns that fitting needs (findmnt.c `infos[]`),
/// by header: `(name, TRUNC, NOEXTREMES)`. Every other column has neither. SOURCES is
/// `WRAP` with its own wrap function, which libsmartcols does not treat as `TRUNC`.
const FLAGS: &[(&str, bool, bool)] = &[
    ("FSROOT", false, true),
    ("FSTYPE", true, false),
    ("FS-OPTIONS", true, false),
    ("OLD-OPTIONS", true, false),
    ("OPTIONS", true, false),
    ("OPT-FIELDS", true, false),
    ("SOURCE", false, true),
    ("TARGET", false, true),
    ("VFS-OPTIONS", true, false),
];

fn flags(name: &str) -> (bool, bool) {
    FLAGS
        .iter()
        .find(|f| f.0 == name)
        .map_or((false, false), |f| (f.1, f.2))
}

/// A column's minimum width: its header's, at least 1.
fn min_width(col: &Column) -> usize {
    col.name.len().max(1)
}

/// A column's width from its widest cell (libsmartcols `count_column_width`): at least the
/// header's width unless the column is strict, raised to an absolute width hint.
pub fn base_width(col: &Column, widest: usize) -> usize {
    let min = min_width(col);
    if widest < min && !col.strict {
        min
    } else if col.hint >= 1.0 && (widest as f64) < col.hint && (min as f64) < col.hint {
        col.hint as usize
    } else {
        widest
    }
}

/// A relative hint's share of the terminal. findmnt hands libsmartcols its hints as
/// `float` (findmnt.c `get_column_whint`), so the product is taken at that precision.
fn share(hint: f64, term: usize) -> usize {
    (f64::from(hint as f32) * term as f64) as usize
}

fn relative(hint: f64) -> bool {
    hint > 0.0 && hint < 1.0
}

/// Cell widths of the `NOEXTREMES` columns, noted by the width pass of a [`Session`]'s
/// print (on a terminal, or for `--poll`).
#[derive(Debug, Default)]
pub struct Sample {
    widths: Vec<Option<Vec<u32>>>,
}

impl Sample {
    /// Ready to note the cells of `columns`.
    pub fn new(columns: &[Column]) -> Self {
        Sample {
            widths: columns
                .iter()
                .map(|c| flags(c.name).1.then(Vec::new))
                .collect(),
        }
    }

    /// One cell of column `ci` is `width` cells wide (tree art included).
    pub fn note(&mut self, ci: usize, width: usize) {
        if let Some(Some(v)) = self.widths.get_mut(ci) {
            v.push(u32::try_from(width).unwrap_or(u32::MAX));
        }
    }

    /// The cells noted for column `ci` (a `NOEXTREMES` column), if any.
    fn cells(&self, ci: usize) -> Option<&[u32]> {
        self.widths.get(ci)?.as_deref()
    }

    /// The widest cell of column `ci` no wider than `limit`.
    fn widest_within(&self, ci: usize, limit: usize) -> usize {
        self.cells(ci)
            .unwrap_or_default()
            .iter()
            .map(|&w| w as usize)
            .filter(|&w| w <= limit)
            .max()
            .unwrap_or(0)
    }
}

/// A column's statistics, which libsmartcols keeps in the column across the prints of one
/// table (`--poll` prints each change with the same table).
#[derive(Clone, Debug, Default)]
struct Stats {
    /// Sum and count of the cells measured while the average was still 0.
    sum: usize,
    count: usize,
    /// Average cell width, fixed once it is not 0 (`width_avg`).
    avg: usize,
    /// A cell was more than twice the average when it was fixed (`is_extreme`).
    extreme: bool,
    /// The widest cell ever (`width_max`).
    max: usize,
}

/// What the prints of one table share: the terminal, asked at the first print, and the
/// column statistics.
#[derive(Debug, Default)]
pub struct Session {
    notruncate: bool,
    keep: bool,
    term: Option<Option<Term>>,
    stats: Vec<Stats>,
}

impl Session {
    /// For one print.
    pub fn once(notruncate: bool) -> Session {
        Session {
            notruncate,
            ..Session::default()
        }
    }

    /// For a table printed again and again (`--poll`): statistics carry over, so even
    /// output that is not a terminal is laid out here.
    pub fn kept(notruncate: bool) -> Session {
        Session {
            notruncate,
            keep: true,
            ..Session::default()
        }
    }

    /// One print on `term`, whatever stdout is.
    #[cfg(test)]
    fn on(term: Term) -> Session {
        Session {
            term: Some(Some(term)),
            ..Session::once(term.notruncate)
        }
    }

    /// The terminal, asked once.
    pub fn term(&mut self, mode: Mode) -> Option<Term> {
        let notruncate = self.notruncate;
        *self
            .term
            .get_or_insert_with(|| Term::of_stdout(mode, notruncate))
    }

    /// Whether this print needs the cells of the `NOEXTREMES` columns noted.
    pub fn wants_sample(&self) -> bool {
        self.keep || self.term.flatten().is_some()
    }

    /// Lay out one print of `columns`, whose widest cells are `widest` (libsmartcols
    /// `count_column_width` with the statistics of earlier prints, then, on a terminal,
    /// `__scols_calculate`).
    pub fn layout(
        &mut self,
        columns: &[Column],
        widest: &[usize],
        sample: &Sample,
        tree_art: usize,
    ) -> Fitted {
        self.stats.resize(columns.len(), Stats::default());
        let mut measured = Vec::with_capacity(columns.len());
        for (ci, col) in columns.iter().enumerate() {
            let st = &mut self.stats[ci];
            let all = widest.get(ci).copied().unwrap_or(0);
            st.max = st.max.max(all);
            // Cells found extreme in an earlier print do not count.
            let width = if st.extreme {
                base_width(col, sample.widest_within(ci, 2 * st.avg))
            } else {
                base_width(col, all)
            };
            if st.avg == 0 {
                if let Some(cells) = sample.cells(ci) {
                    st.sum += cells.iter().map(|&w| w as usize).sum::<usize>();
                    st.count += cells.len();
                }
                if let Some(avg) = st.sum.checked_div(st.count) {
                    st.avg = avg;
                    st.extreme = avg > 0 && st.max > 2 * avg;
                }
            }
            let extreme = st.extreme.then(|| {
                (
                    base_width(col, sample.widest_within(ci, 2 * st.avg)),
                    st.max,
                )
            });
            measured.push((width, extreme));
        }
        match self.term.flatten() {
            Some(term) => fit_measured(columns, &measured, tree_art, &term),
            None => Fitted {
                cols: columns
                    .iter()
                    .zip(&measured)
                    .map(|(c, m)| Fit {
                        width: m.0,
                        hidden: false,
                        trunc: flags(c.name).0 && !self.notruncate,
                        right: c.right,
                        tree: c.tree,
                    })
                    .collect(),
            },
        }
    }
}

/// The widest tree art: two cells per level below the root. (calculate.c reads it as
/// "bytes" of the art, but util-linux 2.38 measurably stops at two cells per level, with
/// UTF-8 art too.)
pub fn tree_art_width(depth: &[u32]) -> usize {
    depth.iter().map(|&d| 2 * d as usize).max().unwrap_or(0)
}

#[derive(Clone, Debug)]
struct Fit {
    width: usize,
    hidden: bool,
    trunc: bool,
    right: bool,
    tree: bool,
}

/// Column widths of one print (fitted to the terminal, if any), and how cells are printed
/// at them.
#[derive(Clone, Debug)]
pub struct Fitted {
    cols: Vec<Fit>,
}

/// Fit one print of `columns`, whose widest cells are `widest`, to `term`.
#[cfg(test)]
fn fit(
    columns: &[Column],
    widest: &[usize],
    sample: &Sample,
    tree_art: usize,
    term: &Term,
) -> Fitted {
    Session::on(*term).layout(columns, widest, sample, tree_art)
}

/// Fit columns measured as `(width, extreme)` to `term` (libsmartcols `__scols_calculate`
/// on a terminal); `extreme` is, for an extreme column, its width without its extreme cells
/// and its widest cell. `tree_art` is the widest tree art.
fn fit_measured(
    columns: &[Column],
    measured: &[(usize, Option<(usize, usize)>)],
    tree_art: usize,
    term: &Term,
) -> Fitted {
    let tw = term.width;
    let mut cols: Vec<Fit> = columns
        .iter()
        .zip(measured)
        .map(|(c, m)| Fit {
            width: m.0,
            hidden: false,
            trunc: flags(c.name).0 && !term.notruncate,
            right: c.right,
            tree: c.tree,
        })
        .collect();
    let n = cols.len();
    if n == 0 {
        return Fitted { cols };
    }
    let mut width = cols.iter().map(|c| c.width).sum::<usize>() + n - 1;
    let extreme: Vec<Option<(usize, usize)>> = measured.iter().map(|m| m.1).collect();
    let mut extremes = extreme.iter().filter(|e| e.is_some()).count();
    // Too wide: measure the extreme columns again without their extreme cells.
    if width > tw && extremes > 0 {
        for (c, e) in cols.iter_mut().zip(&extreme) {
            let Some((w, _)) = *e else { continue };
            if c.width > w {
                width -= c.width - w;
            } else {
                extremes -= 1;
            }
            c.width = w;
        }
    }
    if width < tw {
        if extremes > 0 {
            // Room to spare goes to the extreme columns, up to their widest cell. A
            // column wider than that (its header) is set back to it, as libsmartcols'
            // unsigned arithmetic does.
            for (c, e) in cols.iter_mut().zip(&extreme) {
                let Some((_, max)) = *e else { continue };
                let mut add = tw - width;
                if add > 0 && c.width + add > max {
                    add = max.wrapping_sub(c.width);
                }
                c.width = c.width.wrapping_add(add);
                width = width.wrapping_add(add);
                if width == tw {
                    break;
                }
            }
        }
        if width < tw {
            if let Some(last) = cols.last_mut() {
                if !last.right {
                    last.width += tw - width;
                    width = tw;
                }
            }
        }
    }
    // Too wide: take one cell at a time, stage by stage, until it fits.
    let mut stage = 1;
    while width > tw && stage <= 3 {
        let before = width;
        for (c, col) in cols.iter_mut().zip(columns) {
            if c.hidden {
                continue;
            }
            if width <= tw {
                break;
            }
            if c.width == min_width(col) || (c.tree && width <= tree_art) || c.width == 0 {
                continue;
            }
            let shrink = match stage {
                1 => c.trunc && relative(col.hint) && c.width >= share(col.hint, tw),
                2 => c.trunc,
                _ => relative(col.hint),
            };
            if shrink {
                c.width -= 1;
                width -= 1;
            }
            if c.width == 0 {
                c.hidden = true;
            }
        }
        if width == before {
            stage += 1;
        }
    }
    Fitted { cols }
}

impl Fitted {
    /// Width of column `ci`.
    #[cfg(test)]
    pub fn width(&self, ci: usize) -> usize {
        self.cols.get(ci).map_or(0, |c| c.width)
    }

    /// Whether column `ci` is printed at all.
    #[cfg(test)]
    pub fn hidden(&self, ci: usize) -> bool {
        self.cols.get(ci).is_some_and(|c| c.hidden)
    }

    /// Print cell `ci` (`text`, `len` cells wide, tree art included) at its fitted width
    /// (libsmartcols `print_data`). `art` appends the tree lines that continue below this
    /// line and returns their width; it is asked only when a cell overflows.
    pub fn cell(
        &self,
        out: &mut Vec<u8>,
        ci: usize,
        text: &[u8],
        len: usize,
        art: &dyn Fn(&mut Vec<u8>) -> usize,
    ) {
        let Some(c) = self.cols.get(ci) else { return };
        if c.hidden {
            return;
        }
        let last = ci + 1 == self.cols.len();
        let mut width = c.width;
        if last && len < width && !c.right {
            width = len;
        }
        let (mut text, mut len) = (text, len);
        if len > width && c.trunc {
            let (bytes, cells) = escape::cut(text, width);
            text = &text[..bytes];
            len = cells;
        }
        if !text.is_empty() {
            if c.right {
                out.resize(out.len() + width.saturating_sub(len), b' ');
                len = width;
            }
            out.extend_from_slice(text);
        }
        if last {
            return;
        }
        out.resize(out.len() + width.saturating_sub(len), b' ');
        if len > width && !c.trunc {
            // The next column starts on a new line, below empty cells
            // (`print_newline_padding`; hidden columns too, as libsmartcols does).
            out.push(b'\n');
            for (i, e) in self.cols.iter().enumerate().take(ci + 1) {
                let mut pad = 0;
                if e.tree {
                    pad = art(out);
                }
                if i + 1 == self.cols.len() {
                    break;
                }
                out.resize(out.len() + e.width.saturating_sub(pad), b' ');
                out.push(b' ');
            }
        } else {
            out.push(b' ');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scols::Json;

    fn col(name: &'static str, hint: f64, right: bool, tree: bool) -> Column {
        Column {
            name,
            hint,
            right,
            tree,
            strict: false,
            json: Json::String,
        }
    }

    fn findmnt_cols() -> Vec<Column> {
        vec![
            col("TARGET", 0.30, false, true),
            col("SOURCE", 0.25, false, false),
            col("FSTYPE", 0.10, false, false),
            col("OPTIONS", 0.10, false, false),
        ]
    }

    fn term(width: usize) -> Term {
        Term {
            width,
            notruncate: false,
        }
    }

    fn widths(f: &Fitted) -> Vec<usize> {
        (0..f.cols.len()).map(|i| f.width(i)).collect()
    }

    #[test]
    fn flags_follow_findmnt() {
        // Every row names a findmnt column, and every TRUNC column has a relative hint.
        for &(name, trunc, _) in FLAGS {
            let info = crate::cols::INFOS.iter().find(|i| i.name == name);
            assert!(info.is_some_and(|i| !trunc || relative(i.hint)), "{name}");
        }
        assert_eq!(flags("OPTIONS"), (true, false));
        assert_eq!(flags("VFS-OPTIONS"), (true, false));
        assert_eq!(flags("TARGET"), (false, true));
        assert_eq!(flags("SOURCES"), (false, false));
        assert_eq!(flags("SIZE"), (false, false));
    }

    #[test]
    fn float_hints() {
        // 0.3f * 70 = 21.0000008; 0.1f * 30 = 3.0000000447.
        assert_eq!(share(0.30, 70), 21);
        assert_eq!(share(0.10, 30), 3);
        assert_eq!(share(0.25, 41), 10);
    }

    #[test]
    fn narrow_table_gives_the_rest_to_the_last_column() {
        let cols = findmnt_cols();
        let f = fit(&cols, &[10, 8, 5, 20], &Sample::default(), 0, &term(80));
        assert_eq!(widths(&f), vec![10, 8, 6, 80 - 10 - 8 - 6 - 3]);
        // Not a right-aligned last column.
        let mut cols = cols;
        cols[3].right = true;
        let f = fit(&cols, &[10, 8, 5, 20], &Sample::default(), 0, &term(80));
        assert_eq!(widths(&f), vec![10, 8, 6, 20]);
    }

    #[test]
    fn trunc_columns_shrink_first() {
        let cols = findmnt_cols();
        // 30 + 10 + 6 + 40 + 3 = 89 > 60: OPTIONS (trunc, share 6) gives up 29 cells.
        let f = fit(&cols, &[30, 10, 6, 40], &Sample::default(), 0, &term(60));
        assert_eq!(widths(&f), vec![30, 10, 6, 11]);
        // Narrower: OPTIONS down to its header, then the relative columns in turn.
        let f = fit(&cols, &[30, 10, 6, 40], &Sample::default(), 0, &term(40));
        assert_eq!(widths(&f), vec![18, 6, 6, 7]);
        // --notruncate: no TRUNC stage, the relative columns shrink together.
        let nt = Term {
            width: 60,
            notruncate: true,
        };
        let f = fit(&cols, &[30, 10, 6, 40], &Sample::default(), 0, &nt);
        assert_eq!(widths(&f), vec![17, 6, 6, 28]);
    }

    #[test]
    fn nothing_below_the_header() {
        let cols = findmnt_cols();
        let f = fit(&cols, &[30, 10, 6, 40], &Sample::default(), 0, &term(10));
        assert_eq!(widths(&f), vec![6, 6, 6, 7]);
        assert!(!(0..4).any(|i| f.hidden(i)));
    }

    #[test]
    fn extreme_columns_are_measured_again() {
        let cols = findmnt_cols();
        let mut s = Sample::new(&cols);
        for w in [4, 5, 6, 5, 40] {
            s.note(0, w);
            s.note(1, 6);
        }
        // avg 12, 40 > 24: TARGET is extreme, 6 without the 40.
        assert_eq!(s.widest_within(0, 24), 6);
        let f = fit(&cols, &[40, 6, 6, 30], &s, 0, &term(60));
        // 40+6+6+30+3 = 85 > 60 -> TARGET 6 (51), then back up to fill the terminal.
        assert_eq!(widths(&f), vec![15, 6, 6, 30]);
        // Wide enough: room goes back to TARGET first.
        let f = fit(&cols, &[40, 6, 6, 30], &s, 0, &term(100));
        assert_eq!(widths(&f), vec![40, 6, 6, 100 - 55]);
    }

    #[test]
    fn extreme_column_wider_than_its_data_is_set_back() {
        let cols = findmnt_cols();
        let mut s = Sample::new(&cols);
        for w in [1, 1, 1, 5] {
            s.note(1, w);
        }
        // SOURCE: data at most 5, header 6; extreme (avg 2): set back to 5.
        let f = fit(&cols, &[6, 5, 6, 7], &s, 0, &term(80));
        assert_eq!(f.width(1), 5);
    }

    #[test]
    fn the_tree_is_not_cut_below_its_art() {
        assert_eq!(tree_art_width(&[0, 1, 2, 1]), 4);
        assert_eq!(tree_art_width(&[]), 0);
        // TARGET (tree, art 30) and OPTIONS at min: a 20-cell terminal leaves the table 30 wide.
        let cols = [
            col("TARGET", 0.30, false, true),
            col("OPTIONS", 0.10, false, false),
        ];
        let f = fit(&cols, &[50, 40], &Sample::default(), 30, &term(20));
        assert_eq!(widths(&f), vec![22, 7]);
    }

    #[test]
    fn tree_lines_continue_below_an_overflow() {
        use crate::scols::{Line, Mode, Style, print_on};
        let line = |t: &str, s: &str, o: &str, parent| Line {
            cells: vec![Some(t.into()), Some(s.into()), Some(o.into())],
            parent,
        };
        let cols = [
            col("TARGET", 0.30, false, true),
            col("SOURCE", 0.25, false, false),
            col("OPTIONS", 0.10, false, false),
        ];
        let lines = [
            line("/", "/dev/sda1", "rw,relatime", None),
            line("/a", "src", "rw", Some(0)),
            line("/a/long-target", "s", "ro", Some(1)),
            line("/b", "a-long-source", "rw,nosuid", Some(0)),
        ];
        let style = Style {
            mode: Mode::Human,
            noheadings: false,
            ascii: true,
            utf8: true,
            shellvar: false,
        };
        let mut out = Vec::new();
        print_on(
            &mut out,
            &cols,
            &lines,
            &style,
            Some(&mut Session::on(term(24))),
        );
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "TARGET SOURCE    OPTIONS\n\
             /      /dev/sda1 rw,rela\n\
             |-/a   src       rw\n\
             | `-/a/long-target\n\
             |      s         ro\n\
             `-/b   a-long-source\n\
             \x20                rw,nosu\n"
        );
    }

    /// Any columns, cells, tree shape and terminal width: fitting and printing never panic
    /// (no unsigned overflow in debug builds), and without a terminal nothing changes.
    #[test]
    fn any_table_any_width() {
        use crate::scols::{Line, Mode, Style, print, print_on};
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        const NAMES: &[&str] = &[
            "TARGET", "SOURCE", "FSTYPE", "OPTIONS", "ID", "USE%", "ACTION",
        ];
        const TEXT: &[&str] = &[
            "",
            "/",
            "rw,relatime",
            "\u{4e2d}\u{6587}x",
            "e\u{301}",
            "a\x1bb",
            "tmpfs",
        ];
        for _ in 0..400 {
            let cols: Vec<Column> = (0..1 + next(5))
                .map(|i| Column {
                    name: NAMES[next(NAMES.len())],
                    hint: [0.1, 0.25, 0.3, 2.0, 10.0, 36.0][next(6)],
                    right: next(3) == 0,
                    tree: i == 0 && next(2) == 0,
                    strict: next(5) == 0,
                    json: crate::scols::Json::String,
                })
                .collect();
            let lines: Vec<Line> = (0..next(12))
                .map(|i| Line {
                    cells: cols
                        .iter()
                        .map(|_| {
                            let t = TEXT[next(TEXT.len())].repeat(next(4));
                            (next(6) != 0).then(|| t.into_bytes())
                        })
                        .collect(),
                    parent: (i > 0 && next(4) != 0).then(|| next(i)),
                })
                .collect();
            let style = Style {
                mode: Mode::Human,
                noheadings: next(4) == 0,
                ascii: next(2) == 0,
                utf8: next(4) != 0,
                shellvar: false,
            };
            let t = Term {
                width: 1 + next(120),
                notruncate: next(3) == 0,
            };
            let mut out = Vec::new();
            print_on(&mut out, &cols, &lines, &style, Some(&mut Session::on(t)));
            let (mut a, mut b) = (Vec::new(), Vec::new());
            print(&mut a, &cols, &lines, &style);
            print_on(&mut b, &cols, &lines, &style, None);
            assert_eq!(a, b);
        }
    }

    #[test]
    fn a_kept_session_remembers_extreme_columns() {
        let cols = [
            col("TARGET", 0.30, false, false),
            col("SOURCE", 0.25, false, false),
        ];
        let print = |session: &mut Session, targets: &[usize]| {
            let mut s = Sample::new(&cols);
            for &t in targets {
                s.note(0, t);
                s.note(1, 1);
            }
            let widest = [targets.iter().copied().max().unwrap_or(0), 1];
            widths(&session.layout(&cols, &widest, &s, 0))
        };
        // Not a terminal: the first print sets TARGET's average (13) and finds it extreme.
        let mut kept = Session::kept(false);
        kept.term = Some(None);
        assert_eq!(print(&mut kept, &[5, 5, 5, 40]), vec![40, 6]);
        // From then on, cells over 26 do not widen it.
        assert_eq!(print(&mut kept, &[30]), vec![6, 6]);
        assert_eq!(print(&mut kept, &[26, 9]), vec![26, 6]);
        // One print alone measures afresh.
        let mut once = Session::once(false);
        once.term = Some(None);
        assert!(!once.wants_sample());
        // On a terminal: room to spare goes to the extreme column, up to its widest cell ever.
        let mut kept = Session::kept(false);
        kept.term = Some(Some(term(60)));
        assert_eq!(print(&mut kept, &[5, 5, 5, 40]), vec![40, 19]);
        assert_eq!(print(&mut kept, &[9]), vec![40, 19]);
    }

    #[test]
    fn cells_cut_overflow_and_pad() {
        let cols = findmnt_cols();
        let f = fit(&cols, &[6, 6, 6, 12], &Sample::default(), 0, &term(20));
        assert_eq!(widths(&f), vec![6, 6, 6, 7]);
        let none = |_: &mut Vec<u8>| 0;
        let mut out = Vec::new();
        f.cell(&mut out, 3, b"rw,relatime", 11, &none);
        assert_eq!(out, b"rw,rela");
        // An overflowing SOURCE continues on the next line, under the tree's lines.
        let mut out = Vec::new();
        let art = |o: &mut Vec<u8>| {
            o.extend_from_slice(b"| ");
            2
        };
        f.cell(&mut out, 1, b"/dev/vda1", 9, &art);
        assert_eq!(out, b"/dev/vda1\n|             ");
    }
}
