//! What every fuzz target does with its input, shared by the cargo-fuzz targets
//! (fuzz/fuzz_targets/*.rs, nightly + libFuzzer) and the ordinary test suite
//! (tests/by-tool/fuzz_corpus.rs, stable), which replays every corpus and regression file
//! through these same functions. Each takes arbitrary bytes; a panic is a finding, whether
//! it comes from the parser or from one of the invariants asserted here.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};

use mount_rs::opts::{self, ATIME, Ms};
use unshare_rs::maps::{self, Block, Range, Spec};

/// What a target does with one input.
pub type Check = fn(&[u8]);

/// The targets and their checks, by the name of their corpus directory.
pub const TARGETS: &[(&str, Check)] = &[
    ("parse", parse),
    ("mount_opts", mount_opts),
    ("idmap", idmap),
    ("findmnt_render", findmnt_render),
];

/// Bytes as a command line: argv[0], then the NUL-separated words of `data`.
pub fn argv(prog: &str, data: &[u8]) -> Vec<OsString> {
    std::iter::once(OsString::from(prog))
        .chain(
            data.split(|&b| b == 0)
                .map(|w| OsString::from_vec(w.to_vec())),
        )
        .collect()
}

/// The two halves of `data` around its first NUL (the second empty without one).
fn halves(data: &[u8]) -> (&[u8], &[u8]) {
    match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[]),
    }
}

/// The mountinfo/fstab parser, its index and its tree layout (the `parse` target of the
/// findmnt engineer, fuzz/fuzz_targets/parse.rs, replayed here as it is there).
pub fn parse(data: &[u8]) {
    use common::table::{Format, Index, Parser, forest};
    for format in [Format::MountInfo, Format::Fstab, Format::detect(data)] {
        let table = common::table::parse(data, format);
        // Parsed in pieces, as a table is read: the same table.
        let mut pieces = Parser::new(Some(format));
        for piece in data.chunks(1 + data.len() % 7) {
            pieces.push(piece);
        }
        assert_eq!(pieces.end(), table);
        let index = Index::new(&table.entries);
        let placed = forest(&table.entries, &index, &|_: usize| true);
        assert!(placed.len() <= table.entries.len());
        let mut seen = vec![false; table.entries.len()];
        for p in &placed {
            assert!(!seen[p.entry], "entry {} placed twice", p.entry);
            seen[p.entry] = true;
        }
        let _ = forest(&table.entries, &index, &|i: usize| i & 1 == 0);
    }
    // The format detected while parsing is the one `Format::detect` finds.
    let mut detecting = Parser::new(None);
    detecting.push(data);
    let detected = detecting.end();
    let whole = common::table::parse(data, Format::detect(data));
    assert_eq!(detected.entries, whole.entries);
    assert_eq!(detected.bad_lines, whole.bad_lines);
}

