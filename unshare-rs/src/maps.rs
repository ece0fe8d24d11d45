//! User and group id maps: `--map-users`/`--map-groups` ranges, `--map-auto` from
//! `/etc/subuid` and `/etc/subgid`, `all` from the caller's own map, and the merge of a
//! single `--map-user`/`--map-group` id into the ranges; plus the `/etc/passwd` and
//! `/etc/group` lookups that names need.
//!
//! Names are looked up in the files directly (as a static binary in a bare rootfs must),
//! before numbers, as util-linux does; ids are u32 via `common::ids` (no wrap-around).

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;

use common::passwd::{self, User};
use common::{Failure, Result};

/// One line of `uid_map`/`gid_map`: `count` ids from `outer` (in the parent namespace)
/// seen as `inner` inside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    /// First id inside.
    pub inner: u32,
    /// First id outside.
    pub outer: u32,
    /// How many.
    pub count: u32,
}

impl Range {
    /// The line as the kernel takes it (`user_namespaces(7)`).
    pub fn line(&self) -> String {
        format!("{} {} {}\n", self.inner, self.outer, self.count)
    }
}

/// What one `--map-users`/`--map-groups` argument asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Spec {
    /// `INNER:OUTER:COUNT` (or util-linux 2.38's `OUTER,INNER,COUNT`).
    Fixed(Range),
    /// `auto`: the caller's first block in /etc/subuid (subgid), mapped from 0 up.
    Auto,
    /// `all`: every id the caller's own namespace maps, each to itself.
    All,
    /// `subids`: the caller's first block in /etc/subuid (subgid), each id to itself
    /// (util-linux 2.41).
    Subids,
}

/// Parse a `--map-users`/`--map-groups` argument.
pub fn parse_spec(text: &OsStr) -> Result<Spec> {
    match text.as_bytes() {
        b"auto" => return Ok(Spec::Auto),
        b"all" => return Ok(Spec::All),
        b"subids" => return Ok(Spec::Subids),
        _ => {}
    }
    let shown = common::usage::lossy(text);
    // `:` is util-linux 2.39's INNER:OUTER:COUNT; `,` is 2.38's OUTER,INNER,COUNT.
    let (sep, outer_first) = if shown.contains(':') {
        (':', false)
    } else {
        (',', true)
    };
    let parts: Vec<&str> = shown.split(sep).collect();
    if parts.len() < 3 {
        return Err(Failure::msg(format!(
            "mapping '{shown}' contains only {} elements",
            parts.len()
        )));
    }
    if parts.len() > 3 {
        return Err(Failure::msg(format!(
            "too many elements for mapping '{shown}'"
        )));
    }
    let mut nums = [0u32; 3];
    for (num, part) in nums.iter_mut().zip(&parts) {
        *num = common::ids::parse(OsStr::new(part))
            .ok_or_else(|| Failure::msg(format!("could not parse ID: '{part}'")))?;
    }
    let (inner, outer) = if outer_first {
        (nums[1], nums[0])
    } else {
        (nums[0], nums[1])
    };
    let count = nums[2];
    let fits = |first: u32| u64::from(first) + u64::from(count) <= u64::from(u32::MAX);
    if count == 0 || !fits(inner) || !fits(outer) {
        return Err(Failure::msg(format!("invalid mapping '{shown}'")));
    }
    Ok(Spec::Fixed(Range {
        inner,
        outer,
        count,
    }))
}

/// A range to merge: `auto` ranges have no upper end inside (util-linux shifts them up
/// past the single id instead of shortening them).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    /// The range.
    pub range: Range,
    /// Whether the inside ids are open-ended (an `auto` block).
    pub open: bool,
}

