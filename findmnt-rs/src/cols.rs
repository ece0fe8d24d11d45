//! The output columns: one table row per column (name, width hint, alignment, JSON type,
//! help), and the cell data of each (findmnt.c `get_data`).

use std::collections::HashMap;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::{Path, PathBuf};

use common::{Result, out::Out};

use crate::scols::{self, Json, Mode, Style};
use crate::{Ctx, sys};

/// Column IDs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Col {
    Action,
    Avail,
    Freq,
    Fsroot,
    Fstype,
    FsOptions,
    Id,
    InoAvail,
    InoTotal,
    InoUsed,
    InoUsePerc,
    Label,
    MajMin,
    OldOptions,
    OldTarget,
    Options,
    OptFields,
    Parent,
    Partlabel,
    Partuuid,
    Passno,
    Propagation,
    Size,
    Source,
    Sources,
    Target,
    Tid,
    Used,
    UsePerc,
    Uuid,
    VfsOptions,
}

/// One row of the column table.
pub struct Info {
    pub id: Col,
    pub name: &'static str,
    pub hint: f64,
    pub right: bool,
    pub tree: bool,
    /// Listed by `--output-all` (util-linux 2.38 has no INO.* columns).
    pub in_all: bool,
    pub help: &'static str,
}

const fn info(id: Col, name: &'static str, hint: f64, right: bool, help: &'static str) -> Info {
    Info {
        id,
        name,
        hint,
        right,
        tree: false,
        in_all: true,
        help,
    }
}

/// Every column, in util-linux's table order (which `--output-all` follows).
pub static INFOS: &[Info] = &[
    info(
        Col::Action,
        "ACTION",
        10.0,
        false,
        "action detected by --poll",
    ),
    info(Col::Avail, "AVAIL", 5.0, true, "filesystem size available"),
    info(
        Col::Freq,
        "FREQ",
        1.0,
        true,
        "dump(8) period in days [fstab only]",
    ),
    info(Col::Fsroot, "FSROOT", 0.25, false, "filesystem root"),
    info(Col::Fstype, "FSTYPE", 0.10, false, "filesystem type"),
    info(
        Col::FsOptions,
        "FS-OPTIONS",
        0.10,
        false,
        "FS specific mount options",
    ),
    info(Col::Id, "ID", 2.0, true, "mount ID"),
    Info {
        in_all: false,
        ..info(
            Col::InoAvail,
            "INO.AVAIL",
            5.0,
            true,
            "number of available inodes",
        )
    },
    Info {
        in_all: false,
        ..info(
            Col::InoTotal,
            "INO.TOTAL",
            5.0,
            true,
            "total number of inodes",
        )
    },
    Info {
        in_all: false,
        ..info(Col::InoUsed, "INO.USED", 5.0, true, "number of used inodes")
    },
    Info {
        in_all: false,
        ..info(
            Col::InoUsePerc,
            "INO.USE%",
            3.0,
            true,
            "percentage of INO.USED divided by INO.TOTAL",
        )
    },
    info(Col::Label, "LABEL", 0.10, false, "filesystem label"),
    info(
        Col::MajMin,
        "MAJ:MIN",
        6.0,
        false,
        "major:minor device number",
    ),
    info(
        Col::OldOptions,
        "OLD-OPTIONS",
        0.10,
        false,
        "old mount options saved by --poll",
    ),
    info(
        Col::OldTarget,
        "OLD-TARGET",
        0.30,
        false,
        "old mountpoint saved by --poll",
    ),
    info(Col::Options, "OPTIONS", 0.10, false, "all mount options"),
    info(
        Col::OptFields,
        "OPT-FIELDS",
        0.10,
        false,
        "optional mount fields",
    ),
    info(Col::Parent, "PARENT", 2.0, true, "mount parent ID"),
    info(Col::Partlabel, "PARTLABEL", 0.10, false, "partition label"),
    info(Col::Partuuid, "PARTUUID", 36.0, false, "partition UUID"),
    info(
        Col::Passno,
        "PASSNO",
        1.0,
        true,
        "pass number on parallel fsck(8) [fstab only]",
    ),
    info(
        Col::Propagation,
        "PROPAGATION",
        0.10,
        false,
        "VFS propagation flags",
    ),
    info(Col::Size, "SIZE", 5.0, true, "filesystem size"),
    info(Col::Source, "SOURCE", 0.25, false, "source device"),
    info(
        Col::Sources,
        "SOURCES",
        0.25,
        false,
        "all possible source devices",
    ),
    Info {
        tree: true,
        ..info(Col::Target, "TARGET", 0.30, false, "mountpoint")
    },
    info(Col::Tid, "TID", 4.0, true, "task ID"),
    info(Col::Used, "USED", 5.0, true, "filesystem size used"),
    info(Col::UsePerc, "USE%", 3.0, true, "filesystem use percentage"),
    info(Col::Uuid, "UUID", 36.0, false, "filesystem UUID"),
    info(
        Col::VfsOptions,
        "VFS-OPTIONS",
        0.20,
        false,
        "VFS specific mount options",
    ),
];

