//! lsns: list the namespaces of the system, found through /proc/*/ns and the mount table,
//! as util-linux 2.38 `lsns(8)` lists them: the same columns, options, messages and exit
//! codes (1 on any error), and byte for byte the same list, raw and JSON output for the
//! same system state (the table layout follows libsmartcols: see [`cols`]).
//!
//! Processes that vanish while being read, and processes whose namespaces we may not see
//! (another user's, without privilege), are skipped as util-linux skips them. Namespaces
//! that the tree modes need but no visible process is in ("ghosts": an owner or parent
//! reached through `NS_GET_USERNS`/`NS_GET_PARENT`) are listed as util-linux lists them.
//!
//! Beyond 2.38, as util-linux 2.40 does: namespaces kept alive only by a bind mount of their
//! nsfs file (`unshare --mount=FILE`) are listed, with NPROCS 0; we also show that file as
//! their PATH (2.40 leaves it empty); `-P/--persistent` lists only those.

use std::collections::HashMap;
use std::ffi::{OsStr, OsString};
use std::os::fd::{AsFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;

use common::out::Out;
use common::usage::{from_lexopt, lossy, version};
use common::{Failure, Result};

pub mod cols;
mod sys;

use cols::{Column, Format, Table};

/// The tool's name, the prefix of its messages.
pub const NAME: &str = "lsns";

const USAGE: &str = "\
Usage:
 lsns [options] [<namespace>]

List system namespaces.

Options:
 -J, --json             use JSON output format
 -l, --list             use list format output
 -n, --noheadings       don't print headings
 -o, --output <list>    define which output columns to use
     --output-all       output all columns
 -P, --persistent       namespaces without processes
 -p, --task <pid>       print process namespaces
 -r, --raw              use the raw output format
 -u, --notruncate       don't truncate text in columns
 -W, --nowrap           don't use multi-line representation
 -t, --type <name>      namespace type (mnt, net, ipc, user, pid, uts, cgroup, time)
 -T, --tree <rel>       use tree format (parent, owner, or process)

 -h, --help             display this help
 -V, --version          display version
";

/// The namespace kinds (`common::ns`): TYPE is a kind's `/proc/PID/ns/` name. The order
/// of this table is not util-linux lsns's (`ns_names[]`), which shows nowhere: namespaces
/// are listed by inode number.
use common::ns::KINDS;

/// Rows of [`KINDS`] that lsns treats specially.
const USER: usize = 0;
const NET: usize = 4;
const PID_NS: usize = 5;

/// What a column shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Col {
    Ns,
    Type,
    Path,
    Nprocs,
    Pid,
    Ppid,
    Command,
    Uid,
    User,
    Netnsid,
    Nsfs,
    Pns,
    Ons,
}

/// An output column: what it shows, header, width hint, alignment and kind, help text.
struct ColInfo {
    col: Col,
    name: &'static str,
    whint: usize,
    right: bool,
    trunc: bool,
    wrap: bool,
    number: bool,
    help: &'static str,
}

const fn has(flags: &[u8], c: u8) -> bool {
    let mut i = 0;
    while i < flags.len() {
        if flags[i] == c {
            return true;
        }
        i += 1;
    }
    false
}

const fn col(
    col: Col,
    name: &'static str,
    whint: usize,
    flags: &str,
    help: &'static str,
) -> ColInfo {
    let f = flags.as_bytes();
    ColInfo {
        col,
        name,
        whint,
        right: has(f, b'R'),
        trunc: has(f, b'T'),
        wrap: has(f, b'W'),
        number: has(f, b'N'),
        help,
    }
}

