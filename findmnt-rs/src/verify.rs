//! `--verify`: the fstab checks of util-linux `findmnt-verify.c` that need no libblkid
//! (targets, duplicate targets, sources, option classes; on-disk types are not probed).

use std::os::unix::fs::FileTypeExt;

use common::{Result, out::Out};

use crate::cols::{self, Cache};
use crate::select::streq_paths;
use crate::{Ctx, sys};

struct Report<'a> {
    out: &'a mut Out,
    verbose: bool,
    header: Option<Vec<u8>>,
    errors: usize,
    warnings: usize,
}

impl Report<'_> {
    fn line(&mut self, tag: &str, msg: &[u8]) -> Result<()> {
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
            self.line(" ", msg)
        } else {
            Ok(())
        }
    }
    fn warn(&mut self, msg: &[u8]) -> Result<()> {
        self.warnings += 1;
        self.line("W", msg)
    }
    fn error(&mut self, msg: &[u8]) -> Result<()> {
        self.errors += 1;
        self.line("E", msg)
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

/// Check every entry; exit 1 when anything was found.
pub fn run(ctx: &Ctx, _files: &[std::ffi::OsString], verbose: bool, out: &mut Out) -> Result<u8> {
    let mut r = Report {
        out,
        verbose,
        header: None,
        errors: 0,
        warnings: 0,
    };
    for (i, e) in ctx.entries.iter().enumerate() {
        r.header = Some(e.target().to_vec());
        if verbose {
            if let Some(h) = r.header.take() {
                r.out.bytes(&h)?;
                r.out.str("\n")?;
            }
        }
        let opts = cols::split_options(e.vfs_options());
        let has = |n: &[u8]| opts.iter().any(|o| cols::option_name(o) == n);
        // Only noauto makes a missing target or source harmless (not nofail).
        let lenient = has(b"noauto");
        let swap = e.fstype() == b"swap";
        let bind = has(b"bind") || has(b"rbind");
        let pseudo = cols::is_pseudo(e.fstype()) || cols::is_net(e.fstype()) || bind;
        if !swap {
            if e.target().is_empty() {
                r.error(b"undefined target (fs_file)")?;
            } else {
                let last = ctx
                    .entries
                    .iter()
                    .rposition(|x| streq_paths(x.target(), e.target()));
                if last != Some(i) {
                    r.warn(b"target specified more than once")?;
                }
                // Every later entry mounting a parent directory would hide this mount.
                for parent in later_parents(ctx, i) {
                    r.error(&cat(&[
                        b"wrong order: ",
                        e.target(),
                        b" specified before ",
                        parent,
                    ]))?;
                }
                match sys::stat(e.target()) {
                    Ok(m) if !m.is_dir() => r.error(b"target is not a directory")?,
                    Ok(_) => match cols::canonical(e.target()) {
                        Some(c) if c != e.target() => {
                            r.warn(&cat(&[b"non-canonical target path (real: ", &c, b")"]))?;
                            r.ok(b"target exists")?
                        }
                        _ => r.ok(b"target exists")?,
                    },
                    Err(err) if lenient => {
                        r.warn(&cat(&[b"unreachable target: ", strerror(&err).as_bytes()]))?
                    }
                    Err(err) => r.error(&cat(&[
                        b"unreachable on boot required target: ",
                        strerror(&err).as_bytes(),
                    ]))?,
                }
            }
        }
        let (vfs, fs, user) = classes(e.vfs_options());
        if !vfs.is_empty() {
            r.ok(&cat(&[b"VFS options: ", &vfs]))?;
        }
        if !fs.is_empty() && !swap {
            r.ok(&cat(&[b"FS options: ", &fs]))?;
        }
        if !user.is_empty() {
            r.ok(&cat(&[b"userspace options: ", &user]))?;
        }
        if pseudo {
            r.ok(&cat(&[
                b"do not check ",
                e.source(),
                b" source (pseudo/net)",
            ]))?;
            r.ok(&cat(&[
                b"do not check ",
                e.source(),
                b" FS type (pseudo/net)",
            ]))?;
            continue;
        }
        let device = match cols::tag(e.source()) {
            Some((t, v)) => match Cache::device_of(cols::tag_dir(t), v) {
                Some(d) => d.into_os_string().into_vec_bytes(),
                None => {
                    let msg = cat(&[b"unreachable on boot required source: ", e.source()]);
                    if lenient {
                        r.warn(&msg)?
                    } else {
                        r.error(&msg)?
                    }
                    continue;
                }
            },
            None => e.source().to_vec(),
        };
        match sys::stat(&device) {
            Err(err) => {
                r.warn(&cat(&[
                    b"unreachable source: ",
                    &device,
                    b": ",
                    strerror(&err).as_bytes(),
                ]))?;
                r.warn(
                    format!("cannot detect on-disk filesystem type ({})", strerror(&err))
                        .as_bytes(),
                )?;
            }
            Ok(m) if !m.file_type().is_block_device() && !swap => {
                r.warn(&cat(&[
                    b"non-bind mount source ",
                    &device,
                    b" is a directory or regular file",
                ]))?;
            }
            Ok(_) => r.ok(&cat(&[b"source ", &device, b" exists"]))?,
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

/// Targets of later entries that are parent directories of entry `i`'s target (trailing
/// slashes dropped; "/" never counts, as in findmnt-verify.c's prefix test).
fn later_parents(ctx: &Ctx, i: usize) -> Vec<&[u8]> {
    fn trim(mut t: &[u8]) -> &[u8] {
        while t.len() > 1 && t.ends_with(b"/") {
            t = &t[..t.len() - 1];
        }
        t
    }
    let mine = trim(ctx.entries[i].target());
    ctx.entries[i + 1..]
        .iter()
        .filter_map(|x| {
            let t = trim(x.target());
            (mine.starts_with(t) && mine.get(t.len()) == Some(&b'/')).then_some(t)
        })
        .collect()
}

trait IntoBytes {
    fn into_vec_bytes(self) -> Vec<u8>;
}

impl IntoBytes for std::ffi::OsString {
    fn into_vec_bytes(self) -> Vec<u8> {
        std::os::unix::ffi::OsStringExt::into_vec(self)
    }
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