/// The column with this name (case-insensitive), as `-o` takes it.
pub fn by_name(name: &str) -> Option<Col> {
    INFOS
        .iter()
        .find(|i| i.name.eq_ignore_ascii_case(name))
        .map(|i| i.id)
}

impl Col {
    pub fn info(self) -> &'static Info {
        INFOS.iter().find(|i| i.id == self).unwrap_or(&INFOS[0])
    }

    /// Only meaningful with `--poll`.
    pub fn is_poll(self) -> bool {
        matches!(self, Col::Action | Col::OldTarget | Col::OldOptions)
    }

    /// Listed by `--output-all`.
    pub fn in_all(self) -> bool {
        self.info().in_all && !self.is_poll()
    }

    fn json(self, bytes: bool) -> Json {
        match self {
            Col::Size | Col::Avail | Col::Used if bytes => Json::Number,
            Col::Id | Col::Parent | Col::Freq | Col::Passno | Col::Tid => Json::Number,
            Col::Sources => Json::Array,
            _ => Json::String,
        }
    }

    /// The output column.
    pub fn column(self, bytes: bool) -> scols::Column {
        let i = self.info();
        scols::Column {
            name: i.name,
            hint: i.hint,
            right: i.right,
            tree: i.tree,
            strict: self == Col::Action,
            json: self.json(bytes),
        }
    }
}

/// `--list-columns`: every column with its description.
pub fn list_columns(out: &mut Out, style: &Style) -> Result<u8> {
    let columns = [
        scols::Column {
            name: "COLUMN",
            hint: 0.1,
            right: false,
            tree: false,
            strict: false,
            json: Json::String,
        },
        scols::Column {
            name: "DESCRIPTION",
            hint: 0.1,
            right: false,
            tree: false,
            strict: false,
            json: Json::String,
        },
    ];
    let lines: Vec<scols::Line> = INFOS
        .iter()
        .map(|i| scols::Line {
            cells: vec![
                Some(i.name.as_bytes().to_vec()),
                Some(i.help.as_bytes().to_vec()),
            ],
            parent: None,
        })
        .collect();
    let mut buf = Vec::new();
    if style.mode == Mode::Json {
        // Same document shape as the table, under a "columns" key.
        scols::print(&mut buf, &columns, &lines, style);
        let text = String::from_utf8_lossy(&buf).replacen("\"filesystems\"", "\"columns\"", 1);
        out.str(&text)?;
    } else {
        scols::print(&mut buf, &columns, &lines, style);
        out.bytes(&buf)?;
    }
    Ok(0)
}

/// Per-run memo of `/dev/disk/by-*` directories and `statvfs` results, and of the last
/// OPTIONS merge.
#[derive(Default)]
pub struct Cache {
    by: HashMap<&'static str, HashMap<PathBuf, Vec<u8>>>,
    vfs: HashMap<Vec<u8>, Option<nix::sys::statvfs::Statvfs>>,
    merged: Option<Merged>,
}