/// The columns (util-linux `infos[]`): R right-aligned, T truncatable, W multi-line,
/// N a JSON number.
const COLUMNS: [ColInfo; 13] = [
    col(
        Col::Ns,
        "NS",
        10,
        "RN",
        "namespace identifier (inode number)",
    ),
    col(Col::Type, "TYPE", 5, "", "kind of namespace"),
    col(Col::Path, "PATH", 0, "", "path to the namespace"),
    col(
        Col::Nprocs,
        "NPROCS",
        5,
        "RN",
        "number of processes in the namespace",
    ),
    col(Col::Pid, "PID", 5, "RN", "lowest PID in the namespace"),
    col(Col::Ppid, "PPID", 5, "RN", "PPID of the PID"),
    col(Col::Command, "COMMAND", 0, "T", "command line of the PID"),
    col(Col::Uid, "UID", 0, "RN", "UID of the PID"),
    col(Col::User, "USER", 0, "", "username of the PID"),
    col(
        Col::Netnsid,
        "NETNSID",
        0,
        "R",
        "namespace ID as used by network subsystem",
    ),
    col(
        Col::Nsfs,
        "NSFS",
        0,
        "W",
        "nsfs mountpoint (usually used network subsystem)",
    ),
    col(
        Col::Pns,
        "PNS",
        10,
        "RN",
        "parent namespace identifier (inode number)",
    ),
    col(
        Col::Ons,
        "ONS",
        10,
        "RN",
        "owner namespace identifier (inode number)",
    ),
];

// Rows of [`COLUMNS`] by what they show (`every_column_row` checks `Col as usize` is the row).
const C_NS: usize = Col::Ns as usize;
const C_TYPE: usize = Col::Type as usize;
const C_NPROCS: usize = Col::Nprocs as usize;
const C_PID: usize = Col::Pid as usize;
const C_PPID: usize = Col::Ppid as usize;
const C_COMMAND: usize = Col::Command as usize;
const C_USER: usize = Col::User as usize;
const C_NETNSID: usize = Col::Netnsid as usize;
const C_NSFS: usize = Col::Nsfs as usize;

/// How lines nest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Tree {
    /// Flat.
    #[default]
    None,
    /// A process under its parent process (the default).
    Process,
    /// A namespace under the user namespace that owns it.
    Owner,
    /// A pid or user namespace under its parent.
    Parent,
}

/// The parsed command line.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Opts {
    json: bool,
    raw: bool,
    list: bool,
    no_headings: bool,
    no_trunc: bool,
    no_wrap: bool,
    persistent: bool,
    task: i32,
    types: Vec<usize>,
    output: Option<OsString>,
    output_all: bool,
    tree: Tree,
    namespace: Option<u64>,
}

/// What the command line asks for.
pub type Action = common::longopt::Action<Box<Opts>>;

/// Parse the arguments (argv[0] first).
pub fn parse(args: Vec<OsString>) -> Result<Action> {
    use lexopt::prelude::*;
    let mut p = lexopt::Parser::from_iter(args);
    let mut o = Opts::default();
    let mut namespace: Option<OsString> = None;
    while let Some(arg) = p.next().map_err(from_lexopt)? {
        match arg {
            Short('J') | Long("json") => o.json = true,
            Short('l') | Long("list") => o.list = true,
            Short('n') | Long("noheadings") => o.no_headings = true,
            Short('o') | Long("output") => o.output = Some(p.value().map_err(from_lexopt)?),
            Long("output-all") => o.output_all = true,
            Short('P') | Long("persistent") => o.persistent = true,
            Short('p') | Long("task") => o.task = parse_pid(&p.value().map_err(from_lexopt)?)?,
            Short('r') | Long("raw") => o.raw = true,
            Short('u') | Long("notruncate") => o.no_trunc = true,
            Short('W') | Long("nowrap") => o.no_wrap = true,
            Short('t') | Long("type") => {
                let v = p.value().map_err(from_lexopt)?;
                let kind = KINDS
                    .iter()
                    .position(|k| OsStr::new(k.name) == v)
                    .ok_or_else(|| {
                        Failure::msg(format!("unknown namespace type: {}", lossy(&v)))
                    })?;
                o.types.push(kind);
            }
            Short('T') | Long("tree") => {
                o.tree = match p.optional_value().map(strip_eq).as_deref() {
                    None => Tree::Owner,
                    Some(v) if v == "owner" => Tree::Owner,
                    Some(v) if v == "parent" => Tree::Parent,
                    Some(v) if v == "process" => Tree::Process,
                    Some(v) => {
                        return Err(Failure::msg(format!("unknown tree type: {}", lossy(v))));
                    }
                }
            }
            Short('h') | Long("help") => return Ok(Action::Help),
            Short('V') | Long("version") => return Ok(Action::Version),
            // getopt permutes: the first word that is not an option is the namespace,
            // wherever it stands; later ones are ignored, as util-linux ignores them.
            Value(v) => {
                namespace.get_or_insert(v);
            }
            other => return Err(from_lexopt(other.unexpected())),
        }
        if o.json && o.raw {
            return Err(Failure::msg("mutually exclusive arguments: --json --raw"));
        }
        if o.persistent && o.task != 0 {
            return Err(Failure::msg(
                "mutually exclusive arguments: --persistent --task",
            ));
        }
    }
    if let Some(v) = namespace {
        if o.task != 0 {
            return Err(Failure::msg(
                "--task is mutually exclusive with <namespace>",
            ));
        }
        o.namespace = Some(parse_u64(&v, "invalid namespace argument")?);
    }
    Ok(Action::Run(Box::new(o)))
}

