//! Which entries findmnt shows: the match rules of findmnt.c `match_func`, the search
//! loop of `add_matching_lines` (with its source→target swap), `--target`'s walk up to the
//! mount point, `-R` subtrees and `--uniq`.

use std::collections::{HashMap, HashSet};
use std::os::unix::ffi::OsStrExt;

use common::table::{Entry, Index, Placed};

use crate::cols::{self, Cache};
use crate::kernel::Lookup;
use crate::{Ctx, Opts};

/// The selection criteria.
pub struct Selection {
    pub source: Option<Vec<u8>>,
    pub target: Option<Vec<u8>>,
    pub devno: Option<(u32, u32)>,
    types: Option<Vec<u8>>,
    options: Option<Vec<u8>>,
    df: bool,
    all: bool,
    real: bool,
    pseudo: bool,
    shadowed: bool,
    invert: bool,
    nocache: bool,
    pub noswap: bool,
    pub strict_target: bool,
    target_canon: Option<Option<Vec<u8>>>,
    source_canon: Option<Option<Vec<u8>>>,
    /// The IDs of the mounts the kernel resolves `-T`/`-M` to: they match, nothing else.
    mounts: Option<Vec<u64>>,
}

/// `sscanf(s, "%d:%d")`.
fn majmin(s: &[u8]) -> Option<(u32, u32)> {
    let s = std::str::from_utf8(s).ok()?.trim_start();
    let (a, b) = s.split_once(':')?;
    let lead = |x: &str| -> Option<i64> {
        let x = x.trim_start();
        let end = x
            .char_indices()
            .find(|&(i, c)| !(c.is_ascii_digit() || (i == 0 && (c == '-' || c == '+'))))
            .map_or(x.len(), |(i, _)| i);
        x[..end].parse().ok()
    };
    Some((lead(a)? as u32, lead(b)? as u32))
}

impl Selection {
    pub fn new(o: &Opts) -> Selection {
        let mut s = Selection {
            source: None,
            target: o.match_target.as_ref().map(|t| t.as_bytes().to_vec()),
            devno: None,
            types: o.types.clone(),
            options: o.options.clone(),
            df: o.df,
            all: o.all,
            real: o.real,
            pseudo: o.pseudo,
            shadowed: o.shadowed,
            invert: o.invert,
            nocache: o.nocanon,
            noswap: o.noswap,
            strict_target: o.strict_target,
            target_canon: None,
            source_canon: None,
            mounts: None,
        };
        if let Some(src) = &o.match_source {
            let src = src.as_bytes();
            match majmin(src) {
                Some(d) => {
                    s.devno = Some(d);
                    s.noswap = true;
                }
                None => s.source = Some(src.to_vec()),
            }
        }
        if !s.noswap && s.target.is_none() {
            if let Some(src) = &s.source {
                if cols::tag(src).is_some_and(|(t, _)| t != "ID") {
                    s.noswap = true;
                }
            }
        }
        s
    }

    /// No filter at all: every entry is printed (findmnt.c `is_listall_mode`).
    pub fn is_listall(&self) -> bool {
        if (self.df || self.real || self.pseudo) && !self.all {
            return false;
        }
        self.source.is_none()
            && self.target.is_none()
            && self.types.is_none()
            && self.options.is_none()
            && self.devno.is_none()
    }

    /// findmnt.c `match_func`.
    pub fn matches(&self, ctx: &Ctx, index: &Index, i: usize) -> bool {
        let e = &ctx.entries[i];
        let no = self.invert;
        if let Some(t) = &self.types {
            if !match_fstype(&e.fstype, t) {
                return no;
            }
        }
        if let Some(p) = &self.options {
            if !match_options(&cols::options(ctx, i), p) {
                return no;
            }
        }
        if let Some((ma, mi)) = self.devno {
            if (e.major, e.minor) != (ma, mi) {
                return no;
            }
        }
        if let Some(t) = &self.target {
            if !self.match_target(ctx, e, t) {
                return no;
            }
        }
        if let Some(s) = &self.source {
            if !self.match_source(e, s) {
                return no;
            }
        }
        if self.df && !self.all {
            if e.fstype.windows(5).any(|w| w == b"tmpfs") {
                return !no;
            }
            if cols::is_pseudo(&e.fstype) {
                return no;
            }
        }
        if self.real && cols::is_pseudo(&e.fstype) {
            return no;
        }
        if self.pseudo && !cols::is_pseudo(&e.fstype) {
            return no;
        }
        if self.shadowed && !is_overmounted(ctx, index, i) {
            return no;
        }
        !no
    }