/// One OPTIONS merge: its VFS and FS options and the result.
struct Merged {
    vfs: Vec<u8>,
    fs: Vec<u8>,
    all: Vec<u8>,
}

impl Cache {
    /// [`merged_options`] appended to `out`. Most mounts of a table carry the same
    /// options as the line before, so the last merge is kept and compared first.
    fn merge_into(&mut self, vfs: &[u8], fs: &[u8], out: &mut Vec<u8>) {
        let m = match &mut self.merged {
            Some(m) if m.vfs == vfs && m.fs == fs => m,
            slot => {
                let mut all = Vec::new();
                merge_into(vfs, fs, &mut all);
                slot.insert(Merged {
                    vfs: vfs.to_vec(),
                    fs: fs.to_vec(),
                    all,
                })
            }
        };
        out.extend_from_slice(&m.all);
    }

    /// The tag value (LABEL, UUID, ...) `/dev/disk/by-*` gives for `device`.
    fn tag_of(&mut self, dir: &'static str, device: &Path) -> Option<Vec<u8>> {
        let map = self.by.entry(dir).or_insert_with(|| {
            let mut m = HashMap::new();
            for link in sys::readdir(&Path::new("/dev/disk").join(dir)) {
                let Some(name) = link.file_name() else {
                    continue;
                };
                if let Some(real) = sys::realpath(link.as_os_str().as_bytes()) {
                    m.entry(PathBuf::from(std::ffi::OsString::from_vec(real)))
                        .or_insert_with(|| unhexmangle(name.as_bytes()));
                }
            }
            m
        });
        map.get(device).cloned()
    }

    /// The device `/dev/disk/by-*/VALUE` names.
    pub fn device_of(dir: &str, value: &[u8]) -> Option<PathBuf> {
        let mut name = Vec::new();
        for &b in value {
            if b == b'/' || b == b' ' || b == b'\\' {
                name.extend_from_slice(format!("\\x{b:02x}").as_bytes());
            } else {
                name.push(b);
            }
        }
        let link = Path::new("/dev/disk")
            .join(dir)
            .join(std::ffi::OsStr::from_bytes(&name));
        sys::realpath(link.as_os_str().as_bytes())
            .map(|p| PathBuf::from(std::ffi::OsString::from_vec(p)))
    }

    fn statvfs(&mut self, target: &[u8]) -> Option<nix::sys::statvfs::Statvfs> {
        *self
            .vfs
            .entry(target.to_vec())
            .or_insert_with(|| sys::statvfs(target))
    }
}

/// udev's `\xNN` escapes in `/dev/disk/by-*` names, undone.
fn unhexmangle(name: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(name.len());
    let mut i = 0;
    while i < name.len() {
        if name[i] == b'\\' && name.get(i + 1) == Some(&b'x') {
            if let Some(v) = name
                .get(i + 2..i + 4)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(v);
                i += 4;
                continue;
            }
        }
        out.push(name[i]);
        i += 1;
    }
    out
}

/// A source written as a tag (`LABEL=x`, `UUID=x`, ...): (tag name, value).
pub fn tag(source: &[u8]) -> Option<(&'static str, &[u8])> {
    for name in ["LABEL", "UUID", "PARTLABEL", "PARTUUID", "ID"] {
        if let Some(rest) = source
            .strip_prefix(name.as_bytes())
            .and_then(|r| r.strip_prefix(b"="))
        {
            let value = rest
                .strip_prefix(b"\"")
                .and_then(|r| r.strip_suffix(b"\""))
                .unwrap_or(rest);
            return Some((name, value));
        }
    }
    None
}

/// The `/dev/disk` directory of a tag.
pub fn tag_dir(name: &str) -> &'static str {
    match name {
        "LABEL" => "by-label",
        "UUID" => "by-uuid",
        "PARTLABEL" => "by-partlabel",
        "PARTUUID" => "by-partuuid",
        _ => "by-id",
    }
}