fn strip_eq(v: OsString) -> OsString {
    match v.as_bytes().strip_prefix(b"=") {
        Some(rest) => OsStr::from_bytes(rest).to_owned(),
        None => v,
    }
}

/// util-linux `strtos32_or_err()`: a signed decimal; out of range says so.
fn parse_pid(text: &OsStr) -> Result<i32> {
    const WHAT: &str = "invalid PID argument";
    let bytes = text.as_bytes();
    let digits = bytes
        .strip_prefix(b"-")
        .or(bytes.strip_prefix(b"+"))
        .unwrap_or(bytes);
    if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
        return Err(Failure::msg(format!("{WHAT}: '{}'", lossy(text))));
    }
    std::str::from_utf8(bytes)
        .ok()
        .and_then(|s| s.parse::<i32>().ok())
        .ok_or_else(|| out_of_range(WHAT, text))
}

/// util-linux `strtou64_or_err()`.
fn parse_u64(text: &OsStr, what: &str) -> Result<u64> {
    let bytes = text.as_bytes();
    if bytes.is_empty() || !bytes.iter().all(u8::is_ascii_digit) {
        return Err(Failure::msg(format!("{what}: '{}'", lossy(text))));
    }
    std::str::from_utf8(bytes)
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .ok_or_else(|| out_of_range(what, text))
}

fn out_of_range(what: &str, text: &OsStr) -> Failure {
    Failure::msg(format!(
        "{what}: '{}': {}",
        lossy(text),
        common::strerror(nix::errno::Errno::ERANGE)
    ))
}

/// `-o LIST` as util-linux's `string_add_to_idarray()` reads it: `+` appends to the
/// columns so far; an unknown name is reported with the rest of the list (util-linux
/// prints from the unknown name to the end); an empty name fails silently.
fn output_columns(list: &[u8], columns: &mut Vec<usize>) -> Result<()> {
    let list = match list.strip_prefix(b"+") {
        Some(rest) => rest,
        None => {
            columns.clear();
            list
        }
    };
    if list.is_empty() {
        return Err(Failure::silent(1));
    }
    let mut start = 0;
    while start <= list.len() {
        // util-linux takes a name up to a comma, or to the end when the next byte ends
        // the string: so a trailing comma belongs to the last name ("ns," is unknown).
        let mut end = start;
        while end < list.len() && list[end] != b',' {
            end += 1;
        }
        if end + 1 == list.len() {
            end = list.len();
        }
        if end <= start {
            return Err(Failure::silent(1));
        }
        let name = &list[start..end];
        let id = COLUMNS
            .iter()
            .position(|c| c.name.as_bytes().eq_ignore_ascii_case(name))
            .ok_or_else(|| {
                Failure::msg(format!(
                    "unknown column: {}",
                    String::from_utf8_lossy(&list[start..])
                ))
            })?;
        if columns.len() >= COLUMNS.len() * 2 {
            return Err(Failure::silent(1));
        }
        columns.push(id);
        if end == list.len() {
            break;
        }
        start = end + 1;
    }
    Ok(())
}

/// A process as read from /proc.
struct Proc {
    pid: i32,
    ppid: i32,
    uid: u32,
    ns: [u64; 8],
    related: [[u64; 2]; 8],
    netnsid: Option<i32>,
    parent: Option<usize>,
    line: Option<usize>,
}

const PARENT: usize = 0;
const OWNER: usize = 1;