/// mount's option handling: the `-o` splitter, the keyword table, the left-to-right
/// evaluation, the `-t`/`-O` filters, and the mount and umount command lines.
/// `data` is an option list, a NUL, and a second list (a mount's options or fstype).
pub fn mount_opts(data: &[u8]) {
    let (list, other) = halves(data);

    // Splitting: no empty items, and the items joined again split the same way (an item
    // ends only at a comma outside quotes, so only the last can hold an odd quote count).
    let items: Vec<&[u8]> = opts::split(list).collect();
    assert!(items.iter().all(|i| !i.is_empty()));
    let joined = items.join(&b","[..]);
    assert_eq!(opts::split(&joined).collect::<Vec<_>>(), items);
    for item in &items {
        if let Some((keyword, _)) = opts::KEYWORDS.iter().find(|(k, _)| k.as_bytes() == *item) {
            assert!(opts::lookup(item).is_some(), "keyword {keyword} not found");
        }
    }

    if let Ok((set, cleared, propagation, fs_data)) = mount_rs::mount::fuzz_evaluate(list) {
        assert!((set & cleared).is_empty(), "{set:?} both set and cleared");
        assert!(
            (set & ATIME).bits().count_ones() <= 1,
            "two atime modes: {set:?}"
        );
        // What goes to the filesystem is data only: evaluating it again keeps it all.
        assert_eq!(
            mount_rs::mount::fuzz_evaluate(&fs_data),
            Ok((Ms::empty(), Ms::empty(), Vec::new(), fs_data.clone()))
        );
        // The last keyword wins, so a list said twice sets and clears the same flags
        // (when its quotes are balanced, else the second copy is inside a quote).
        if list.iter().filter(|&&b| b == b'"').count() % 2 == 0 {
            let twice = [list, b",", list].concat();
            let again = mount_rs::mount::fuzz_evaluate(&twice);
            let (set2, cleared2, propagation2, _) = again.as_ref().expect("twice fails");
            assert_eq!((*set2, *cleared2), (set, cleared));
            assert_eq!(propagation2.len(), 2 * propagation.len());
        }
    }

    // -t: a leading `no` negates the whole list; a plain type matches itself.
    if !list.starts_with(b"no") {
        let negated = [b"no", list].concat();
        assert_eq!(
            opts::match_types(other, &negated),
            !opts::match_types(other, list)
        );
    }
    if !other.is_empty() && !other.starts_with(b"no") && !other.contains(&b',') {
        assert!(opts::match_types(other, other));
    }
    // -O: a list holds everything it says.
    assert!(opts::match_options(list, list));
    let _ = opts::match_options(other, list);
    let _ = opts::has_option(other, list);

    for (prog, parse) in [
        ("mount", |a| mount_rs::mount::parse(a).map(drop)),
        ("umount", |a| mount_rs::umount::parse(a).map(drop)),
    ] as [(&str, fn(Vec<OsString>) -> common::Result<()>); 2]
    {
        let _ = parse(argv(prog, data));
    }
    if let Ok(mount_rs::mount::Action::Run(o)) = mount_rs::mount::parse(argv("mount", data)) {
        let _ = mount_rs::mount::fuzz_evaluate(&o.options);
    }
}