/// The canonical form of a path, if it exists.
pub fn canonical(path: &[u8]) -> Option<Vec<u8>> {
    sys::realpath(path)
}

/// The OPTIONS of a mountinfo entry: VFS and FS options merged, with one leading
/// `rw`/`ro` (libmount `merge_optstr`).
pub fn merged_options(vfs: &[u8], fs: &[u8]) -> Vec<u8> {
    if vfs.is_empty() || fs.is_empty() {
        return if fs.is_empty() { vfs } else { fs }.to_vec();
    }
    if vfs == fs {
        return vfs.to_vec();
    }
    let mut all = vfs.to_vec();
    all.push(b',');
    all.extend_from_slice(fs);
    let mut opts = split_options(&all);
    let mut rw = 0;
    for _ in 0..2 {
        if remove_option(&mut opts, b"rw") {
            rw += 1;
        }
    }
    let mut ro = 0;
    if rw != 2 {
        if remove_option(&mut opts, b"ro") {
            ro += 1;
        }
        if ro + rw < 2 && remove_option(&mut opts, b"ro") {
            ro += 1;
        }
    }
    let mut res = if ro > 0 {
        b"ro".to_vec()
    } else {
        b"rw".to_vec()
    };
    for o in opts {
        res.push(b',');
        res.extend_from_slice(o);
    }
    res
}

/// [`merged_options`] appended to `out`, without building lists in the common case
/// (no quoted option values).
fn merge_into(vfs: &[u8], fs: &[u8], out: &mut Vec<u8>) {
    if vfs.is_empty() || fs.is_empty() || vfs == fs || vfs.contains(&b'"') || fs.contains(&b'"') {
        out.extend_from_slice(&merged_options(vfs, fs));
        return;
    }
    let items = || {
        vfs.split(|&b| b == b',')
            .chain(fs.split(|&b| b == b','))
            .filter(|o| !o.is_empty())
    };
    let rw = items().filter(|o| option_name(o) == b"rw").count().min(2);
    let ro = if rw == 2 {
        0
    } else {
        items()
            .filter(|o| option_name(o) == b"ro")
            .count()
            .min(2 - rw)
    };
    out.extend_from_slice(if ro > 0 { b"ro" } else { b"rw" });
    let (mut skip_rw, mut skip_ro) = (rw, ro);
    for o in items() {
        let name = option_name(o);
        if skip_rw > 0 && name == b"rw" {
            skip_rw -= 1;
            continue;
        }
        if skip_ro > 0 && name == b"ro" {
            skip_ro -= 1;
            continue;
        }
        out.push(b',');
        out.extend_from_slice(o);
    }
}

/// Options split at commas outside double quotes; empty items dropped.
pub fn split_options(s: &[u8]) -> Vec<&[u8]> {
    let mut out = Vec::new();
    let mut quoted = false;
    let mut start = 0;
    for (i, &b) in s.iter().enumerate() {
        if b == b'"' {
            quoted = !quoted;
        } else if b == b',' && !quoted {
            if i > start {
                out.push(&s[start..i]);
            }
            start = i + 1;
        }
    }
    if s.len() > start {
        out.push(&s[start..]);
    }
    out
}

/// An option's name (before `=`).
pub fn option_name(o: &[u8]) -> &[u8] {
    o.split(|&b| b == b'=').next().unwrap_or(o)
}

fn remove_option(opts: &mut Vec<&[u8]>, name: &[u8]) -> bool {
    match opts.iter().position(|o| option_name(o) == name) {
        Some(i) => {
            opts.remove(i);
            true
        }
        None => false,
    }
}