/// Merge the single map `inner -> outer` (if any) into `blocks`: the single line first,
/// then each block with the single inner id left out inside and the single outer id left
/// out outside, the ids after each hole moving up by one (util-linux
/// `add_single_map_range()`: `--map-auto -r` for uid 1000 with `1000:100000:65536` gives
/// `0 1000 1` and `1 100000 65536`). The kernel refuses overlapping lines, so without
/// this `-r --map-users=0:100000:65536` could not work. (util-linux also drops an id when
/// the single id sits just past a block's end, an off-by-one we do not copy.)
pub fn merge(blocks: &[Block], single: Option<(u32, u32)>) -> Vec<Range> {
    let mut out = Vec::new();
    if let Some((inner, outer)) = single {
        out.push(Range {
            inner,
            outer,
            count: 1,
        });
    }
    for block in blocks {
        out.extend(cut(block, single));
    }
    out
}

/// One block without the single ids: the inside and the outside sequences, each skipping
/// its hole, zipped, then cut into runs where both are contiguous.
fn cut(block: &Block, single: Option<(u32, u32)>) -> Vec<Range> {
    let r = block.range;
    let n = u64::from(r.count);
    let (i0, o0) = (u64::from(r.inner), u64::from(r.outer));
    let hole = |first: u64, at: Option<u64>, open: bool| {
        at.filter(|&x| x >= first && (open || x < first + n))
            .map(|x| x - first)
    };
    let inner_hole = hole(i0, single.map(|s| u64::from(s.0)), block.open);
    let outer_hole = hole(o0, single.map(|s| u64::from(s.1)), false);
    let inner_len = if block.open || inner_hole.is_none() {
        n
    } else {
        n - 1
    };
    let outer_len = if outer_hole.is_none() { n } else { n - 1 };
    let len = inner_len.min(outer_len);
    let at =
        |first: u64, hole: Option<u64>, k: u64| first + k + u64::from(hole.is_some_and(|h| k >= h));
    let mut cuts: Vec<u64> = [Some(0), inner_hole, outer_hole, Some(len)]
        .into_iter()
        .flatten()
        .filter(|&k| k <= len)
        .collect();
    cuts.sort_unstable();
    cuts.dedup();
    cuts.windows(2)
        .filter_map(|w| {
            let (a, b) = (w[0], w[1]);
            Some(Range {
                inner: u32::try_from(at(i0, inner_hole, a)).ok()?,
                outer: u32::try_from(at(o0, outer_hole, a)).ok()?,
                count: u32::try_from(b - a).ok()?,
            })
        })
        .collect()
}

/// A name for `--map-user` or `--map-group`: which file holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdFile {
    /// `/etc/passwd`, for a uid.
    Passwd,
    /// `/etc/group`, for a gid.
    Group,
}

/// The user or group spelled `text`: a name in `/etc/passwd` (`/etc/group`) first, then a
/// number; `None` when it is neither.
pub fn lookup_id(file: IdFile, text: &OsStr) -> Option<u32> {
    let name = text.as_bytes();
    let named = match (name.is_empty(), file) {
        (true, _) => None,
        (false, IdFile::Passwd) => {
            let content = std::fs::read("/etc/passwd").unwrap_or_default();
            passwd::users(&content)
                .find(|u| u.name == name)
                .map(|u| u.uid)
        }
        (false, IdFile::Group) => {
            let content = std::fs::read("/etc/group").unwrap_or_default();
            passwd::groups(&content)
                .find(|g| g.name == name)
                .map(|g| g.gid)
        }
    };
    named.or_else(|| common::ids::parse(text))
}

/// The passwd entry of `uid`.
pub fn user_by_id(uid: u32) -> Option<User> {
    let content = std::fs::read("/etc/passwd").ok()?;
    passwd::users(&content).find(|u| u.uid == uid)
}