    fn canon_target(&self, t: &[u8]) -> Option<Vec<u8>> {
        match &self.target_canon {
            Some(c) if self.target.as_deref() == Some(t) => c.clone(),
            _ => cols::canonical(t),
        }
    }

    fn match_target(&self, ctx: &Ctx, e: &Entry, t: &[u8]) -> bool {
        if let Some(ids) = &self.mounts {
            return ids.contains(&e.id);
        }
        if streq_paths(&e.target, t) {
            return true;
        }
        if self.nocache {
            return false;
        }
        let Some(cn) = self.canon_target(t) else {
            return false;
        };
        if streq_paths(&e.target, &cn) {
            return true;
        }
        !ctx.kernel && cols::canonical(&e.target).is_some_and(|tc| tc == cn)
    }

    fn match_source(&self, e: &Entry, s: &[u8]) -> bool {
        if streq_paths(s, &e.source) {
            return true;
        }
        if self.nocache || cols::is_pseudo(&e.fstype) || cols::is_net(&e.fstype) {
            return false;
        }
        let cn = match &self.source_canon {
            Some(c) => c.clone(),
            None => resolve_spec(s),
        };
        let Some(cn) = cn else { return false };
        if cols::tag(&e.source).is_none() {
            if streq_paths(&cn, &e.source) {
                return true;
            }
            return cols::canonical(&e.source).is_some_and(|c| c == cn);
        }
        cols::tag(&e.source)
            .and_then(|(t, v)| Cache::device_of(cols::tag_dir(t), v))
            .is_some_and(|d| d.as_os_str().as_bytes() == cn.as_slice())
    }

    /// Canonicalize the patterns once, so matching 100k entries costs no syscalls each.
    fn prepare(&mut self) {
        if self.target_canon.is_none() && !self.nocache && self.mounts.is_none() {
            self.target_canon = Some(self.target.as_deref().and_then(cols::canonical));
        }
        if self.source_canon.is_none() && !self.nocache {
            self.source_canon = Some(self.source.as_deref().and_then(resolve_spec));
        }
    }

    /// The entries to print in list mode or as `-R` subtrees (findmnt.c
    /// `add_matching_lines`), or `None` when nothing matched.
    pub fn matching_lines(
        &mut self,
        ctx: &Ctx,
        index: &Index,
        submounts: bool,
        backward: bool,
        first_only: bool,
    ) -> Option<Vec<Placed>> {
        self.prepare();
        let n = ctx.entries.len();
        let order: Vec<usize> = if backward {
            (0..n).rev().collect()
        } else {
            (0..n).collect()
        };
        let listall = self.is_listall();
        let mut out = Vec::new();
        let mut lined = vec![false; n];
        let mut found = 0;
        let mut pos = 0;
        while pos < order.len() {
            let i = order[pos];
            pos += 1;
            let hit = listall || self.matches(ctx, index, i);
            if !hit {
                if pos == order.len()
                    && found == 0
                    && !self.noswap
                    && self.target.is_none()
                    && self.source.is_some()
                {
                    // Nothing matched as a source: try it as a target. The swap does not
                    // set NOSWAPMATCH (findmnt.c `get_next_fs`): a positional path that
                    // matches neither way must not get `--target`'s walk up to the mount
                    // it is on (`findmnt /tmp/dir` prints nothing and exits 1).
                    self.target = self.source.take();
                    self.target_canon = None;
                    self.source_canon = None;
                    self.prepare();
                    pos = 0;
                }
                continue;
            }
            if submounts {
                subtree(i, index, &mut lined, &mut out);
            } else {
                out.push(Placed {
                    entry: i,
                    parent: None,
                });
            }
            found += 1;
            if first_only {
                break;
            }
            self.noswap = true;
        }
        (found > 0).then_some(out)
    }

    /// Match the mounts the kernel resolved the `-T`/`-M` path to, instead of comparing
    /// mount point strings: for `-T` the mount the path is on, for `-M` the mounts stacked
    /// at the path (the top one and each one it covers at the same mount point), or none
    /// when the path is not a mount point. Left as it is when the table does not have the
    /// mount (a mount point outside our root).
    pub fn use_kernel(&mut self, found: &Lookup, entries: &[Entry], index: &Index) {
        if self.strict_target && !found.mount_root {
            self.mounts = Some(Vec::new());
            return;
        }
        let Some(top) = index.by_id(found.id) else {
            return;
        };
        let mut ids = vec![found.id];
        if self.strict_target {
            let mut cur = top;
            while let Some(below) = index.by_id(entries[cur].parent) {
                if ids.len() > entries.len()
                    || ids.contains(&entries[below].id)
                    || !streq_paths(&entries[below].target, &entries[top].target)
                {
                    break;
                }
                ids.push(entries[below].id);
                cur = below;
            }
        }
        self.mounts = Some(ids);
    }

