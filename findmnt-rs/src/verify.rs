//! `--verify`: the checks of util-linux 2.38 `findmnt-verify.c`, in its order and words, on
//! the entries the selection picks (all of them unless `-T`, `-M`, `-t`, ... say otherwise):
//! per entry the order of the table (whole tables only), then target, options, source,
//! filesystem type and fsck pass, or for a swap area its `discard=` and `pri=` options.
//!
//! On-disk filesystem types are not probed (no libblkid): a source that cannot be opened is
//! reported with the reason, as util-linux reports it, and one that is a directory or a
//! character device with "Invalid argument", as libblkid refuses it; a block device or file
//! that opens is not checked further.

use std::fs::Metadata;
use std::os::unix::fs::FileTypeExt;

use common::table::Index;
use common::{Result, out::Out};

use crate::cols::{self, Cache};
use crate::select::{Selection, match_fstype};
use crate::{Ctx, sys};

/// The settings of a check run.
pub struct Settings {
    /// `--verbose`: also print what is fine.
    pub verbose: bool,
    /// `-C`: compare paths as written, resolve no tags.
    pub nocache: bool,
    /// `-f`.
    pub first_only: bool,
}

/// The report of one entry: the target line comes before its first message.
struct Report<'a> {
    out: &'a mut Out,
    verbose: bool,
    header: Option<Vec<u8>>,
    errors: usize,
    warnings: usize,
}

impl Report<'_> {
    fn line(&mut self, tag: char, msg: &[u8]) -> Result<()> {
        if let Some(h) = self.header.take() {
            self.out.bytes(&h)?;
            self.out.str("\n")?;
        }
        self.out.str(&format!("   [{tag}] "))?;
        self.out.bytes(msg)?;
        self.out.str("\n")
    }
    fn ok(&mut self, msg: &[u8]) -> Result<()> {
        if self.verbose {
            self.line(' ', msg)?;
        }
        Ok(())
    }
    fn warn(&mut self, msg: &[u8]) -> Result<()> {
        self.warnings += 1;
        self.line('W', msg)
    }
    fn error(&mut self, msg: &[u8]) -> Result<()> {
        self.errors += 1;
        self.line('E', msg)
    }
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

fn strerror(e: &std::io::Error) -> String {
    common::error::render(&anyhow::Error::new(std::io::Error::from_raw_os_error(
        e.raw_os_error().unwrap_or(0),
    )))
}

/// One entry's options, as libmount answers `mnt_fs_get_option`.
struct Options<'a> {
    all: &'a [u8],
    items: Vec<&'a [u8]>,
}

