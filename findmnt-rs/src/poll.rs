//! `--poll`: watch the mount table and print what changed (util-linux `poll_table` and
//! libmount `mnt_diff_tables`): mount, umount, remount, move.

use std::ffi::OsString;

use common::table::{self, Entry, Format, Index, TableFile};
use common::{Failure, Result, out::Out};

use crate::cols::{self, Col};
use crate::fit;
use crate::scols::{self, Line, Style};
use crate::select::{Selection, streq_paths};
use crate::{Ctx, Opts};

/// A change kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    Mount,
    Umount,
    Remount,
    Move,
}

impl Action {
    fn name(self) -> &'static str {
        match self {
            Action::Mount => "mount",
            Action::Umount => "umount",
            Action::Remount => "remount",
            Action::Move => "move",
        }
    }
}

/// `--poll=LIST`: a comma list of action names.
pub fn parse_actions(list: &[u8]) -> Result<Vec<Action>> {
    let mut out = Vec::new();
    for name in list.split(|&b| b == b',') {
        let a = [Action::Mount, Action::Umount, Action::Remount, Action::Move]
            .into_iter()
            .find(|a| a.name().as_bytes().eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                Failure::msg(format!("unknown action: {}", String::from_utf8_lossy(name)))
            })?;
        out.push(a);
    }
    Ok(out)
}

/// The changes from `old` to `new`, in libmount's order.
fn diff<'a>(
    old: &'a [Entry],
    new: &'a [Entry],
) -> Vec<(Action, Option<&'a Entry>, Option<&'a Entry>)> {
    let pair = |tab: &'a [Entry], e: &Entry| {
        tab.iter()
            .find(|x| streq_paths(x.target(), e.target()) && x.source() == e.source())
    };
    let mut changes = Vec::new();
    for n in new {
        match pair(old, n) {
            None => changes.push((Action::Mount, None, Some(n))),
            Some(o) if o.vfs_options() != n.vfs_options() || o.fs_options() != n.fs_options() => {
                changes.push((Action::Remount, Some(o), Some(n)))
            }
            Some(_) => {}
        }
    }
    for o in old {
        if pair(new, o).is_some() {
            continue;
        }
        let moved = changes.iter_mut().find(|(a, _, n)| {
            *a == Action::Mount && n.is_some_and(|n| n.source() == o.source() && n.id == o.id)
        });
        match moved {
            Some(c) => {
                c.0 = Action::Move;
                c.1 = Some(o);
            }
            None => changes.push((Action::Umount, Some(o), None)),
        }
    }
    changes
}

