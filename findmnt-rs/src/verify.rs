//! `--verify`: the fstab checks of util-linux `findmnt-verify.c` that need no libblkid
//! (targets, duplicate targets, sources, option classes; on-disk types are not probed).

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::FileTypeExt;

use common::{Result, out::Out};

use crate::Ctx;
use crate::cols::{self, Cache};
use crate::select::streq_paths;

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
        r.header = Some(e.target.clone());
        if verbose {
            if let Some(h) = r.header.take() {
                r.out.bytes(&h)?;
                r.out.str("\n")?;
            }
        }
        let opts = cols::split_options(&e.vfs_options);
        let has = |n: &[u8]| opts.iter().any(|o| cols::option_name(o) == n);
        let lenient = has(b"noauto") || has(b"nofail");
        let swap = e.fstype == b"swap";
        let pseudo = cols::is_pseudo(&e.fstype) || cols::is_net(&e.fstype);
        if !swap {
            if e.target.is_empty() {
                r.error(b"undefined target (fs_file)")?;
            } else {
                let last = ctx
                    .entries
                    .iter()
                    .rposition(|x| streq_paths(&x.target, &e.target));
                if last != Some(i) {
                    r.warn(b"target specified more than once")?;
                }
                match std::fs::metadata(OsStr::from_bytes(&e.target)) {
                    Ok(m) if !m.is_dir() => r.warn(b"target is not a directory")?,
                    Ok(_) => match cols::canonical(&e.target) {
                        Some(c) if c != e.target => {
                            r.warn(&cat(&[b"non-canonical target path (real: ", &c, b")"]))?
                        }
                        _ => r.ok(b"target exists")?,
                    },
                    Err(err) => {
                        let msg = cat(&[
                            b"unreachable on boot required target: ",
                            strerror(&err).as_bytes(),
                        ]);
                        if lenient {
                            r.warn(&msg)?
                        } else {
                            r.error(&msg)?
                        }
                    }
                }
            }
        }
        let (vfs, fs, user) = classes(&e.vfs_options);
        if !vfs.is_empty() {
            r.ok(&cat(&[b"VFS options: ", &vfs]))?;
        }
        if !fs.is_empty() {
            r.ok(&cat(&[b"FS options: ", &fs]))?;
        }
        if !user.is_empty() {
            r.ok(&cat(&[b"userspace options: ", &user]))?;
        }
        if pseudo {
            r.ok(&cat(&[
                b"do not check ",
                &e.fstype,
                b" source (pseudo/net)",
            ]))?;
            r.ok(&cat(&[
                b"do not check ",
                &e.fstype,
                b" FS type (pseudo/net)",
            ]))?;
            continue;
        }
        let device = match cols::tag(&e.source) {
            Some((t, v)) => match Cache::device_of(cols::tag_dir(t), v) {
                Some(d) => d.into_os_string().into_vec_bytes(),
                None => {
                    let msg = cat(&[b"unreachable on boot required source: ", &e.source]);
                    if lenient {
                        r.warn(&msg)?
                    } else {
                        r.error(&msg)?
                    }
                    continue;
                }
            },
            None => e.source.clone(),
        };
        match std::fs::metadata(OsStr::from_bytes(&device)) {
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
            Ok(m) if !m.file_type().is_block_device() && !has(b"bind") && !swap => {
                r.warn(&cat(&[b"source ", &device, b" is not a block device"]))?;
            }
            Ok(_) => r.ok(&cat(&[b"source ", &device, b" exists"]))?,
        }
    }
    let plural =
        |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
    let summary = if r.errors + r.warnings == 0 {
        "Success, no errors or warnings detected".to_string()
    } else {
        format!(
            "{}, {}, {}",
            plural(ctx.bad_lines, "parse error", "parse errors"),
            plural(r.errors, "error", "errors"),
            plural(r.warnings, "warning", "warnings")
        )
    };
    r.out.flush()?;
    let _ = std::io::Write::write_all(&mut std::io::stderr(), format!("\n{summary}\n").as_bytes());
    Ok(u8::from(r.errors + r.warnings + ctx.bad_lines > 0))
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