impl<'a> Options<'a> {
    fn new(all: &'a [u8]) -> Options<'a> {
        Options {
            all,
            items: cols::split_options(all),
        }
    }

    fn has(&self, name: &[u8]) -> bool {
        self.items.iter().any(|o| cols::option_name(o) == name)
    }

    /// The value of option `name` as libmount hands it to findmnt-verify.c: a pointer into
    /// the option string, so printing it with `%s` shows the rest of the string too.
    fn value(&self, name: &[u8]) -> Option<(&'a [u8], &'a [u8])> {
        let item = self
            .items
            .iter()
            .find(|o| cols::option_name(o) == name && o.len() > name.len())?;
        let value = &item[name.len() + 1..];
        let start = value.as_ptr() as usize - self.all.as_ptr() as usize;
        Some((value, &self.all[start..]))
    }
}

/// Check the selected entries; exit 1 when there was an error or a parse error.
pub fn run(
    ctx: &Ctx,
    sel: &mut Selection,
    index: &Index,
    s: &Settings,
    out: &mut Out,
) -> Result<u8> {
    let mut r = Report {
        out,
        verbose: s.verbose,
        header: None,
        errors: 0,
        warnings: 0,
    };
    // The table order is checked for whole tables only, on targets resolved once each.
    let resolved_targets: Vec<Vec<u8>> = if sel.is_listall() {
        ctx.entries
            .iter()
            .map(|e| match e.target() {
                b"" => Vec::new(),
                t => resolved(t, s.nocache),
            })
            .collect()
    } else {
        Vec::new()
    };
    let supported = supported_filesystems();
    // Always forward: findmnt-verify.c makes its own iterator (`-d` does not apply).
    let picked = sel
        .matching_lines(ctx, index, false, false, s.first_only)
        .unwrap_or_default();
    for p in picked {
        let i = p.entry;
        let e = &ctx.entries[i];
        r.header = Some(e.target().to_vec());
        let opts = Options::new(e.vfs_options());
        if !resolved_targets.is_empty() {
            order(&resolved_targets, i, &mut r)?;
        }
        if e.fstype() == b"swap" {
            swaparea(&opts, &mut r)?;
        } else {
            target(e.target(), &opts, s.nocache, &mut r)?;
            options(ctx, i, &mut r)?;
        }
        source(e.source(), e.fstype(), &opts, s.nocache, &mut r)?;
        let no_fsck = fstype(e.source(), e.fstype(), &supported, &mut r)?;
        if e.target() == b"/" && e.passno != 1 && !no_fsck {
            r.warn(
                format!("recommended root FS passno is 1 (current is {})", e.passno).as_bytes(),
            )?;
        }
    }
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    if r.errors + r.warnings + ctx.bad_lines == 0 {
        r.out.str("Success, no errors or warnings detected\n")?;
        return Ok(0);
    }
    let summary = format!(
        "{}, {}, {}",
        plural(ctx.bad_lines, "parse error", "parse errors"),
        plural(r.errors, "error", "errors"),
        plural(r.warnings, "warning", "warnings")
    );
    r.out.flush()?;
    let _ = std::io::Write::write_all(&mut std::io::stderr(), format!("\n{summary}\n").as_bytes());
    // Warnings alone do not fail the check (findmnt-verify.c).
    Ok(u8::from(r.errors + ctx.bad_lines > 0))
}

/// A target as libmount resolves it: its canonical path, or the path as written when that
/// fails (or with `-C`).
fn resolved(target: &[u8], nocache: bool) -> Vec<u8> {
    if nocache {
        return target.to_vec();
    }
    cols::canonical(target).unwrap_or_else(|| target.to_vec())
}

/// `verify_order`: every later entry on the same target, or on a parent directory of it
/// (which would hide this mount), compared as plain string prefixes of the `targets` as
/// resolved (empty for an entry without one).
fn order(targets: &[Vec<u8>], i: usize, r: &mut Report<'_>) -> Result<()> {
    let Some(mine) = targets.get(i).filter(|t| !t.is_empty()) else {
        return Ok(());
    };
    for other in &targets[i + 1..] {
        if other.is_empty() || !mine.starts_with(other) {
            continue;
        }
        match mine.get(other.len()) {
            None => r.warn(b"target specified more than once")?,
            Some(b'/') => r.error(&cat(&[
                b"wrong order: ",
                mine,
                b" specified before ",
                other,
            ]))?,
            Some(_) => {}
        }
    }
    Ok(())
}

/// `verify_target`.
fn target(target: &[u8], opts: &Options<'_>, nocache: bool, r: &mut Report<'_>) -> Result<()> {
    if target.is_empty() {
        return r.error(b"undefined target (fs_file)");
    }
    let real = resolved(target, nocache);
    if real != target {
        r.warn(&cat(&[b"non-canonical target path (real: ", &real, b")"]))?;
    }
    match sys::stat(&real) {
        // Only noauto makes a missing target harmless at boot (not nofail).
        Err(err) if opts.has(b"noauto") => {
            r.warn(&cat(&[b"unreachable target: ", strerror(&err).as_bytes()]))
        }
        Err(err) => r.error(&cat(&[
            b"unreachable on boot required target: ",
            strerror(&err).as_bytes(),
        ])),
        Ok(m) if !m.is_dir() && !opts.has(b"bind") => r.error(b"target is not a directory"),
        Ok(_) => r.ok(b"target exists"),
    }
}

/// `verify_options`: the option classes, shown with `--verbose`.
fn options(ctx: &Ctx, i: usize, r: &mut Report<'_>) -> Result<()> {
    let e = &ctx.entries[i];
    let (vfs, fs, user) = if ctx.kernel {
        (
            e.vfs_options().to_vec(),
            e.fs_options().to_vec(),
            Vec::new(),
        )
    } else {
        classes(e.vfs_options())
    };
    if !vfs.is_empty() {
        r.ok(&cat(&[b"VFS options: ", &vfs]))?;
    }
    if !fs.is_empty() {
        r.ok(&cat(&[b"FS options: ", &fs]))?;
    }
    if !user.is_empty() {
        r.ok(&cat(&[b"userspace options: ", &user]))?;
    }
    Ok(())
}

/// A pseudo or network filesystem: its source and type are not checked.
fn pseudo_or_net(fstype: &[u8]) -> bool {
    cols::is_pseudo(fstype) || cols::is_net(fstype)
}

/// `verify_source`: a tag must name a device; a path should exist and be a block device,
/// unless the mount is a bind mount or the filesystem needs no device.
fn source(
    spec: &[u8],
    fstype: &[u8],
    opts: &Options<'_>,
    nocache: bool,
    r: &mut Report<'_>,
) -> Result<()> {
    let path = match cols::tag(spec) {
        Some((name, value)) => {
            let device = if nocache {
                None
            } else {
                Cache::device_of(cols::tag_dir(name), value)
            };
            let Some(device) = device else {
                let shown = cat(&[name.as_bytes(), b"=", value]);
                return if opts.has(b"noauto") {
                    r.warn(&cat(&[b"unreachable: ", &shown]))
                } else {
                    r.error(&cat(&[b"unreachable on boot required source: ", &shown]))
                };
            };
            let device = device.into_os_string().into_encoded_bytes();
            r.ok(&cat(&[spec, b" translated to ", &device]))?;
            device
        }
        // NAME=value that libmount does not know as a tag, naming no file (blkid would
        // parse it as one).
        None if spec.contains(&b'=') && sys::stat(spec).is_err() => {
            return r.error(&cat(&[b"unsupported source tag: ", spec]));
        }
        None => spec.to_vec(),
    };
    let bind = opts.has(b"bind");
    if pseudo_or_net(fstype) {
        return r.ok(&cat(&[b"do not check ", &path, b" source (pseudo/net)"]));
    }
    match sys::stat(&path) {
        Err(err) => r.warn(&cat(&[
            b"unreachable source: ",
            &path,
            b": ",
            strerror(&err).as_bytes(),
        ])),
        Ok(m) if (m.is_dir() || m.is_file()) && !bind => r.warn(&cat(&[
            b"non-bind mount source ",
            &path,
            b" is a directory or regular file",
        ])),
        Ok(m) if !m.file_type().is_block_device() && !bind => {
            r.warn(&cat(&[b"source ", &path, b" is not a block device"]))
        }
        Ok(_) => r.ok(&cat(&[b"source ", &path, b" exists"])),
    }
}

/// `verify_fstype`: the type should be one the kernel supports, and the source should hold
/// it (here: should open). Returns whether the type needs no fsck (xfs, btrfs).
fn fstype(spec: &[u8], fstype: &[u8], supported: &[Vec<u8>], r: &mut Report<'_>) -> Result<bool> {
    let src = match cols::tag(spec) {
        Some((name, value)) => match Cache::device_of(cols::tag_dir(name), value) {
            Some(d) => d.into_os_string().into_encoded_bytes(),
            None => return Ok(false),
        },
        None if spec.is_empty() => return Ok(false),
        None => cols::canonical(spec).unwrap_or_else(|| spec.to_vec()),
    };
    if pseudo_or_net(fstype) {
        r.ok(&cat(&[b"do not check ", &src, b" FS type (pseudo/net)"]))?;
        return Ok(false);
    }
    let auto = fstype == b"auto";
    let no_fsck = fstype == b"xfs" || fstype == b"btrfs";
    if !fstype.is_empty()
        && fstype != b"swap"
        && !auto
        && fstype != b"none"
        && !supported.iter().any(|s| match_fstype(s, fstype))
    {
        r.warn(&cat(&[fstype, b" seems unsupported by the current kernel"]))?;
    }
    if let Err(reason) = sys::open_device(&src).and_then(|m| probeable(&m)) {
        let msg = format!(
            "cannot detect on-disk filesystem type ({})",
            strerror(&reason)
        );
        if auto {
            r.error(msg.as_bytes())?;
        } else {
            r.warn(msg.as_bytes())?;
        }
    }
    Ok(no_fsck)
}

/// libblkid probes block devices and regular files; anything else it refuses with EINVAL.
fn probeable(m: &Metadata) -> std::io::Result<()> {
    if m.file_type().is_block_device() || m.is_file() {
        Ok(())
    } else {
        Err(std::io::Error::from_raw_os_error(nix::libc::EINVAL))
    }
}

/// `verify_swaparea`: `discard=` takes `once` or `pages`, `pri=` a number.
fn swaparea(opts: &Options<'_>, r: &mut Report<'_>) -> Result<()> {
    if let Some((value, rest)) = opts.value(b"discard") {
        if !b"once".starts_with(value) && !b"pages".starts_with(value) {
            r.error(&cat(&[b"unsupported swaparea discard policy: ", rest]))?;
        }
    }
    if let Some((value, _)) = opts.value(b"pri") {
        let digits = value.strip_prefix(b"-").unwrap_or(value);
        if !digits.iter().all(u8::is_ascii_digit) {
            r.error(b"failed to parse swaparea priority option")?;
        }
    }
    Ok(())
}

/// The filesystem types the kernel has or can load: `/proc/filesystems`, then the modules
/// under `kernel/fs/` (not `nls`) in `/lib/modules/RELEASE/modules.dep`.
fn supported_filesystems() -> Vec<Vec<u8>> {
    let mut names: Vec<Vec<u8>> = Vec::new();
    if let Some(text) = sys::read_file(b"/proc/filesystems") {
        for line in text.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
            let name = line
                .rsplit(|&b| b == b'\t' || b == b' ')
                .next()
                .unwrap_or(line);
            names.push(name.to_vec());
        }
    }
    let release = sys::read_file(b"/proc/sys/kernel/osrelease").unwrap_or_default();
    let release = release.trim_ascii_end();
    let path = cat(&[b"/lib/modules/", release, b"/modules.dep"]);
    if let Some(text) = sys::read_file(&path) {
        for line in text.split(|&b| b == b'\n') {
            if !line.starts_with(b"kernel/fs/") || line.starts_with(b"kernel/fs/nls/") {
                continue;
            }
            let Some(module) = line.split(|&b| b == b':').next() else {
                continue;
            };
            let file = module.rsplit(|&b| b == b'/').next().unwrap_or(module);
            if let Some(at) = file.windows(3).position(|w| w == b".ko") {
                names.push(file[..at].to_vec());
            }
        }
    }
    names
}

/// An fstab option string split into (VFS, FS, userspace) options.
fn classes(all: &[u8]) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let (vfs, fs) = cols::split_fstab_options(all);
    let mut user = Vec::new();
    for o in cols::split_options(all) {
        if cols::is_user_option(cols::option_name(o)) && o != b"defaults" {
            if !user.is_empty() {
                user.push(b',');
            }
            user.extend_from_slice(o);
        }
    }
    (vfs, fs, user)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn option_values_point_into_the_string() {
        let o = Options::new(b"sw,discard=foo,pri=abc");
        assert_eq!(
            o.value(b"discard"),
            Some((&b"foo"[..], &b"foo,pri=abc"[..]))
        );
        assert_eq!(o.value(b"pri"), Some((&b"abc"[..], &b"abc"[..])));
        assert_eq!(o.value(b"sw"), None);
        assert!(o.has(b"sw") && !o.has(b"discard=foo"));
    }
}
