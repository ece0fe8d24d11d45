//! findmnt: find a (mounted) filesystem, as util-linux 2.38 `findmnt(8)` does.
//!
//! Reads the kernel mount table (`/proc/self/mountinfo`), fstab, mtab or any table file
//! (`-F`), selects entries (`-S`, `-T`, `-M`, `-t`, `-O`, `--real`, ...) and prints them as
//! a tree, a list, raw, key="value" pairs or JSON, byte for byte as util-linux does (on a
//! terminal the tree and list are fitted to its width, see `fit`), with its exit codes: 0
//! when something was printed, 1 when a search found nothing or on errors. Deliberate
//! differences (DESIGN.md §3): the tree is built from a parent→children index (O(n), where
//! util-linux is O(n²)) and survives cycles; JSON is always valid UTF-8 (`\xNN` text for
//! bytes that are not); a cut-off last line of a `-F` file is reported.

mod cols;
pub mod fit;
mod kernel;
mod poll;
mod reader;
pub mod scols;
mod select;
mod sys;
mod verify;

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::OsStrExt;

use common::table::{self, Entry, Field, Format, Index};
use common::{Failure, Result, out::Out, usage};

use cols::Col;
use scols::{Mode, Style};

/// The tool's name, the prefix of its messages.
pub const NAME: &str = "findmnt";

const USAGE: &str = "
Usage:
 findmnt [options]
 findmnt [options] <device> | <mountpoint>
 findmnt [options] <device> <mountpoint>
 findmnt [options] [--source <device>] [--target <path> | --mountpoint <dir>]

Find a (mounted) filesystem.

Options:
 -s, --fstab            search in static table of filesystems
 -m, --mtab             search in table of mounted filesystems
                          (includes user space mount options)
 -k, --kernel           search in kernel table of mounted
                          filesystems (default)

 -p, --poll[=<list>]    monitor changes in table of mounted filesystems
 -w, --timeout <num>    upper limit in milliseconds that --poll will block

 -A, --all              disable all built-in filters, print all filesystems
 -a, --ascii            use ASCII chars for tree formatting
 -b, --bytes            print sizes in bytes rather than in human readable format
 -C, --nocanonicalize   don't canonicalize when comparing paths
 -c, --canonicalize     canonicalize printed paths
 -D, --df               imitate the output of df(1)
 -I, --dfi              imitate the output of df(1) with -i option
 -d, --direction <word> direction of search, 'forward' or 'backward'
 -e, --evaluate         convert tags (LABEL,UUID,PARTUUID,PARTLABEL) 
                          to device names
 -F, --tab-file <path>  alternative file for -s, -m or -k options
 -f, --first-only       print the first found filesystem only
 -i, --invert           invert the sense of matching
 -J, --json             use JSON output format
 -l, --list             use list format output
 -N, --task <tid>       use alternative namespace (/proc/<tid>/mountinfo file)
 -n, --noheadings       don't print column headings
 -O, --options <list>   limit the set of filesystems by mount options
 -o, --output <list>    the output columns to be shown
     --output-all       output all available columns
 -P, --pairs            use key=\"value\" output format
     --pseudo           print only pseudo-filesystems
     --shadowed         print only filesystems over-mounted by another filesystem
 -R, --submounts        print all submounts for the matching filesystems
 -r, --raw              use raw output format
     --real             print only real filesystems
 -S, --source <string>  the device to mount (by name, maj:min, 
                          LABEL=, UUID=, PARTUUID=, PARTLABEL=)
 -T, --target <path>    the path to the filesystem to use
     --tree             enable tree format output if possible
 -M, --mountpoint <dir> the mountpoint directory
 -t, --types <list>     limit the set of filesystems by FS types
 -U, --uniq             ignore filesystems with duplicate target
 -u, --notruncate       don't truncate text in columns
 -v, --nofsroot         don't print [/dir] for bind or btrfs mounts
 -y, --shell            use column names to be usable as shell variable identifiers

 -x, --verify           verify mount table content (default is fstab)
     --verbose          print more details
     --vfs-all          print all VFS options

 -H, --list-columns     list the available columns
 -h, --help             display this help
 -V, --version          display version