/// A namespace and what we know of it.
struct Ns {
    id: u64,
    kind: usize,
    procs: Vec<usize>,
    /// The process with the lowest pid.
    proc: Option<usize>,
    related: [u64; 2],
    related_ns: [Option<usize>; 2],
    /// The owner uid from `NS_GET_OWNER_UID`, for namespaces without processes.
    uid_fallback: u32,
    /// The nsfs file that keeps it alive, for namespaces without processes.
    path: Option<Vec<u8>>,
    line: Option<usize>,
}

/// Everything read from the system.
struct State {
    procs: Vec<Proc>,
    nss: Vec<Ns>,
    by_id: HashMap<u64, usize>,
    mounts: common::table::Table,
}

impl State {
    fn add_ns(&mut self, kind: usize, id: u64, related: [u64; 2]) -> usize {
        let index = self.nss.len();
        self.nss.push(Ns {
            id,
            kind,
            procs: Vec::new(),
            proc: None,
            related,
            related_ns: [None, None],
            uid_fallback: 0,
            path: None,
            line: None,
        });
        self.by_id.insert(id, index);
        index
    }
}

/// Parent and owner of the namespace open as `fd` (0 when not visible to us: EPERM),
/// and their fds. Only pid and user namespaces have parents (ioctl_ns(2)).
fn related_of(fd: &OwnedFd, kind: usize) -> nix::Result<[(u64, Option<OwnedFd>); 2]> {
    let visible = |r: nix::Result<OwnedFd>| -> nix::Result<(u64, Option<OwnedFd>)> {
        match r {
            Ok(f) => Ok((sys::fd_inode(&f)?, Some(f))),
            Err(nix::errno::Errno::EPERM | nix::errno::Errno::ENOSYS) => Ok((0, None)),
            Err(e) => Err(e),
        }
    };
    let parent = if kind == PID_NS || kind == USER {
        visible(sys::ns_parent(fd.as_fd()))?
    } else {
        (0, None)
    };
    let owner = visible(sys::ns_owner(fd.as_fd()))?;
    Ok([parent, owner])
}

/// Read one process; None when it vanished or cannot be read.
fn read_process(
    pid: i32,
    types: &[bool; 8],
    netlink: Option<&sys::Netlink>,
    known: &mut HashMap<u64, Known>,
) -> Option<Proc> {
    let uid = sys::proc_uid(pid)?;
    let ppid = sys::proc_stat(pid)?;
    let mut p = Proc {
        pid,
        ppid,
        uid,
        ns: [0; 8],
        related: [[0; 2]; 8],
        netnsid: None,
        parent: None,
        line: None,
    };
    for (i, kind) in KINDS.iter().enumerate() {
        if !types[i] {
            continue;
        }
        let path = format!("/proc/{pid}/ns/{}", kind.name);
        // Not ours to see (EACCES), gone, or not on this kernel: not in this namespace.
        let Ok(ino) = sys::ns_inode(&path) else {
            continue;
        };
        p.ns[i] = ino;
        // A namespace's parent, owner and network id are the same whichever process we
        // reach it through: ask the kernel once per namespace, not once per process
        // (util-linux asks for every process).
        if let Some(k) = known.get(&ino) {
            p.related[i] = k.related;
            p.netnsid = p.netnsid.or(k.netnsid);
            continue;
        }
        let Ok(fd) = sys::open_ro(OsStr::new(&path)) else {
            continue;
        };
        let related = match related_of(&fd, i) {
            Ok([(parent, _), (owner, _)]) => [parent, owner],
            Err(_) => return None,
        };
        let netnsid = if i == NET {
            netlink.and_then(|n| n.nsid(&fd))
        } else {
            None
        };
        known.insert(ino, Known { related, netnsid });
        p.related[i] = related;
        p.netnsid = p.netnsid.or(netnsid);
    }
    Some(p)
}

/// What the kernel said about a namespace: parent and owner, network id.
struct Known {
    related: [u64; 2],
    netnsid: Option<i32>,
}