/// VFS (per-mount) option names libmount knows (`linux_flags_map`).
const VFS_NAMES: &[&str] = &[
    "ro",
    "rw",
    "exec",
    "noexec",
    "suid",
    "nosuid",
    "dev",
    "nodev",
    "sync",
    "async",
    "dirsync",
    "remount",
    "bind",
    "rbind",
    "mand",
    "nomand",
    "atime",
    "noatime",
    "iversion",
    "noiversion",
    "diratime",
    "nodiratime",
    "relatime",
    "norelatime",
    "strictatime",
    "nostrictatime",
    "lazytime",
    "nolazytime",
    "nosymfollow",
    "symfollow",
    "silent",
    "loud",
    "move",
    "unbindable",
    "runbindable",
    "private",
    "rprivate",
    "slave",
    "rslave",
    "shared",
    "rshared",
];

/// Userspace option names libmount knows (`userspace_opts_map`).
const USER_NAMES: &[&str] = &[
    "defaults",
    "auto",
    "noauto",
    "user",
    "nouser",
    "users",
    "owner",
    "noowner",
    "group",
    "nogroup",
    "_netdev",
    "comment",
    "loop",
    "offset",
    "sizelimit",
    "encryption",
    "nofail",
    "uhelper",
    "helper",
];

pub fn is_user_option(name: &[u8]) -> bool {
    USER_NAMES.iter().any(|n| n.as_bytes() == name)
        || name.starts_with(b"x-")
        || name.starts_with(b"X-")
}

/// The (VFS, FS) options of an fstab/mtab entry, split as libmount splits them.
pub fn split_fstab_options(all: &[u8]) -> (Vec<u8>, Vec<u8>) {
    let mut vfs = Vec::new();
    let mut fs = Vec::new();
    for o in split_options(all) {
        let name = option_name(o);
        let dest = if VFS_NAMES.iter().any(|n| n.as_bytes() == name) {
            &mut vfs
        } else if is_user_option(name) {
            continue;
        } else {
            &mut fs
        };
        if !dest.is_empty() {
            dest.push(b',');
        }
        dest.extend_from_slice(o);
    }
    (vfs, fs)
}

/// Filesystem types libmount calls pseudo (`mnt_fs_is_pseudofs`).
const PSEUDO: &[&str] = &[
    "anon_inodefs",
    "apparmorfs",
    "autofs",
    "bdev",
    "binder",
    "binfmt_misc",
    "bpf",
    "cgroup",
    "cgroup2",
    "configfs",
    "cpuset",
    "debugfs",
    "devfs",
    "devpts",
    "devtmpfs",
    "dlmfs",
    "dmabuf",
    "drm",
    "efivarfs",
    "fuse",
    "fuse.archivemount",
    "fuse.avfsd",
    "fuse.dumpfs",
    "fuse.encfs",
    "fuse.gvfs-fuse-daemon",
    "fuse.gvfsd-fuse",
    "fuse.kio-fuse",
    "fuse.lxcfs",
    "fuse.portal",
    "fuse.rofiles-fuse",
    "fuse.vmware-vmblock",
    "fuse.xwmfs",
    "fusectl",
    "hugetlbfs",
    "ipathfs",
    "mqueue",
    "nfsd",
    "none",
    "nsfs",
    "overlay",
    "pidfs",
    "pipefs",
    "proc",
    "pstore",
    "ramfs",
    "resctrl",
    "rootfs",
    "rpc_pipefs",
    "securityfs",
    "selinuxfs",
    "smackfs",
    "sockfs",
    "spufs",
    "sysfs",
    "tmpfs",
    "tracefs",
    "vboxsf",
    "virtiofs",
];

/// Whether `fstype` is a pseudo filesystem.
pub fn is_pseudo(fstype: &[u8]) -> bool {
    PSEUDO.iter().any(|p| p.as_bytes() == fstype)
}

/// Whether `fstype` is a network filesystem (`mnt_fs_is_netfs`).
pub fn is_net(fstype: &[u8]) -> bool {
    fstype.starts_with(b"nfs")
        || fstype.starts_with(b"9p")
        || [
            &b"cifs"[..],
            b"smb3",
            b"smbfs",
            b"afs",
            b"ncpfs",
            b"glusterfs",
            b"fuse.curlftpfs",
            b"fuse.sshfs",
        ]
        .contains(&fstype)
}