";

/// Where the table comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
enum Source {
    #[default]
    Default,
    Kernel,
    Fstab,
    Mtab,
}

/// Options, as parsed.
#[derive(Debug, Default)]
struct Opts {
    all: bool,
    ascii: bool,
    bytes: bool,
    nocanon: bool,
    canon: bool,
    df: bool,
    dfi: bool,
    backward: bool,
    evaluate: bool,
    first_only: bool,
    invert: bool,
    json: bool,
    list: bool,
    raw: bool,
    pairs: bool,
    noheadings: bool,
    shellvar: bool,
    nofsroot: bool,
    submounts: bool,
    uniq: bool,
    verify: bool,
    verbose: bool,
    force_tree: bool,
    real: bool,
    pseudo: bool,
    shadowed: bool,
    notruncate: bool,
    list_columns: bool,
    output_all: bool,
    vfs_all: bool,
    poll: Option<Vec<poll::Action>>,
    timeout: i32,
    files: Vec<OsString>,
    task: bool,
    source: Source,
    output: Option<String>,
    types: Option<Vec<u8>>,
    options: Option<Vec<u8>>,
    match_source: Option<OsString>,
    match_target: Option<OsString>,
    strict_target: bool,
    noswap: bool,
    positional: Vec<OsString>,
}

enum Action {
    Help,
    Version,
    Run(Box<Opts>),
}

/// Mutually exclusive option groups (util-linux `excl[]`), by short name or long name.
const EXCLUSIVE: &[&[&str]] = &[
    &["C", "c"],
    &["C", "e"],
    &["J", "P", "r", "x"],
    &["M", "T"],
    &["N", "k", "m", "s"],
    &["P", "l", "r", "x"],
    &["p", "x"],
    &["m", "p", "s"],
    &["pseudo", "real"],
];

/// Long names for the exclusive-options message.
const LONG: &[(&str, &str)] = &[
    ("C", "nocanonicalize"),
    ("c", "canonicalize"),
    ("e", "evaluate"),
    ("J", "json"),
    ("P", "pairs"),
    ("r", "raw"),
    ("x", "verify"),
    ("M", "mountpoint"),
    ("T", "target"),
    ("N", "task"),
    ("k", "kernel"),
    ("m", "mtab"),
    ("s", "fstab"),
    ("l", "list"),
    ("p", "poll"),
    ("pseudo", "pseudo"),
    ("real", "real"),
];

fn short_of(long: &str) -> &str {
    LONG.iter()
        .find(|(_, l)| *l == long)
        .map_or(long, |(s, _)| s)
}