/// Add the namespace open as `fd` (a ghost or a persisted one), with the ghosts its tree
/// relations lead to (util-linux `add_namespace_for_nsfd()`).
fn add_ns_for_fd(
    st: &mut State,
    fd: &OwnedFd,
    id: u64,
    types: Option<&[bool; 8]>,
    depth: usize,
) -> Option<usize> {
    let flag = sys::ns_type(fd.as_fd()).ok()?;
    let kind = KINDS.iter().position(|k| k.flag == flag)?;
    if types.is_some_and(|t| !t[kind]) {
        return None;
    }
    let [(parent, parent_fd), (owner, owner_fd)] = related_of(fd, kind).ok()?;
    let index = st.add_ns(kind, id, [parent, owner]);
    st.nss[index].uid_fallback = sys::ns_owner_uid(fd.as_fd()).unwrap_or(0);
    if depth > 64 {
        return Some(index);
    }
    if (kind == USER || kind == PID_NS) && parent != id && parent != 0 {
        let found = match st.by_id.get(&parent) {
            Some(&p) => Some(p),
            None => {
                let added = parent_fd
                    .as_ref()
                    .and_then(|f| add_ns_for_fd(st, f, parent, types, depth + 1));
                if parent == owner {
                    st.nss[index].related_ns[OWNER] = added;
                }
                added
            }
        };
        st.nss[index].related_ns[PARENT] = found;
    }
    if st.nss[index].related_ns[OWNER].is_none() && owner != 0 {
        st.nss[index].related_ns[OWNER] = match st.by_id.get(&owner) {
            Some(&o) => Some(o),
            None => owner_fd
                .as_ref()
                .and_then(|f| add_ns_for_fd(st, f, owner, types, depth + 1)),
        };
    }
    Some(index)
}

/// Link namespaces to their owners and parents; read the ones no process shows us
/// (util-linux `connect_namespaces()` and `read_ghost_namespaces()`).
fn connect(st: &mut State) {
    let mut orphans: [Vec<usize>; 2] = [Vec::new(), Vec::new()];
    for n in 0..st.nss.len() {
        for rela in [PARENT, OWNER] {
            let id = st.nss[n].related[rela];
            if id == 0 {
                continue;
            }
            match st.by_id.get(&id) {
                Some(&r) => st.nss[n].related_ns[rela] = Some(r),
                None => orphans[rela].push(n),
            }
        }
    }
    for rela in [PARENT, OWNER] {
        // util-linux keeps its orphans on a stack: the last found is read first.
        while let Some(n) = orphans[rela].pop() {
            let id = st.nss[n].related[rela];
            if let Some(&r) = st.by_id.get(&id) {
                st.nss[n].related_ns[rela] = Some(r);
                continue;
            }
            let Some(p) = st.nss[n].proc else { continue };
            let path = format!(
                "/proc/{}/ns/{}",
                st.procs[p].pid, KINDS[st.nss[n].kind].name
            );
            let Ok(fd) = sys::open_ro(OsStr::new(&path)) else {
                continue;
            };
            let Ok(rel) = related_of(&fd, st.nss[n].kind) else {
                continue;
            };
            let (ino, Some(missing)) = &rel[rela] else {
                continue;
            };
            if *ino != id {
                continue;
            }
            // util-linux 2.38 reads these whatever -t says.
            st.nss[n].related_ns[rela] = add_ns_for_fd(st, missing, id, None, 0);
        }
    }
    // Namespaces without a process (persisted ones) could not lead to their relations
    // above; link them to what the others found.
    for n in 0..st.nss.len() {
        for rela in [PARENT, OWNER] {
            if st.nss[n].related_ns[rela].is_none() {
                st.nss[n].related_ns[rela] = st.by_id.get(&st.nss[n].related[rela]).copied();
            }
        }
    }
}

/// Namespaces kept by a bind mount of their nsfs file: `TYPE:[INODE]` as the mount's root.
fn read_persisted(st: &mut State, types: &[bool; 8]) {
    let mut found = Vec::new();
    for e in &st.mounts.entries {
        if e.fstype() != b"nsfs" {
            continue;
        }
        let Some(id) = nsfs_inode(e.root()) else {
            continue;
        };
        if st.by_id.contains_key(&id) || found.iter().any(|(i, _)| *i == id) {
            continue;
        }
        found.push((id, e.target().to_vec()));
    }
    for (id, target) in found {
        let Ok(fd) = sys::open_ro(OsStr::from_bytes(&target)) else {
            continue;
        };
        // As util-linux 2.40: only the kinds -t asks for, and their relations of those kinds.
        if let Some(n) = add_ns_for_fd(st, &fd, id, Some(types), 0) {
            st.nss[n].path = Some(target);
        }
    }
}