/// The all-options string of entry `i` (OPTIONS).
pub fn options(ctx: &Ctx, i: usize) -> Vec<u8> {
    let e = &ctx.entries[i];
    if ctx.kernel {
        merged_options(e.vfs_options(), e.fs_options())
    } else {
        e.vfs_options().to_vec()
    }
}

/// `size_to_human_string(SIZE_SUFFIX_1LETTER, bytes)`: 1024-based, the fraction taken to
/// thousandths, rounded to one decimal, a trailing zero dropped (`23.5G`, `1K`).
pub fn human_size(bytes: u64) -> String {
    let mut exp = 0;
    for shift in (10..=60).step_by(10) {
        if bytes < (1u64 << shift) {
            break;
        }
        exp = shift;
    }
    let letter = b"BKMGTPE"[exp / 10] as char;
    let mut dec = if exp > 0 { bytes >> exp } else { bytes };
    let rem = if exp > 0 {
        bytes & ((1u64 << exp) - 1)
    } else {
        0
    };
    let mut frac = 0;
    if rem > 0 {
        let thousandths = ((u128::from(rem) * 1000) >> exp) as u64;
        frac = (thousandths + 50) / 100 * 10;
        if frac == 100 {
            dec += 1;
            frac = 0;
        }
    }
    if frac > 0 {
        format!("{dec}.{}{letter}", frac / 10)
    } else {
        format!("{dec}{letter}")
    }
}

fn percent(used: u64, total: u64) -> String {
    format!("{:.0}%", used as f64 / total as f64 * 100.0)
}

/// The cell of column `col` for entry `i`, `None` when it has no data: the common columns
/// are borrowed from the entry as they are stored, the others built in `scratch`.
pub fn cell<'a>(
    col: Col,
    ctx: &'a Ctx,
    i: usize,
    cache: &mut Cache,
    scratch: &'a mut Vec<u8>,
) -> Option<&'a [u8]> {
    let e = ctx.entries.get(i)?;
    match col {
        Col::Target => Some(e.target()),
        Col::Fstype => Some(e.fstype()),
        Col::Options if ctx.kernel => {
            scratch.clear();
            cache.merge_into(e.vfs_options(), e.fs_options(), scratch);
            Some(scratch)
        }
        Col::Source if !ctx.flags.canon && tag(e.source()).is_none() => {
            if !(ctx.kernel && !ctx.flags.nofsroot && e.root() != b"/") {
                return Some(e.source());
            }
            scratch.clear();
            scratch.extend_from_slice(e.source());
            scratch.push(b'[');
            scratch.extend_from_slice(e.root());
            scratch.push(b']');
            Some(scratch)
        }
        Col::VfsOptions if ctx.kernel => Some(e.vfs_options()),
        Col::FsOptions if ctx.kernel => Some(e.fs_options()),
        Col::OptFields if !e.opt_fields().is_empty() => Some(e.opt_fields()),
        _ => {
            *scratch = data(col, ctx, i, cache)?;
            Some(scratch)
        }
    }
}