fn parse(args: Vec<OsString>) -> Result<Action> {
    use lexopt::prelude::*;
    let mut o = Opts {
        timeout: -1,
        ..Opts::default()
    };
    let mut seen: Vec<Option<String>> = vec![None; EXCLUSIVE.len()];
    let mut p = lexopt::Parser::from_args(args);
    let string = |v: OsString| v.as_bytes().to_vec();
    while let Some(arg) = p.next().map_err(usage::from_lexopt)? {
        let name = match &arg {
            Short(c) => c.to_string(),
            Long(l) => short_of(l).to_string(),
            Value(_) => String::new(),
        };
        for (g, group) in EXCLUSIVE.iter().enumerate() {
            if !group.contains(&name.as_str()) {
                continue;
            }
            match &seen[g] {
                Some(prev) if *prev != name => {
                    let names: Vec<String> = group
                        .iter()
                        .map(|s| {
                            let l = LONG.iter().find(|(k, _)| k == s).map_or(*s, |(_, l)| l);
                            format!("--{l}")
                        })
                        .collect();
                    return Err(Failure::msg(format!(
                        "mutually exclusive arguments: {}",
                        names.join(" ")
                    )));
                }
                _ => seen[g] = Some(name.clone()),
            }
        }
        match arg {
            Short('A') | Long("all") => o.all = true,
            Short('a') | Long("ascii") => o.ascii = true,
            Short('b') | Long("bytes") => o.bytes = true,
            Short('C') | Long("nocanonicalize") => o.nocanon = true,
            Short('c') | Long("canonicalize") => o.canon = true,
            Short('D') | Long("df") => o.df = true,
            Short('I') | Long("dfi") => {
                o.df = true;
                o.dfi = true;
            }
            Short('d') | Long("direction") => {
                let v = p.value().map_err(usage::from_lexopt)?;
                match v.as_bytes() {
                    b"forward" => o.backward = false,
                    b"backward" => o.backward = true,
                    _ => {
                        return Err(Failure::msg(format!(
                            "unknown direction '{}'",
                            usage::lossy(&v)
                        )));
                    }
                }
            }
            Short('e') | Long("evaluate") => o.evaluate = true,
            Short('f') | Long("first-only") => o.first_only = true,
            Short('F') | Long("tab-file") => o.files.push(p.value().map_err(usage::from_lexopt)?),
            Short('i') | Long("invert") => o.invert = true,
            Short('J') | Long("json") => o.json = true,
            Short('l') | Long("list") => o.list = true,
            Short('r') | Long("raw") => o.raw = true,
            Short('P') | Long("pairs") => o.pairs = true,
            Short('n') | Long("noheadings") => o.noheadings = true,
            Short('y') | Long("shell") => o.shellvar = true,
            Short('u') | Long("notruncate") => o.notruncate = true,
            Short('v') | Long("nofsroot") => o.nofsroot = true,
            Short('R') | Long("submounts") => o.submounts = true,
            Short('U') | Long("uniq") => o.uniq = true,
            Short('x') | Long("verify") => o.verify = true,
            Long("verbose") => o.verbose = true,
            Long("tree") => o.force_tree = true,
            Long("real") => o.real = true,
            Long("pseudo") => o.pseudo = true,
            Long("shadowed") => o.shadowed = true,
            Long("vfs-all") => o.vfs_all = true,
            Long("output-all") => o.output_all = true,
            Short('H') | Long("list-columns") => o.list_columns = true,
            Short('o') | Long("output") => {
                let v = p.value().map_err(usage::from_lexopt)?;
                o.output = Some(String::from_utf8_lossy(v.as_bytes()).into_owned());
                o.output_all = false;
            }
            Short('O') | Long("options") => {
                o.options = Some(string(p.value().map_err(usage::from_lexopt)?))
            }
            Short('t') | Long("types") => {
                o.types = Some(string(p.value().map_err(usage::from_lexopt)?))
            }
            Short('p') | Long("poll") => {
                let actions = match p.optional_value() {
                    Some(v) => poll::parse_actions(v.as_bytes())?,
                    None => Vec::new(),
                };
                o.poll = Some(actions);
            }
            Short('m') | Long("mtab") => o.source = Source::Mtab,
            Short('s') | Long("fstab") => o.source = Source::Fstab,
            Short('k') | Long("kernel") => o.source = Source::Kernel,
            Short('N') | Long("task") => {
                let v = p.value().map_err(usage::from_lexopt)?;
                let tid = common::ids::parse(&v).ok_or_else(|| {
                    Failure::msg(format!("invalid TID argument: '{}'", usage::lossy(&v)))
                })?;
                o.source = Source::Kernel;
                o.task = true;
                o.files.push(format!("/proc/{tid}/mountinfo").into());
            }
            Short('S') | Long("source") => {
                o.match_source = Some(p.value().map_err(usage::from_lexopt)?);
                o.noswap = true;
            }
            Short('M') | Long("mountpoint") => {
                o.strict_target = true;
                o.match_target = Some(p.value().map_err(usage::from_lexopt)?);
                o.noswap = true;
            }
            Short('T') | Long("target") => {
                o.match_target = Some(p.value().map_err(usage::from_lexopt)?);
                o.noswap = true;
            }
            Short('w') | Long("timeout") => {
                let v = p.value().map_err(usage::from_lexopt)?;
                o.timeout = std::str::from_utf8(v.as_bytes())
                    .ok()
                    .and_then(|s| s.parse::<i32>().ok())
                    .ok_or_else(|| {
                        Failure::msg(format!("invalid timeout argument: '{}'", usage::lossy(&v)))
                    })?;
            }
            Short('h') | Long("help") => return Ok(Action::Help),
            Short('V') | Long("version") => return Ok(Action::Version),
            Value(v) => o.positional.push(v),
            _ => return Err(usage::from_lexopt(arg.unexpected())),
        }
    }
    Ok(Action::Run(Box::new(o)))
}