/// A scratch file per thread (the test suite runs targets on several threads).
fn scratch_file(data: &[u8]) -> std::path::PathBuf {
    let name = format!(
        "rootbox-fuzz-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    );
    let path = std::env::temp_dir().join(name.replace(['(', ')'], ""));
    std::fs::write(&path, data).expect("write scratch file");
    path
}

/// unshare's id maps: `--map-users`/`--map-groups` specs, /etc/subuid lines, the caller's
/// own map, passwd and group lines, the merge of a single id into blocks, and the command line.
pub fn idmap(data: &[u8]) {
    let (spec, _) = halves(data);
    if let Ok(Spec::Fixed(r)) = maps::parse_spec(OsStr::from_bytes(spec)) {
        assert!(r.count > 0);
        assert!(u64::from(r.inner.max(r.outer)) + u64::from(r.count) <= u64::from(u32::MAX));
        // Round trip through the INNER:OUTER:COUNT spelling.
        let text = format!("{}:{}:{}", r.inner, r.outer, r.count);
        assert_eq!(
            maps::parse_spec(OsStr::new(&text)).ok(),
            Some(Spec::Fixed(r))
        );
    }

    // passwd and group lines (common::passwd, which unshare's --map-user=NAME reads).
    let users: Vec<_> = common::passwd::users(data).collect();
    for u in &users {
        assert!(!u.name.contains(&b':') && !u.name.contains(&b'\n'));
        assert!(u.uid != u32::MAX && u.gid != u32::MAX);
    }
    for g in common::passwd::groups(data) {
        assert!(
            g.members
                .iter()
                .all(|m| !m.is_empty() && !m.contains(&b','))
        );
    }

    // The same bytes as /etc/subuid, for root and for the first user they name.
    let path = scratch_file(data);
    let file = path.to_string_lossy().into_owned();
    let owners = [(0, None), (1000, None)]
        .into_iter()
        .chain(users.first().map(|u| (u.uid, Some(u))));
    for (uid, owner) in owners {
        for identity in [false, true] {
            if let Ok(b) = maps::subid_block(&file, uid, owner, identity) {
                assert!(b.range.count > 0);
                assert!(u64::from(b.range.outer) + u64::from(b.range.count) <= u64::from(u32::MAX));
                assert_eq!(b.open, !identity);
                check_merge(&[b], Some((uid, uid)));
            }
        }
    }
    if let Ok(blocks) = maps::own_map(&file) {
        check_merge(&blocks, None);
    }
    let _ = std::fs::remove_file(&path);

    // Blocks straight from the bytes: 4+4+4 bytes and an open flag each, after a single.
    let word = |c: &[u8]| c.iter().fold(0u32, |w, &b| (w << 8) | u32::from(b));
    let single = (data.len() >= 8).then(|| (word(&data[..4]), word(&data[4..8])));
    let blocks: Vec<Block> = data
        .get(8..)
        .unwrap_or_default()
        .chunks_exact(13)
        .map(|c| Block {
            range: Range {
                inner: word(&c[..4]),
                outer: word(&c[4..8]),
                count: word(&c[8..12]).max(1),
            },
            open: c[12] & 1 == 1,
        })
        // What parse_spec and subid_block can give: ranges that fit, open ones from 0.
        .filter(|b| {
            let r = b.range;
            let end = |first: u32| u64::from(first) + u64::from(r.count);
            end(r.inner) <= u64::from(u32::MAX)
                && end(r.outer) <= u64::from(u32::MAX)
                && (!b.open || r.inner == 0)
        })
        .collect();
    check_merge(&blocks, single);

    let _ = unshare_rs::parse(argv("unshare", data));
}

/// Merging a single id into blocks: the single line first, no other line maps its inner
/// or its outer id, no empty line, and no block grows.
fn check_merge(blocks: &[Block], single: Option<(u32, u32)>) {
    let merged = maps::merge(blocks, single);
    let rest = match single {
        Some((inner, outer)) => {
            assert_eq!(
                merged.first(),
                Some(&Range {
                    inner,
                    outer,
                    count: 1
                })
            );
            let rest = &merged[1..];
            let holds = |first: u32, id: u32, count: u32| {
                id >= first && u64::from(id) < u64::from(first) + u64::from(count)
            };
            for r in rest {
                assert!(!holds(r.inner, inner, r.count), "{r:?} maps inner {inner}");
                assert!(!holds(r.outer, outer, r.count), "{r:?} maps outer {outer}");
            }
            rest
        }
        None => &merged[..],
    };
    assert!(rest.iter().all(|r| r.count > 0));
    let total = |ranges: &[Range]| ranges.iter().map(|r| u64::from(r.count)).sum::<u64>();
    assert!(total(rest) <= blocks.iter().map(|b| u64::from(b.range.count)).sum::<u64>());
    assert_eq!(maps::map_text(&merged).lines().count(), merged.len());
    assert_eq!(maps::helper_args(&merged).len(), 3 * merged.len());
}

/// The findmnt command line from bytes, or `None` for one that could block or read
/// without end: `--poll`/`-p` waits for mount events, and a `-F` of a device or a
/// /proc or /sys file may never end (the filter is deliberately coarse: any short
/// cluster holding a `p`, any word naming /dev, /proc or /sys).
pub fn findmnt_argv(data: &[u8]) -> Option<Vec<OsString>> {
    let args = argv("findmnt", data);
    let risky = |a: &OsString| {
        let a = a.as_bytes();
        let long = a
            .strip_prefix(b"--")
            .map(|l| l.split(|&b| b == b'=').next());
        let short = !a.starts_with(b"--") && a.starts_with(b"-") && a.contains(&b'p');
        long == Some(Some(b"poll"))
            || short
            || [&b"/dev"[..], b"/proc", b"/sys"]
                .iter()
                .any(|p| a.windows(p.len()).any(|w| w == *p))
    };
    (!args[1..].iter().any(risky)).then_some(args)
}

/// findmnt's output table (libsmartcols' forms): any columns, cells and tree shape.
/// Layout of `data`: a style byte, a column count, a byte per column, then lines (a parent
/// byte, then per column a length byte, 255 = no data, and that many bytes).
pub fn findmnt_render(data: &[u8]) {
    use findmnt_rs::scols::{Column, Json, Line, Mode, Style, print};
    const NAMES: &[&str] = &["TARGET", "SOURCE", "FSTYPE", "OPTIONS", "MAJ:MIN", "USE%"];
    let mut bytes = data.iter().copied();
    let mut next = || bytes.next();
    let s = next().unwrap_or(0);
    let style = Style {
        mode: [Mode::Human, Mode::Raw, Mode::Pairs, Mode::Json][usize::from(s & 3)],
        noheadings: s & 4 != 0,
        ascii: s & 8 != 0,
        utf8: s & 16 != 0,
        shellvar: s & 32 != 0,
    };
    let ncols = usize::from(next().unwrap_or(1) % 5);
    let mut columns: Vec<Column> = Vec::new();
    for _ in 0..ncols {
        let c = next().unwrap_or(0);
        columns.push(Column {
            name: NAMES[usize::from(c) % NAMES.len()],
            hint: [0.0, 0.5, 1.0, 7.0, 40.0][usize::from(c >> 3) % 5],
            right: c & 0x20 != 0,
            // findmnt has at most one tree column.
            tree: c & 0x40 != 0 && !columns.iter().any(|c| c.tree),
            strict: c & 0x10 != 0,
            json: [Json::String, Json::Number, Json::Array][usize::from(c >> 6) % 3],
        });
    }
    let mut lines: Vec<Line> = Vec::new();
    while let Some(p) = next() {
        let i = lines.len();
        // Pre-order: a parent comes before its children, and the children of a line
        // follow it before any later sibling of it.
        let parent = (usize::from(p) < i).then_some(usize::from(p));
        let parent = parent.filter(|&p| {
            let mut up = i.checked_sub(1);
            while let Some(u) = up {
                if u == p {
                    return true;
                }
                up = lines[u].parent;
            }
            false
        });
        let mut cells = Vec::new();
        for col in &columns {
            let len = next().unwrap_or(255);
            let cell: Option<Vec<u8>> =
                (len != 255).then(|| (0..len).map_while(|_| next()).collect());
            // A number column is printed bare in JSON; findmnt fills it with decimal
            // digits only (ID, PARENT, FREQ, PASSNO, TID, SIZE... with --bytes).
            let digits = |c: Vec<u8>| c.into_iter().map(|b| b'0' + b % 10).collect();
            cells.push(if col.json == Json::Number {
                cell.map(digits)
            } else {
                cell
            });
        }
        lines.push(Line { cells, parent });
    }
    let mut out = Vec::new();
    print(&mut out, &columns, &lines, &style);
    if style.mode == Mode::Json {
        assert!(
            std::str::from_utf8(&out).is_ok(),
            "JSON output is not UTF-8"
        );
    }
    if matches!(style.mode, Mode::Raw | Mode::Pairs) && ncols > 0 && !lines.is_empty() {
        // One output line per line (and the header): a newline in a cell is escaped.
        let header = usize::from(style.mode == Mode::Raw && !style.noheadings);
        let newlines = out.iter().filter(|&&b| b == b'\n').count();
        assert_eq!(newlines, lines.len() + header, "{out:?}");
        if style.mode == Mode::Raw {
            // --raw escapes spaces too, so every line has one word per column.
            for line in out.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
                assert_eq!(line.split(|&b| b == b' ').count(), ncols, "{line:?}");
            }
        }
    }
}