/// The inode in an nsfs root `net:[4026532008]`.
fn nsfs_inode(root: &[u8]) -> Option<u64> {
    let open = root.iter().position(|&b| b == b'[')?;
    let rest = root.get(open + 1..)?.strip_suffix(b"]")?;
    std::str::from_utf8(rest).ok()?.parse().ok()
}

fn read(opts: &Opts, columns: &[usize]) -> Result<State> {
    let mut types = [opts.types.is_empty(); 8];
    for &t in &opts.types {
        types[t] = true;
    }
    let netlink = columns
        .contains(&C_NETNSID)
        .then(sys::Netlink::open)
        .flatten();
    let mounts = sys::mount_table().map_err(|e| {
        Failure::from(anyhow::Error::new(e).context("failed to parse /proc/self/mountinfo"))
            .with_code(common::exit::mnt::FAIL)
    })?;
    let mut st = State {
        procs: Vec::new(),
        nss: Vec::new(),
        by_id: HashMap::new(),
        mounts,
    };
    let pids = sys::pids()
        .map_err(|e| Failure::from(anyhow::Error::new(e).context("cannot open /proc")))?;
    let mut known = HashMap::new();
    for pid in pids {
        if let Some(p) = read_process(pid, &types, netlink.as_ref(), &mut known) {
            st.procs.push(p);
        }
    }
    let index: HashMap<i32, usize> = st
        .procs
        .iter()
        .enumerate()
        .map(|(i, p)| (p.pid, i))
        .collect();
    for i in 0..st.procs.len() {
        st.procs[i].parent = index.get(&st.procs[i].ppid).copied();
        for kind in 0..KINDS.len() {
            let id = st.procs[i].ns[kind];
            if id == 0 {
                continue;
            }
            let n = match st.by_id.get(&id) {
                Some(&n) => n,
                None => {
                    let related = st.procs[i].related[kind];
                    st.add_ns(kind, id, related)
                }
            };
            st.nss[n].procs.push(i);
            let lower = st.nss[n]
                .proc
                .is_none_or(|p| st.procs[p].pid > st.procs[i].pid);
            if lower {
                st.nss[n].proc = Some(i);
            }
        }
    }
    read_persisted(&mut st, &types);
    if matches!(opts.tree, Tree::Owner | Tree::Parent) {
        connect(&mut st);
    }
    Ok(st)
}

/// Builds the output table.
struct Builder<'a> {
    st: State,
    opts: &'a Opts,
    columns: &'a [usize],
    table: Table,
    users: Vec<(u32, Vec<u8>)>,
    /// The mount points of each nsfs root (`net:[4026532008]`), each once, in table order.
    nsfs: HashMap<Vec<u8>, Vec<Vec<u8>>>,
    tree: Tree,
}