/// Watch `path` until the timeout passes (or, with `-f`, until the first change).
#[allow(clippy::too_many_arguments)]
pub fn run(
    ctx: &mut Ctx,
    path: &OsString,
    actions: &[Action],
    timeout: i32,
    columns: &[Col],
    out_cols: &[scols::Column],
    style: &Style,
    sel: &Selection,
    o: &Opts,
    out: &mut Out,
) -> Result<u8> {
    let file = TableFile::open(Some(crate::NAME), std::path::Path::new(path)).map_err(|e| {
        Failure::from(anyhow::Error::new(e).context(format!("cannot open {}", crate::show(path))))
    })?;
    let mut old = std::mem::take(&mut ctx.entries);
    let mut header = !style.noheadings;
    // One table for every change, as findmnt's: the terminal is asked at the first print
    // and the column statistics carry over.
    let mut session = fit::Session::kept(o.notruncate);
    let mut text = Vec::new();
    // Consume the current state so that poll() waits for the next change.
    file.read_to_end(&mut text)
        .map_err(|e| Failure::from(anyhow::Error::new(e).context("read failed")))?;
    loop {
        let changed = file
            .wait_change(timeout)
            .map_err(|e| Failure::from(anyhow::Error::new(e).context("poll() failed")))?;
        if !changed {
            break;
        }
        text.clear();
        file.rewind()
            .and_then(|()| file.read_to_end(&mut text))
            .map_err(|e| Failure::from(anyhow::Error::new(e).context("read failed")))?;
        let new = table::parse(&text, Format::MountInfo).entries;
        let mut lines = Vec::new();
        {
            let changes = diff(&old, &new);
            for (action, before, after) in changes {
                if !actions.is_empty() && !actions.contains(&action) {
                    continue;
                }
                let Some(shown) = after.or(before) else {
                    continue;
                };
                let one = Ctx {
                    entries: vec![shown.clone()],
                    kernel: true,
                    tid: ctx.tid,
                    flags: ctx.flags.clone(),
                    bad_lines: 0,
                };
                let index = Index::new(&one.entries);
                if !sel.matches(&one, &index, 0) && !swapped_match(sel, &one) {
                    continue;
                }
                let mut cache = cols::Cache::default();
                let cells = columns
                    .iter()
                    .map(|c| match c {
                        Col::Action => Some(action.name().as_bytes().to_vec()),
                        Col::OldOptions => before
                            .filter(|_| matches!(action, Action::Remount | Action::Umount))
                            .map(|b| cols::merged_options(b.vfs_options(), b.fs_options())),
                        Col::OldTarget => before
                            .filter(|_| matches!(action, Action::Move | Action::Umount))
                            .map(|b| b.target().to_vec()),
                        _ => cols::data(*c, &one, 0, &mut cache),
                    })
                    .collect();
                lines.push(Line {
                    cells,
                    parent: None,
                });
                if o.first_only {
                    break;
                }
            }
        }
        let count = lines.len();
        if count > 0 {
            let mut buf = Vec::new();
            let st = Style {
                noheadings: !header,
                ..*style
            };
            scols::print_on(&mut buf, out_cols, &lines, &st, Some(&mut session));
            header = false;
            out.bytes(&buf)?;
            out.flush()?;
        }
        old = new;
        if count > 0 && o.first_only {
            break;
        }
    }
    Ok(0)
}

/// `findmnt --poll /foo`: /foo may be a source or a target.
fn swapped_match(sel: &Selection, one: &Ctx) -> bool {
    if sel.noswap || sel.target.is_some() {
        return false;
    }
    let Some(src) = &sel.source else { return false };
    let e = &one.entries[0];
    streq_paths(e.target(), src)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn action_names() {
        assert_eq!(
            parse_actions(b"mount,UMOUNT,remount,move").ok(),
            Some(vec![
                Action::Mount,
                Action::Umount,
                Action::Remount,
                Action::Move
            ])
        );
        let bad = parse_actions(b"mount,foo").err().map(|f| f.message());
        assert_eq!(bad.as_deref(), Some("unknown action: foo"));
    }

    #[test]
    fn changes_between_tables() {
        let t = |s: &str| table::parse(s.as_bytes(), Format::MountInfo).entries;
        let old = t("1 0 0:1 / / rw - ext4 a rw\n2 1 0:2 / /x rw - tmpfs x rw\n\
                     3 1 0:3 / /y rw - tmpfs y rw\n4 1 0:4 / /m rw - tmpfs m rw\n");
        let new = t("1 0 0:1 / / rw - ext4 a rw\n2 1 0:2 / /x ro - tmpfs x rw\n\
                     4 1 0:4 / /n rw - tmpfs m rw\n5 1 0:5 / /z rw - tmpfs z rw\n");
        type Change<'a> = (Action, Option<&'a [u8]>, Option<&'a [u8]>);
        let got: Vec<Change> = diff(&old, &new)
            .into_iter()
            .map(|(a, o, n)| (a, o.map(|e| e.target()), n.map(|e| e.target())))
            .collect();
        assert_eq!(
            got,
            vec![
                (Action::Remount, Some(&b"/x"[..]), Some(&b"/x"[..])),
                (Action::Move, Some(&b"/m"[..]), Some(&b"/n"[..])),
                (Action::Mount, None, Some(&b"/z"[..])),
                (Action::Umount, Some(&b"/y"[..]), None),
            ]
        );
    }
}