/// Entry point: arguments in (argv[0] first), exit status out.
pub fn main(args: Vec<OsString>) -> u8 {
    let args: Vec<OsString> = args.into_iter().skip(1).collect();
    common::finish(NAME, 1, 1, parse(args).and_then(act))
}

fn act(action: Action) -> Result<u8> {
    let mut out = Out::new();
    match action {
        Action::Help => out.str(&help())?,
        Action::Version => out.str(&usage::version(NAME))?,
        Action::Run(opts) => {
            let code = run(*opts, &mut out)?;
            out.flush()?;
            return Ok(code);
        }
    }
    out.flush()?;
    Ok(0)
}

fn help() -> String {
    let mut h = USAGE.to_string();
    h.push_str("\nAvailable output columns:\n");
    let mut sorted: Vec<&cols::Info> = cols::INFOS.iter().collect();
    sorted.sort_by_key(|i| i.name);
    for info in sorted {
        h.push_str(&format!(" {:>11}  {}\n", info.name, info.help));
    }
    h.push_str("\nFor more details see findmnt(8).\n");
    h
}

/// What `run` learned about the table and the matching mode.
pub(crate) struct Ctx {
    pub entries: Vec<Entry>,
    pub kernel: bool,
    pub tid: u32,
    pub flags: Flags,
    /// Lines of the table files that did not parse.
    pub bad_lines: usize,
}

/// Settings that shape cells and matching.
#[derive(Clone, Debug, Default)]
pub(crate) struct Flags {
    pub bytes: bool,
    pub nofsroot: bool,
    pub canon: bool,
    pub evaluate: bool,
    pub human_majmin: bool,
}

/// Whether the locale (as setlocale(LC_ALL, "") would pick it) is UTF-8.
fn utf8_locale() -> bool {
    for var in ["LC_ALL", "LC_CTYPE", "LANG"] {
        if let Some(v) = std::env::var_os(var).filter(|v| !v.is_empty()) {
            let v = v.to_string_lossy().to_ascii_lowercase();
            return v.contains("utf-8") || v.contains("utf8");
        }
    }
    false
}