/// The first block of `file` (`/etc/subuid` or `/etc/subgid`) owned by `uid`, by name
/// (`owner`, its passwd entry) or number (util-linux `read_subid_range()`): an open-ended
/// block mapped from 0, or with `identity` each id mapped to itself.
pub fn subid_block(file: &str, uid: u32, owner: Option<&User>, identity: bool) -> Result<Block> {
    let content = std::fs::read(file).map_err(|e| {
        Failure::from(anyhow::Error::new(e).context(format!("could not open '{file}'")))
    })?;
    let uid_text = uid.to_string();
    for line in content.split(|&b| b == b'\n') {
        let fields: Vec<&[u8]> = line.split(|&b| b == b':').collect();
        let [who, start, count] = fields.as_slice() else {
            continue;
        };
        let mine = owner.is_some_and(|o| o.name == *who) || *who == uid_text.as_bytes();
        if !mine {
            continue;
        }
        let num = |f: &[u8]| {
            common::ids::parse(OsStr::from_bytes(f)).ok_or_else(|| {
                Failure::msg(format!(
                    "failed to parse subid map: '{}'",
                    String::from_utf8_lossy(f)
                ))
            })
        };
        let (outer, count) = (num(start)?, num(count)?);
        if count == 0 || u64::from(outer) + u64::from(count) > u64::from(u32::MAX) {
            return Err(Failure::msg(format!(
                "failed to parse subid map: '{}'",
                String::from_utf8_lossy(line)
            )));
        }
        return Ok(Block {
            range: Range {
                inner: if identity { outer } else { 0 },
                outer,
                count,
            },
            open: !identity,
        });
    }
    let who = owner.map_or(uid_text, |o| String::from_utf8_lossy(&o.name).into_owned());
    Err(Failure::msg(format!(
        "no line matching user \"{who}\" in {file}"
    )))
}

/// `all`: every range of the caller's own `/proc/self/uid_map` (gid_map), each id mapped
/// to itself.
pub fn own_map(file: &str) -> Result<Vec<Block>> {
    let content = std::fs::read(file).map_err(|e| {
        Failure::from(anyhow::Error::new(e).context(format!("could not open '{file}'")))
    })?;
    let text = String::from_utf8_lossy(&content);
    Ok(text
        .lines()
        .filter_map(|line| {
            let mut f = line.split_whitespace();
            let start: u32 = f.next()?.parse().ok()?;
            let _outer = f.next()?;
            let count: u32 = f.next()?.parse().ok()?;
            Some(Block {
                range: Range {
                    inner: start,
                    outer: start,
                    count,
                },
                open: false,
            })
        })
        .collect())
}

/// The text of a whole map, one line per range.
pub fn map_text(ranges: &[Range]) -> String {
    ranges.iter().map(Range::line).collect()
}