    /// The kernel decided what `-T`/`-M` matches.
    pub fn by_kernel(&self) -> bool {
        self.mounts.is_some()
    }

    /// `--target PATH` found nothing: use the mount point PATH is on (libmount
    /// `mnt_table_find_mountpoint`, searching backward so the top mount wins).
    pub fn extra_target_match(&mut self, ctx: &Ctx, _backward: bool) {
        let Some(t) = self.target.clone() else { return };
        let tgt = if self.nocache {
            t.clone()
        } else {
            match cols::canonical(&t) {
                Some(c) => c,
                None => return,
            }
        };
        let mut p = tgt.clone();
        loop {
            let hit = ctx
                .entries
                .iter()
                .rev()
                .find(|e| streq_paths(&e.target, &p));
            if let Some(e) = hit {
                if e.target != tgt {
                    self.target = Some(e.target.clone());
                    self.target_canon = None;
                    self.prepare_target();
                }
                return;
            }
            if p == b"/" || p.is_empty() {
                return;
            }
            match p.iter().rposition(|&b| b == b'/') {
                Some(0) => p.truncate(1),
                Some(at) => p.truncate(at),
                None => return,
            }
        }
    }

    fn prepare_target(&mut self) {
        if !self.nocache {
            self.target_canon = Some(self.target.as_deref().and_then(cols::canonical));
        }
    }
}

/// `-R`: `top` and everything mounted under it, each entry once.
fn subtree(top: usize, index: &Index, lined: &mut [bool], out: &mut Vec<Placed>) {
    if lined[top] {
        return;
    }
    lined[top] = true;
    out.push(Placed {
        entry: top,
        parent: None,
    });
    let mut stack: Vec<(usize, usize, usize)> = vec![(top, out.len() - 1, 0)];
    while let Some(frame) = stack.last_mut() {
        let (i, line, next) = *frame;
        let Some(&child) = index.children(i).get(next) else {
            stack.pop();
            continue;
        };
        frame.2 += 1;
        if lined[child] {
            continue;
        }
        lined[child] = true;
        out.push(Placed {
            entry: child,
            parent: Some(line),
        });
        stack.push((child, out.len() - 1, 0));
    }
}

/// Whether another mount sits on top of entry `i` (a child with the same target).
fn is_overmounted(ctx: &Ctx, index: &Index, i: usize) -> bool {
    let t = &ctx.entries[i].target;
    index
        .children(i)
        .iter()
        .any(|&c| ctx.entries[c].target == *t)
}

/// A device, tag or path in canonical form (libmount `mnt_resolve_spec`).
fn resolve_spec(s: &[u8]) -> Option<Vec<u8>> {
    match cols::tag(s) {
        Some((t, v)) => {
            Cache::device_of(cols::tag_dir(t), v).map(|p| p.into_os_string().as_bytes().to_vec())
        }
        None => cols::canonical(s),
    }
}

/// Paths equal segment by segment (repeated and trailing slashes do not count).
pub fn streq_paths(a: &[u8], b: &[u8]) -> bool {
    let mut x = a.split(|&c| c == b'/').filter(|s| !s.is_empty());
    let mut y = b.split(|&c| c == b'/').filter(|s| !s.is_empty());
    loop {
        match (x.next(), y.next()) {
            (None, None) => return true,
            (Some(p), Some(q)) if p == q => {}
            _ => return false,
        }
    }
}

/// libmount `mnt_match_fstype`: a comma list; a leading `no` negates the whole list, a
/// `no` item excludes that type. Case-insensitive.
pub fn match_fstype(fstype: &[u8], pattern: &[u8]) -> bool {
    let (negated, list) = match pattern.strip_prefix(b"no") {
        Some(rest) => (true, rest),
        None => (false, pattern),
    };
    for item in list.split(|&b| b == b',') {
        if let Some(t) = item.strip_prefix(b"no") {
            if t.eq_ignore_ascii_case(fstype) {
                return false;
            }
        }
        if item.eq_ignore_ascii_case(fstype) {
            return !negated;
        }
    }
    negated
}