fn run(mut o: Opts, out: &mut Out) -> Result<u8> {
    let mode = if o.json {
        Mode::Json
    } else if o.raw {
        Mode::Raw
    } else if o.pairs {
        Mode::Pairs
    } else {
        Mode::Human
    };
    let style = Style {
        mode,
        noheadings: o.noheadings,
        ascii: o.ascii,
        utf8: utf8_locale(),
        shellvar: o.shellvar,
    };
    if o.list_columns {
        return cols::list_columns(out, &style);
    }
    let mut tree = !(o.df || o.poll.is_some() || o.pairs || o.raw || o.list);
    if matches!(o.source, Source::Fstab | Source::Mtab) {
        tree = false;
    }
    // Columns.
    let mut columns: Vec<Col> = Vec::new();
    if o.output_all {
        columns = cols::INFOS
            .iter()
            .map(|i| i.id)
            .filter(|c| c.in_all())
            .collect();
    }
    if columns.is_empty() && o.df {
        columns.extend([Col::Source, Col::Fstype]);
        if o.dfi {
            columns.extend([Col::InoTotal, Col::InoUsed, Col::InoAvail, Col::InoUsePerc]);
        } else {
            columns.extend([Col::Size, Col::Used, Col::Avail, Col::UsePerc]);
        }
        columns.push(Col::Target);
    }
    if columns.is_empty() {
        if o.poll.is_some() {
            columns.push(Col::Action);
        }
        columns.extend([Col::Target, Col::Source, Col::Fstype, Col::Options]);
    }
    if let Some(list) = &o.output {
        let list = match list.strip_prefix('+') {
            Some(rest) => rest,
            None => {
                columns.clear();
                list
            }
        };
        columns.extend(column_list(list)?);
    }
    if !(o.positional.is_empty() || (o.match_source.is_none() && o.match_target.is_none())) {
        return Err(Failure::msg(
            "options --target and --source can't be used together with command line element that is not an option",
        ));
    }
    // -T and -M name a path the kernel can look up; a positional TARGET is only a string.
    let target_option = o.match_target.is_some();
    let mut positional = std::mem::take(&mut o.positional).into_iter();
    if let Some(first) = positional.next() {
        o.match_source = Some(first);
    }
    if let Some(second) = positional.next() {
        o.match_target = Some(second);
    }
    // util-linux ignores any further arguments.
    let mut sel = select::Selection::new(&o);
    if o.submounts && sel.is_listall() {
        o.submounts = false;
    }
    if !o.submounts
        && (o.first_only || sel.target.is_some() || sel.source.is_some() || sel.devno.is_some())
    {
        tree = false;
    }
    if o.poll.is_some() && o.files.len() > 1 {
        return Err(Failure::msg(
            "--poll accepts only one file, but more specified by --tab-file",
        ));
    }
    if o.source == Source::Default {
        o.source = if o.verify {
            Source::Fstab
        } else {
            Source::Kernel
        };
    }
    // -T/-M on the kernel's own table: the kernel says which mount the path is (on).
    let lookup = if target_option
        && !o.nocanon
        && o.files.is_empty()
        && o.source == Source::Kernel
        && o.poll.is_none()
        && !o.verify
    {
        sel.target
            .as_deref()
            .and_then(|t| kernel::lookup(t, sel.strict_target))
    } else {
        None
    };
    // Its answer spares reading the table, unless an option needs the rest of the table.
    let quick = lookup.as_ref().and_then(|l| {
        if o.submounts || o.invert || o.uniq {
            None
        } else if sel.strict_target && !l.mount_root {
            Some(Vec::new())
        } else if sel.strict_target && l.stacked {
            None
        } else {
            l.entry.clone().map(|e| vec![e])
        }
    });
    let (entries, kernel, tid, bad_lines) = match quick {
        Some(mut entries) => {
            name_system_root(&mut entries);
            let tid = tid_of(std::path::Path::new("/proc/self/mountinfo"));
            (entries, true, tid, 0)
        }
        None => load(&o)?,
    };
    let mut ctx = Ctx {
        entries,
        kernel,
        tid,
        bad_lines,
        flags: Flags {
            bytes: o.bytes,
            nofsroot: o.nofsroot,
            canon: o.canon,
            evaluate: o.evaluate,
            human_majmin: mode == Mode::Human,
        },
    };
    let is_tree = ctx.kernel && !ctx.entries.is_empty();
    if is_tree && o.force_tree {
        tree = true;
    }
    if tree && (o.files.len() > 1 || !is_tree) {
        tree = false;
    }
    if o.uniq {
        select::uniq(&mut ctx.entries, ctx.kernel);
    }
    if o.verify {
        let index = Index::new(&ctx.entries);
        let settings = verify::Settings {
            verbose: o.verbose,
            nocache: o.nocanon,
            first_only: o.first_only,
        };
        return verify::run(&ctx, &mut sel, &index, &settings, out);
    }
    for c in &columns {
        if o.poll.is_none() && c.is_poll() {
            return Err(Failure::msg(format!(
                "{} column is requested, but --poll is not enabled",
                c.info().name
            )));
        }
    }
    let out_cols: Vec<scols::Column> = columns
        .iter()
        .map(|c| {
            let mut col = c.column(o.bytes);
            col.tree = col.tree && tree;
            col
        })
        .collect();
    if let Some(actions) = &o.poll {
        let path = o
            .files
            .first()
            .cloned()
            .unwrap_or_else(|| "/proc/self/mountinfo".into());
        return poll::run(
            &mut ctx, &path, actions, o.timeout, &columns, &out_cols, &style, &sel, &o, out,
        );
    }
    let index = Index::new(&ctx.entries);
    if let Some(l) = &lookup {
        sel.use_kernel(l, &ctx.entries, &index);
    }
    let placed: Option<Vec<table::Placed>> = if tree && !o.submounts {
        let wanted = |i: usize| sel.matches(&ctx, &index, i);
        Some(table::forest(&ctx.entries, &index, &wanted))
    } else {
        let mut found = sel.matching_lines(&ctx, &index, o.submounts, o.backward, o.first_only);
        if found.is_none()
            && ctx.kernel
            && sel.noswap
            && !sel.strict_target
            && sel.target.is_some()
            && !sel.by_kernel()
        {
            sel.extra_target_match(&ctx, o.backward);
            found = sel.matching_lines(&ctx, &index, o.submounts, o.backward, o.first_only);
        }
        found
    };
    let Some(placed) = placed else {
        return Ok(1);
    };
    // Without a tree column (TARGET) libsmartcols prints a flat table.
    let tree = tree && out_cols.iter().any(|c| c.tree);
    let parents: Vec<Option<usize>> = placed
        .iter()
        .map(|p| if tree { p.parent } else { None })
        .collect();
    let mut cells = EntryCells {
        ctx: &ctx,
        columns: &columns,
        placed: &placed,
        cache: cols::Cache::default(),
    };
    let mut buf = Vec::with_capacity(1 << 19);
    let mut sink = |b: &mut Vec<u8>| -> Result<()> {
        out.bytes(b)?;
        b.clear();
        Ok(())
    };
    let mut session = fit::Session::once(o.notruncate);
    scols::render(
        &mut buf,
        &mut sink,
        &out_cols,
        &parents,
        &mut cells,
        &style,
        Some(&mut session),
    )?;
    sink(&mut buf)?;
    // The process is about to exit: handing a 100k-entry table back to malloc piece by
    // piece would cost more than building it.
    std::mem::forget(cells);
    std::mem::forget(placed);
    std::mem::forget(index);
    std::mem::forget(ctx);
    Ok(0)
}