/// The arguments of newuidmap/newgidmap after the pid: `INNER OUTER COUNT`...
pub fn helper_args(ranges: &[Range]) -> Vec<OsString> {
    ranges
        .iter()
        .flat_map(|r| [r.inner, r.outer, r.count])
        .map(|n| OsString::from(n.to_string()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn range(inner: u32, outer: u32, count: u32) -> Range {
        Range {
            inner,
            outer,
            count,
        }
    }

    fn fixed(inner: u32, outer: u32, count: u32) -> Block {
        Block {
            range: range(inner, outer, count),
            open: false,
        }
    }

    #[test]
    fn specs() {
        let p = |s: &str| parse_spec(OsStr::new(s)).map_err(|f| f.message());
        assert_eq!(
            p("0:100000:65536"),
            Ok(Spec::Fixed(range(0, 100000, 65536)))
        );
        assert_eq!(
            p("100000,0,65536"),
            Ok(Spec::Fixed(range(0, 100000, 65536)))
        );
        assert_eq!(p("auto"), Ok(Spec::Auto));
        assert_eq!(p("all"), Ok(Spec::All));
        assert_eq!(p("subids"), Ok(Spec::Subids));
        assert_eq!(
            p("1,2"),
            Err("mapping '1,2' contains only 2 elements".into())
        );
        assert_eq!(
            p("1:2"),
            Err("mapping '1:2' contains only 2 elements".into())
        );
        assert_eq!(p("1"), Err("mapping '1' contains only 1 elements".into()));
        assert_eq!(
            p("1,2,3,4"),
            Err("too many elements for mapping '1,2,3,4'".into())
        );
        assert_eq!(p("a,b,c"), Err("could not parse ID: 'a'".into()));
        assert_eq!(p("1:2: 3"), Err("could not parse ID: ' 3'".into()));
        assert_eq!(
            p("1:4294967296:1"),
            Err("could not parse ID: '4294967296'".into())
        );
        assert_eq!(p("1:2:0"), Err("invalid mapping '1:2:0'".into()));
        assert_eq!(
            p("4294967290:0:10"),
            Err("invalid mapping '4294967290:0:10'".into())
        );
    }

    #[test]
    fn merge_without_single_is_identity() {
        let b = [fixed(0, 100000, 10), fixed(20, 200000, 5)];
        assert_eq!(
            merge(&b, None),
            vec![range(0, 100000, 10), range(20, 200000, 5)]
        );
    }

    #[test]
    fn auto_block_shifts_up_past_root() {
        // --map-auto -r as uid 1000 with 1000:100000:65536 (util-linux gives the same).
        let auto = Block {
            range: range(0, 100000, 65536),
            open: true,
        };
        assert_eq!(
            merge(&[auto], Some((0, 1000))),
            vec![range(0, 1000, 1), range(1, 100000, 65536)]
        );
    }

    #[test]
    fn fixed_block_loses_one_id_for_each_hole() {
        // -r --map-users=0:100000:65536: inner 0 is taken, one id fewer.
        assert_eq!(
            merge(&[fixed(0, 100000, 65536)], Some((0, 1000))),
            vec![range(0, 1000, 1), range(1, 100000, 65535)]
        );
        // Hole in the middle of the inside range.
        assert_eq!(
            merge(&[fixed(0, 100000, 10)], Some((5, 1000))),
            vec![range(5, 1000, 1), range(0, 100000, 5), range(6, 100005, 4)]
        );
        // Holes inside and outside (`all` with -c as uid 3): 0..9 -> 0..9 minus 3.
        assert_eq!(
            merge(&[fixed(0, 0, 10)], Some((3, 3))),
            vec![range(3, 3, 1), range(0, 0, 3), range(4, 4, 6)]
        );
        // Different holes inside and outside: three runs.
        assert_eq!(
            merge(&[fixed(0, 0, 10)], Some((2, 6))),
            vec![
                range(2, 6, 1),
                range(0, 0, 2),
                range(3, 2, 4),
                range(7, 7, 3)
            ]
        );
        // No overlap: unchanged.
        assert_eq!(
            merge(&[fixed(10, 100000, 5)], Some((0, 1000))),
            vec![range(0, 1000, 1), range(10, 100000, 5)]
        );
        // A one-id block that is exactly the single id disappears.
        assert_eq!(
            merge(&[fixed(0, 1000, 1)], Some((0, 1000))),
            vec![range(0, 1000, 1)]
        );
    }

    #[test]
    fn merged_ranges_never_overlap() {
        for (i, o) in [(0, 0), (1, 5), (9, 0), (4, 4), (3, 100), (100, 3)] {
            let out = merge(&[fixed(0, 0, 10)], Some((i, o)));
            let mut inner: Vec<u32> = Vec::new();
            let mut outer: Vec<u32> = Vec::new();
            for r in &out {
                inner.extend(r.inner..r.inner + r.count);
                outer.extend(r.outer..r.outer + r.count);
            }
            let (ni, no) = (inner.len(), outer.len());
            inner.sort_unstable();
            inner.dedup();
            outer.sort_unstable();
            outer.dedup();
            assert_eq!((inner.len(), outer.len()), (ni, no), "{i} {o}: {out:?}");
        }
    }

    #[test]
    fn id_lookups() {
        assert_eq!(lookup_id(IdFile::Passwd, OsStr::new("root")), Some(0));
        assert_eq!(lookup_id(IdFile::Passwd, OsStr::new("123")), Some(123));
        assert_eq!(lookup_id(IdFile::Passwd, OsStr::new("no such user")), None);
        assert_eq!(lookup_id(IdFile::Passwd, OsStr::new("")), None);
        assert_eq!(lookup_id(IdFile::Group, OsStr::new("root")), Some(0));
        assert_eq!(user_by_id(0).map(|u| u.name), Some(b"root".to_vec()));
    }

    #[test]
    fn texts() {
        let r = [range(0, 1000, 1), range(1, 100000, 65536)];
        assert_eq!(map_text(&r), "0 1000 1\n1 100000 65536\n");
        assert_eq!(helper_args(&r), ["0", "1000", "1", "1", "100000", "65536"]);
    }
}

#[cfg(test)]
mod properties {
    use super::*;

    /// xorshift: deterministic, no dependency.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self, below: u64) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0 % below
        }
    }

    /// The pairs a merge must give for one block, computed the slow way: the inside ids
    /// without the single inner id, zipped with the outside ids without the single outer id.
    fn expected(b: &Block, single: Option<(u32, u32)>) -> Vec<(u64, u64)> {
        let r = b.range;
        let (i0, o0, n) = (u64::from(r.inner), u64::from(r.outer), u64::from(r.count));
        let (hi, ho) = single.map_or((None, None), |(i, o)| {
            (Some(u64::from(i)), Some(u64::from(o)))
        });
        let inner_end = if b.open { i0 + n + 1 } else { i0 + n };
        let inner = (i0..inner_end).filter(|&x| Some(x) != hi);
        let outer = (o0..o0 + n).filter(|&x| Some(x) != ho);
        let mut pairs: Vec<(u64, u64)> = inner.zip(outer).collect();
        if b.open && pairs.len() as u64 > n {
            pairs.truncate(n as usize);
        }
        pairs
    }

    fn pairs(ranges: &[Range]) -> Vec<(u64, u64)> {
        ranges
            .iter()
            .flat_map(|r| {
                (0..u64::from(r.count))
                    .map(move |k| (u64::from(r.inner) + k, u64::from(r.outer) + k))
            })
            .collect()
    }

    #[test]
    fn merge_is_the_zip_of_both_sides_without_the_single_ids() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..5000 {
            let block = Block {
                range: Range {
                    inner: rng.next(20) as u32,
                    outer: rng.next(20) as u32,
                    count: 1 + rng.next(20) as u32,
                },
                open: rng.next(2) == 0,
            };
            let single = (rng.next(4) != 0).then(|| (rng.next(45) as u32, rng.next(45) as u32));
            let out = merge(&[block], single);
            let (head, rest) = match single {
                Some((i, o)) => {
                    assert_eq!(
                        out[0],
                        Range {
                            inner: i,
                            outer: o,
                            count: 1
                        }
                    );
                    (1, &out[1..])
                }
                None => (0, &out[..]),
            };
            assert!(out.len() <= head + 3, "{block:?} {single:?}: {out:?}");
            assert!(rest.iter().all(|r| r.count > 0));
            assert_eq!(
                pairs(rest),
                expected(&block, single),
                "{block:?} {single:?}"
            );
        }
    }

    #[test]
    fn hostile_specs_never_panic() {
        const ALPHABET: &[u8] = b"0129:, -+\xffautol";
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        for _ in 0..5000 {
            let len = rng.next(16);
            let text: Vec<u8> = (0..len)
                .map(|_| ALPHABET[rng.next(ALPHABET.len() as u64) as usize])
                .collect();
            if let Ok(Spec::Fixed(r)) = parse_spec(OsStr::from_bytes(&text)) {
                assert!(r.count > 0);
                assert!(u64::from(r.inner) + u64::from(r.count) <= u64::from(u32::MAX));
            }
            let _ = (passwd::users(&text).count(), passwd::groups(&text).count());
        }
    }
}