/// libmount `mnt_match_options`: every pattern item must hold; `noX` means X absent, `+X`
/// means X present even when X starts with "no"; `X=V` compares the value too.
pub fn match_options(optstr: &[u8], pattern: &[u8]) -> bool {
    let have = cols::split_options(optstr);
    for item in cols::split_options(pattern) {
        let (name_val, no) = if let Some(rest) = item.strip_prefix(b"+") {
            (rest, false)
        } else if let Some(rest) = item.strip_prefix(b"no") {
            (rest, true)
        } else {
            (item, false)
        };
        let name = cols::option_name(name_val);
        let value = name_val.get(name.len() + 1..).filter(|v| !v.is_empty());
        let found = have.iter().any(|o| {
            cols::option_name(o) == name && value.is_none_or(|v| o.get(name.len() + 1..) == Some(v))
        });
        if found == no {
            return false;
        }
    }
    true
}

/// `--uniq`: drop entries whose target a later entry has too (libmount
/// `mnt_table_uniq_fs` with `MNT_UNIQ_KEEPTREE`: children of a dropped mountinfo entry move
/// to its parent).
pub fn uniq(entries: &mut Vec<Entry>, kernel: bool) {
    let mut seen: HashSet<Vec<u8>> = HashSet::new();
    let mut keep = vec![true; entries.len()];
    let mut moved: HashMap<u64, u64> = HashMap::new();
    for i in (0..entries.len()).rev() {
        let key = normalize(&entries[i].target);
        if !seen.insert(key) {
            keep[i] = false;
            if kernel {
                moved.insert(entries[i].id, entries[i].parent);
            }
        }
    }
    let mut k = keep.iter();
    entries.retain(|_| *k.next().unwrap_or(&true));
    if moved.is_empty() {
        return;
    }
    for e in entries.iter_mut() {
        let mut hops = 0;
        while let Some(&p) = moved.get(&e.parent) {
            if p == e.parent || hops > moved.len() {
                break;
            }
            e.parent = p;
            hops += 1;
        }
    }
}

fn normalize(path: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(path.len());
    for seg in path.split(|&c| c == b'/').filter(|s| !s.is_empty()) {
        out.push(b'/');
        out.extend_from_slice(seg);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fstype_lists() {
        assert!(match_fstype(b"ext4", b"ext4"));
        assert!(match_fstype(b"EXT4", b"xfs,ext4"));
        assert!(!match_fstype(b"ext4", b"xfs"));
        assert!(match_fstype(b"ext4", b"nosuchfs"));
        assert!(!match_fstype(b"ext4", b"noext4"));
        assert!(!match_fstype(b"xfs", b"noext4,xfs"));
        assert!(!match_fstype(b"xfs", b"ext4,noxfs"));
    }

    #[test]
    fn option_patterns() {
        assert!(match_options(b"rw,nosuid,size=1k", b"nosuid"));
        assert!(match_options(b"rw,nosuid", b"noexec"));
        assert!(!match_options(b"rw,exec", b"noexec"));
        assert!(match_options(b"rw,noexec", b"+noexec"));
        assert!(match_options(b"rw,size=1k", b"size=1k"));
        assert!(!match_options(b"rw,size=1k", b"size=2k"));
        assert!(match_options(b"rw,size=1k", b"rw,size"));
    }

    #[test]
    fn paths_compare_by_segments() {
        assert!(streq_paths(b"/a/b/", b"//a///b"));
        assert!(streq_paths(b"/", b"/"));
        assert!(!streq_paths(b"/a", b"/ab"));
    }

    #[test]
    fn majmin_like_sscanf() {
        assert_eq!(majmin(b"8:1"), Some((8, 1)));
        assert_eq!(majmin(b" 8:1x"), Some((8, 1)));
        assert_eq!(majmin(b"/dev/sda"), None);
    }

    #[test]
    fn uniq_keeps_last_and_reparents() {
        let mut t = common::table::parse(
            b"1 0 0:1 / / rw - e s o\n2 1 0:1 / /a rw - e s o\n3 2 0:1 / /a/b rw - e s o\n4 1 0:1 / /a rw - e s o\n",
            common::table::Format::MountInfo,
        )
        .entries;
        uniq(&mut t, true);
        let ids: Vec<(u64, u64)> = t.iter().map(|e| (e.id, e.parent)).collect();
        assert_eq!(ids, vec![(1, 0), (3, 1), (4, 1)]);
    }
}