/// Cells computed on demand from the table, so no copy of the table is kept for output.
struct EntryCells<'a> {
    ctx: &'a Ctx,
    columns: &'a [Col],
    placed: &'a [table::Placed],
    cache: cols::Cache,
}

impl scols::Cells for EntryCells<'_> {
    fn cell<'b>(
        &'b mut self,
        line: usize,
        column: usize,
        scratch: &'b mut Vec<u8>,
    ) -> Option<&'b [u8]> {
        let (p, &c) = (self.placed.get(line)?, self.columns.get(column)?);
        cols::cell(c, self.ctx, p.entry, &mut self.cache, scratch)
    }

    fn locality(&self, line: usize) -> usize {
        self.placed.get(line).map_or(line, |p| p.entry)
    }
}

/// Column names, comma-separated, parsed as util-linux's `string_to_idarray` does: an
/// unknown name is reported with the rest of the list, an empty list or an empty item fails
/// silently.
fn column_list(list: &str) -> Result<Vec<Col>> {
    let silent = || Failure::silent(1);
    if list.is_empty() {
        return Err(silent());
    }
    let bytes = list.as_bytes();
    let mut out = Vec::new();
    let mut begin: Option<usize> = None;
    for p in 0..bytes.len() {
        let start = *begin.get_or_insert(p);
        let end = if p + 1 == bytes.len() {
            p + 1
        } else if bytes[p] == b',' {
            p
        } else {
            continue;
        };
        if end <= start {
            return Err(silent());
        }
        let name = &list[start..end];
        let col = cols::by_name(name)
            .ok_or_else(|| Failure::msg(format!("unknown column: {}", &list[start..])))?;
        out.push(col);
        begin = None;
    }
    Ok(out)
}