impl Builder<'_> {
    fn user(&self, uid: u32) -> Vec<u8> {
        self.users
            .iter()
            .find(|(u, _)| *u == uid)
            .map_or_else(|| uid.to_string().into_bytes(), |(_, n)| n.clone())
    }

    fn cell(&self, n: usize, p: Option<usize>, column: usize) -> Vec<u8> {
        let ns = &self.st.nss[n];
        let proc = p.map(|p| &self.st.procs[p]);
        let uid = proc.map_or(ns.uid_fallback, |p| p.uid);
        let text = |s: String| s.into_bytes();
        match COLUMNS[column].col {
            Col::Ns => text(ns.id.to_string()),
            Col::Type => KINDS[ns.kind].name.as_bytes().to_vec(),
            Col::Path => match (proc, &ns.path) {
                (Some(p), _) => text(format!("/proc/{}/ns/{}", p.pid, KINDS[ns.kind].name)),
                (None, Some(path)) => path.clone(),
                (None, None) => Vec::new(),
            },
            Col::Nprocs => text(ns.procs.len().to_string()),
            Col::Pid => proc.map_or_else(Vec::new, |p| text(p.pid.to_string())),
            Col::Ppid => proc.map_or_else(Vec::new, |p| text(p.ppid.to_string())),
            Col::Command => proc.map_or_else(Vec::new, |p| sys::command(p.pid)),
            // util-linux prints the uid as a signed int.
            Col::Uid => text(i32::from_ne_bytes(uid.to_ne_bytes()).to_string()),
            Col::User => self.user(uid),
            Col::Netnsid => match proc.and_then(|p| p.netnsid).filter(|_| ns.kind == NET) {
                Some(sys::NSID_NOT_ASSIGNED) => b"unassigned".to_vec(),
                Some(id) if id >= 0 => text(id.to_string()),
                _ => Vec::new(),
            },
            Col::Nsfs => self.nsfs(ns),
            Col::Pns => text(ns.related[PARENT].to_string()),
            Col::Ons => text(ns.related[OWNER].to_string()),
        }
    }

    /// Where the namespace is bind-mounted, each path once, joined by newlines (one per
    /// output line) or, with `-W`/`-r`, by commas.
    fn nsfs(&self, ns: &Ns) -> Vec<u8> {
        let root = format!("{}:[{}]", KINDS[ns.kind].name, ns.id);
        let sep = if self.opts.no_wrap || self.opts.raw {
            b','
        } else {
            b'\n'
        };
        self.nsfs
            .get(root.as_bytes())
            .map_or_else(Vec::new, |targets| targets.join(&sep))
    }

    fn add_line(&mut self, n: usize, p: Option<usize>) {
        let parent_line = match self.tree {
            Tree::Process => p
                .and_then(|p| self.st.procs[p].parent)
                .and_then(|pp| self.st.procs[pp].line),
            Tree::Parent => self.st.nss[n].related_ns[PARENT].and_then(|r| self.st.nss[r].line),
            Tree::Owner => self.st.nss[n].related_ns[OWNER].and_then(|r| self.st.nss[r].line),
            Tree::None => None,
        };
        let cells = self.columns.iter().map(|&c| self.cell(n, p, c)).collect();
        let line = self.table.add_line(parent_line, cells);
        if matches!(self.tree, Tree::Owner | Tree::Parent) {
            self.st.nss[n].line = Some(line);
        } else if let Some(p) = p {
            self.st.procs[p].line = Some(line);
        }
    }

    /// A namespace, after the owner or parent it hangs under (util-linux
    /// `show_namespace()`).
    fn show_namespace(&mut self, n: usize, depth: usize) {
        let rel = self.st.nss[n].related_ns;
        let unshown = |r: Option<usize>| r.filter(|&r| self.st.nss[r].line.is_none());
        let first = match self.tree {
            Tree::Owner => unshown(rel[OWNER]),
            Tree::Parent if rel[PARENT].is_some() => unshown(rel[PARENT]),
            Tree::Parent => unshown(rel[OWNER]),
            _ => None,
        };
        if let Some(r) = first.filter(|_| depth < 64) {
            self.show_namespace(r, depth + 1);
        }
        let proc = self.st.nss[n].proc;
        self.add_line(n, proc);
    }

    fn show_namespaces(&mut self) {
        let mut order: Vec<usize> = (0..self.st.nss.len()).collect();
        order.sort_by_key(|&n| self.st.nss[n].id);
        for n in order {
            let ns = &self.st.nss[n];
            if self.opts.task != 0
                && !ns
                    .procs
                    .iter()
                    .any(|&p| self.st.procs[p].pid == self.opts.task)
            {
                continue;
            }
            if self.opts.persistent && !ns.procs.is_empty() {
                continue;
            }
            if ns.line.is_none() {
                self.show_namespace(n, 0);
            }
        }
    }

    /// The processes of one namespace, each after its parent when that is in the same
    /// namespace (util-linux `show_namespace_processes()`).
    fn show_processes(&mut self, n: usize) {
        for p in self.st.nss[n].procs.clone() {
            let mut chain = vec![p];
            let kind = self.st.nss[n].kind;
            while let (Tree::Process, Some(&last)) = (self.tree, chain.last()) {
                let proc = &self.st.procs[last];
                let next = proc.parent.filter(|&pp| {
                    self.st.procs[pp].line.is_none()
                        && self.st.procs[pp].ns[kind] == proc.ns[kind]
                        && !chain.contains(&pp)
                });
                match next {
                    Some(pp) => chain.push(pp),
                    None => break,
                }
            }
            for q in chain.into_iter().rev() {
                if self.st.procs[q].line.is_none() {
                    self.add_line(n, Some(q));
                }
            }
        }
    }
}