/// The cell of column `col` for entry `i`.
pub fn data(col: Col, ctx: &Ctx, i: usize, cache: &mut Cache) -> Option<Vec<u8>> {
    let e = &ctx.entries[i];
    let num = |n: u64| Some(n.to_string().into_bytes());
    match col {
        Col::Source | Col::Sources => {
            let mut spec: Option<Vec<u8>> = None;
            let tagged = tag(e.source());
            if tagged.is_none() && ctx.flags.canon && !e.source().is_empty() {
                spec = canonical(e.source());
            } else if tagged.is_none() {
                spec = Some(e.source().to_vec());
            }
            if spec.is_none() {
                spec = Some(e.source().to_vec());
                if let (true, Some((name, value))) = (ctx.flags.evaluate, tagged) {
                    if let Some(dev) = Cache::device_of(tag_dir(name), value) {
                        spec = Some(dev.into_os_string().into_vec());
                    }
                }
            }
            let mut spec = spec?;
            if ctx.kernel && !ctx.flags.nofsroot && e.root() != b"/" {
                spec.push(b'[');
                spec.extend_from_slice(e.root());
                spec.push(b']');
            }
            Some(spec)
        }
        Col::Target => Some(e.target().to_vec()),
        Col::Fstype => Some(e.fstype().to_vec()),
        Col::Options => Some(options(ctx, i)),
        Col::VfsOptions if ctx.kernel => Some(e.vfs_options().to_vec()),
        Col::FsOptions if ctx.kernel => Some(e.fs_options().to_vec()),
        Col::VfsOptions => Some(split_fstab_options(e.vfs_options()).0).filter(|v| !v.is_empty()),
        Col::FsOptions => Some(split_fstab_options(e.vfs_options()).1).filter(|v| !v.is_empty()),
        Col::OptFields => Some(e.opt_fields().to_vec()).filter(|v| !v.is_empty()),
        Col::Uuid | Col::Partuuid | Col::Label | Col::Partlabel => {
            let (name, dir) = match col {
                Col::Uuid => ("UUID", "by-uuid"),
                Col::Partuuid => ("PARTUUID", "by-partuuid"),
                Col::Label => ("LABEL", "by-label"),
                _ => ("PARTLABEL", "by-partlabel"),
            };
            match tag(e.source()) {
                Some((t, v)) if t == name => Some(v.to_vec()),
                Some((t, v)) => {
                    let dev = Cache::device_of(tag_dir(t), v)?;
                    cache.tag_of(dir, &dev)
                }
                None => {
                    let dev = PathBuf::from(std::ffi::OsStr::from_bytes(&canonical(e.source())?));
                    cache.tag_of(dir, &dev)
                }
            }
        }
        Col::MajMin => {
            if e.major == 0 && e.minor == 0 {
                return None;
            }
            Some(if ctx.flags.human_majmin {
                format!("{:>3}:{:<3}", e.major, e.minor).into_bytes()
            } else {
                format!("{}:{}", e.major, e.minor).into_bytes()
            })
        }
        Col::Size
        | Col::Avail
        | Col::Used
        | Col::UsePerc
        | Col::InoTotal
        | Col::InoAvail
        | Col::InoUsed
        | Col::InoUsePerc => {
            let v = cache.statvfs(e.target())?;
            let frsize = v.fragment_size();
            let (blocks, bfree, bavail) = (v.blocks(), v.blocks_free(), v.blocks_available());
            let (files, ffree) = (v.files(), v.files_free());
            let (value, plain) = match col {
                Col::Size => (frsize * blocks, false),
                Col::Avail => (frsize * bavail, false),
                Col::Used => (frsize * (blocks - bfree.min(blocks)), false),
                Col::UsePerc => {
                    if blocks == 0 {
                        return Some(b"-".to_vec());
                    }
                    return Some(percent(blocks - bfree.min(blocks), blocks).into_bytes());
                }
                Col::InoAvail => (ffree, true),
                Col::InoTotal => (files, true),
                Col::InoUsed => (files - ffree.min(files), true),
                _ => {
                    if files == 0 {
                        return Some(b"-".to_vec());
                    }
                    return Some(percent(files - ffree.min(files), files).into_bytes());
                }
            };
            Some(if value == 0 {
                b"0".to_vec()
            } else if plain || ctx.flags.bytes {
                value.to_string().into_bytes()
            } else {
                human_size(value).into_bytes()
            })
        }
        Col::Fsroot => ctx.kernel.then(|| e.root().to_vec()),
        Col::Tid => (ctx.tid != 0 && ctx.kernel).then(|| ctx.tid.to_string().into_bytes()),
        Col::Id => (e.id != 0).then(|| num(e.id)).flatten(),
        Col::Parent => (e.parent != 0).then(|| num(e.parent)).flatten(),
        Col::Propagation => {
            if !ctx.kernel {
                return None;
            }
            // libmount `mnt_fs_get_propagation` looks for substrings anywhere in the
            // optional fields (not `Entry::is_shared`'s whole-field rule), which differs
            // only for hand-made `-F` files; findmnt output follows libmount.
            let f = &e.opt_fields();
            let has = |s: &[u8]| f.windows(s.len()).any(|w| w == s);
            let mut p = String::from(if has(b"shared:") { "shared" } else { "private" });
            if has(b"master:") {
                p.push_str(",slave");
            }
            if has(b"unbindable") {
                p.push_str(",unbindable");
            }
            Some(p.into_bytes())
        }
        Col::Freq => (!ctx.kernel).then(|| num(u64::from(e.freq))).flatten(),
        Col::Passno => (!ctx.kernel).then(|| num(u64::from(e.passno))).flatten(),
        Col::Action | Col::OldOptions | Col::OldTarget => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_column_by_name() {
        for i in INFOS {
            assert_eq!(by_name(i.name), Some(i.id));
            assert_eq!(by_name(&i.name.to_lowercase()), Some(i.id));
            assert_eq!(i.id.info().name, i.name);
        }
        assert_eq!(by_name("FOO"), None);
    }

    #[test]
    fn merge_like_libmount() {
        let m = |a: &str, b: &str| {
            String::from_utf8(merged_options(a.as_bytes(), b.as_bytes())).unwrap()
        };
        assert_eq!(m("rw,nosuid", "rw"), "rw,nosuid");
        assert_eq!(m("ro,relatime", "rw,attr2"), "ro,relatime,attr2");
        assert_eq!(m("rw,relatime", "rw,discard"), "rw,relatime,discard");
        assert_eq!(m("b", "b"), "b");
        assert_eq!(m("rw", "ro"), "ro");
        assert_eq!(m("rw,a", "x=\"1,2\""), "rw,a,x=\"1,2\"");
    }

    #[test]
    fn merge_fast_path_agrees() {
        for (v, f) in [
            ("rw,nosuid", "rw"),
            ("ro,relatime", "rw,attr2"),
            ("rw", "ro"),
            ("ro", "ro,x"),
            ("ro,rw", "ro,ro,a"),
            ("a,,b", "rw,,c"),
            ("rw=1,x", "ro=2"),
        ] {
            let mut fast = Vec::new();
            merge_into(v.as_bytes(), f.as_bytes(), &mut fast);
            assert_eq!(
                fast,
                merged_options(v.as_bytes(), f.as_bytes()),
                "{v} + {f}"
            );
        }
    }

    #[test]
    fn human_sizes() {
        assert_eq!(human_size(1), "1B");
        assert_eq!(human_size(1024), "1K");
        assert_eq!(human_size(1536), "1.5K");
        assert_eq!(human_size(252 << 30), "252G");
        assert_eq!(human_size((1 << 30) - 1), "1024M");
        assert_eq!(human_size(80_000_000_000), "74.5G");
        assert_eq!(human_size(24_684_084 * 1024), "23.5G");
        assert_eq!(human_size(76_501_303_296), "71.2G");
        assert_eq!(human_size((1 << 30) - (1 << 20)), "1023M");
        assert_eq!(human_size((1u64 << 30) * 2 - (1 << 24)), "2G");
    }

    #[test]
    fn tags_and_classes() {
        assert_eq!(tag(b"UUID=ab"), Some(("UUID", &b"ab"[..])));
        assert_eq!(tag(b"LABEL=\"x y\""), Some(("LABEL", &b"x y"[..])));
        assert_eq!(tag(b"/dev/sda"), None);
        assert!(is_pseudo(b"tmpfs") && !is_pseudo(b"ext4"));
        assert!(is_net(b"nfs4") && is_net(b"fuse.sshfs") && !is_net(b"ext4"));
        assert_eq!(unhexmangle(b"a\\x20b\\x2fc"), b"a b/c");
        let (v, f) = split_fstab_options(b"defaults,noatime,errors=remount-ro,x-foo,nofail");
        assert_eq!(
            (&v[..], &f[..]),
            (&b"noatime"[..], &b"errors=remount-ro"[..])
        );
    }
}