/// Read the table files: returns the entries, whether they are a kernel (mountinfo) table,
/// and the TID the table belongs to.
fn load(o: &Opts) -> Result<(Vec<Entry>, bool, u32, usize)> {
    let defaults: Vec<OsString> = match o.source {
        Source::Fstab => vec!["/etc/fstab".into()],
        Source::Mtab => vec!["/proc/self/mountinfo".into()],
        _ => vec!["/proc/self/mountinfo".into()],
    };
    let files = if o.files.is_empty() {
        &defaults
    } else {
        &o.files
    };
    let mut entries = Vec::new();
    let mut kernel = true;
    let mut tid = 0;
    let mut bad = 0;
    for file in files {
        let path = std::path::Path::new(file);
        let live = file.as_bytes().starts_with(b"/proc/");
        let format = (o.source == Source::Fstab).then_some(Format::Fstab);
        let parsed = sys::read_table(path, live, format).map_err(|e| {
            Failure::from(anyhow::Error::new(e).context(format!("can't read {}", show(file))))
        })?;
        let name = show(file);
        bad += parsed.bad_lines.len();
        for w in parsed.warnings(&name) {
            eprintln_checked(&w);
        }
        // An empty file has no format of its own; libmount takes it as fstab.
        let mountinfo = parsed.format == Some(Format::MountInfo);
        kernel &= mountinfo;
        let mut parsed = parsed.entries;
        if mountinfo {
            name_system_root(&mut parsed);
            if tid == 0 {
                tid = tid_of(path);
            }
        }
        if entries.is_empty() {
            entries = parsed;
        } else {
            entries.extend(parsed);
        }
    }
    if entries.is_empty() {
        kernel = false;
    }
    Ok((entries, kernel, tid, bad))
}

/// The kernel calls the boot device `/dev/root`: name it as findmnt does.
fn name_system_root(entries: &mut [Entry]) {
    for e in entries.iter_mut().filter(|e| e.source() == b"/dev/root") {
        if let Some(dev) = system_root(e.major, e.minor) {
            e.set(Field::Source, &dev);
        }
    }
}

/// The device behind the kernel's `/dev/root` name, from its device number (libmount
/// `mnt_guess_system_root`, as findmnt shows it): `/dev/NAME` of `/sys/dev/block/MAJ:MIN`.
fn system_root(major: u32, minor: u32) -> Option<Vec<u8>> {
    if major == 0 && minor == 0 {
        return None;
    }
    let link = sys::readlink(format!("/sys/dev/block/{major}:{minor}").as_bytes())?;
    let name = link.file_name()?;
    let mut dev = b"/dev/".to_vec();
    dev.extend_from_slice(name.as_bytes());
    Some(dev)
}

/// The TID a `/proc/TID/mountinfo`-like path belongs to (libmount `path_to_tid`): the
/// number naming the canonical path's directory, or 0.
fn tid_of(path: &std::path::Path) -> u32 {
    sys::realpath(path.as_os_str().as_bytes())
        .and_then(|p| {
            std::path::Path::new(OsStr::from_bytes(&p))
                .parent()
                .and_then(|d| d.file_name())
                .and_then(|n| n.to_str())
                .and_then(|n| n.parse().ok())
        })
        .unwrap_or(0)
}

fn eprintln_checked(message: &str) {
    use std::io::Write;
    let _ = std::io::stderr().write_all(format!("{NAME}: {message}\n").as_bytes());
}