fn run(opts: &Opts) -> Result<u8> {
    let mut tree = opts.tree;
    let mut columns: Vec<usize> = if opts.output_all {
        (0..COLUMNS.len()).collect()
    } else {
        Vec::new()
    };
    if opts.namespace.is_some() {
        if tree == Tree::None && !opts.list {
            tree = Tree::Process;
        }
        if columns.is_empty() {
            columns = vec![C_PID, C_PPID, C_USER, C_COMMAND];
        }
    }
    if columns.is_empty() {
        columns = vec![C_NS, C_TYPE, C_NPROCS, C_PID, C_USER];
        if opts.types.contains(&NET) {
            columns.extend([C_NETNSID, C_NSFS]);
        }
        columns.push(C_COMMAND);
        if tree == Tree::None && !opts.list {
            tree = Tree::Process;
        }
    }
    if let Some(list) = &opts.output {
        output_columns(list.as_bytes(), &mut columns)?;
    }

    let format = if opts.json {
        Format::Json
    } else if opts.raw {
        Format::Raw
    } else {
        Format::Human
    };
    let no_wrap = opts.no_wrap || opts.raw;
    let table_columns = columns
        .iter()
        .map(|&c| {
            let info = &COLUMNS[c];
            let ns_tree = matches!(tree, Tree::Owner | Tree::Parent) && c == C_NS;
            Column {
                name: info.name,
                whint: info.whint,
                right: info.right && !ns_tree,
                trunc: info.trunc && !opts.no_trunc,
                wrap_nl: info.wrap && !no_wrap,
                tree: ns_tree || (tree == Tree::Process && c == C_COMMAND),
                number: info.number,
            }
        })
        .collect();
    let mut table = Table::new(table_columns);
    table.format = format;
    table.headings = !opts.no_headings;
    table.utf8 = sys::utf8_locale();
    table.term_width = if format == Format::Human {
        sys::terminal_width()
    } else {
        None
    };
    table.json_name = "namespaces";

    let st = read(opts, &columns)?;
    let needs_users = columns.contains(&C_USER);
    let mut nsfs: HashMap<Vec<u8>, Vec<Vec<u8>>> = HashMap::new();
    if columns.contains(&C_NSFS) {
        for e in st.mounts.entries.iter().filter(|e| e.fstype() == b"nsfs") {
            let targets = nsfs.entry(e.root().to_vec()).or_default();
            if !targets.iter().any(|t| t == e.target()) {
                targets.push(e.target().to_vec());
            }
        }
    }
    let mut b = Builder {
        st,
        opts,
        columns: &columns,
        table,
        nsfs,
        users: if needs_users {
            sys::user_names()
        } else {
            Vec::new()
        },
        tree,
    };
    match opts.namespace {
        Some(id) => {
            let Some(&n) = b.st.by_id.get(&id) else {
                return Err(Failure::msg(format!("not found namespace: {id}")));
            };
            b.show_processes(n);
        }
        None => b.show_namespaces(),
    }
    let mut text = Vec::new();
    b.table.print(&mut text);
    let mut out = Out::new();
    out.bytes(&text)?;
    out.flush()?;
    Ok(0)
}

/// Entry point: arguments in (argv[0] first), exit status out.
pub fn main(args: Vec<OsString>) -> u8 {
    let result = parse(args).and_then(|action| match action {
        Action::Help => print_help(),
        Action::Version => common::out::print(&version(NAME)),
        Action::Run(opts) => run(&opts),
    });
    common::finish(NAME, 1, 1, result)
}

fn print_help() -> Result<u8> {
    let mut text = String::from(USAGE);
    text.push_str("\nAvailable output columns:\n");
    for c in &COLUMNS {
        text.push_str(&format!("{:>12}  {}\n", c.name, c.help));
    }
    text.push_str("\nFor more details see lsns(8).\n");
    common::out::print(&text)
}

#[cfg(test)]
mod tests;