pub(crate) fn show(s: &OsStr) -> String {
    usage::lossy(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_option_is_in_usage() {
        for opt in [
            "-A",
            "--all",
            "-a",
            "--ascii",
            "-b",
            "--bytes",
            "-C",
            "--nocanonicalize",
            "-c",
            "--canonicalize",
            "-D",
            "--df",
            "-I",
            "--dfi",
            "-d",
            "--direction",
            "-e",
            "--evaluate",
            "-f",
            "--first-only",
            "-F",
            "--tab-file",
            "-i",
            "--invert",
            "-J",
            "--json",
            "-l",
            "--list",
            "-r",
            "--raw",
            "-P",
            "--pairs",
            "-n",
            "--noheadings",
            "-y",
            "--shell",
            "-u",
            "--notruncate",
            "-v",
            "--nofsroot",
            "-R",
            "--submounts",
            "-U",
            "--uniq",
            "-x",
            "--verify",
            "--verbose",
            "--tree",
            "--real",
            "--pseudo",
            "--shadowed",
            "--vfs-all",
            "--output-all",
            "-H",
            "--list-columns",
            "-o",
            "--output",
            "-O",
            "--options",
            "-t",
            "--types",
            "-p",
            "--poll",
            "-m",
            "--mtab",
            "-s",
            "--fstab",
            "-k",
            "--kernel",
            "-N",
            "--task",
            "-S",
            "--source",
            "-M",
            "--mountpoint",
            "-T",
            "--target",
            "-w",
            "--timeout",
            "-h",
            "--help",
            "-V",
            "--version",
        ] {
            let padded = format!("{opt} ");
            let comma = format!("{opt},");
            assert!(
                USAGE.contains(&padded) || USAGE.contains(&comma),
                "{opt} missing from USAGE"
            );
        }
    }

    fn run_args(args: &[&str]) -> Result<Action> {
        parse(args.iter().map(OsString::from).collect())
    }

    #[test]
    fn exclusive_options() {
        let e = run_args(&["-J", "-r"]).err().map(|f| f.message());
        assert_eq!(
            e.as_deref(),
            Some("mutually exclusive arguments: --json --pairs --raw --verify")
        );
        let e = run_args(&["-s", "-m"]).err().map(|f| f.message());
        assert_eq!(
            e.as_deref(),
            Some("mutually exclusive arguments: --task --kernel --mtab --fstab")
        );
        assert!(run_args(&["-J", "-J"]).is_ok());
        let e = run_args(&["--real", "--pseudo"]).err().map(|f| f.message());
        assert_eq!(
            e.as_deref(),
            Some("mutually exclusive arguments: --pseudo --real")
        );
    }

    #[test]
    fn column_lists_like_util_linux() {
        let names = |l: &str| column_list(l).map(|v| v.len()).map_err(|f| f.message());
        assert_eq!(names("TARGET,source"), Ok(2));
        assert_eq!(
            names("FOO,TARGET"),
            Err("unknown column: FOO,TARGET".into())
        );
        assert_eq!(names("TARGET,"), Err("unknown column: TARGET,".into()));
        assert_eq!(names(","), Err("unknown column: ,".into()));
        assert!(column_list("").is_err_and(|f| f.code() == Some(1) && f.message().is_empty()));
        assert!(column_list("TARGET,,SOURCE").is_err_and(|f| f.message().is_empty()));
    }

    #[test]
    fn bad_values() {
        let m = |a: &[&str]| run_args(a).err().map(|f| f.message());
        assert_eq!(m(&["-d", "x"]).as_deref(), Some("unknown direction 'x'"));
        assert_eq!(
            m(&["-N", "abc"]).as_deref(),
            Some("invalid TID argument: 'abc'")
        );
        assert_eq!(
            m(&["-w", "x"]).as_deref(),
            Some("invalid timeout argument: 'x'")
        );
    }
}
