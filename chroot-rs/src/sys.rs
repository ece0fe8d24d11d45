//! Every system call chroot makes, traced (`ROOTBOX_TRACE=1`) and wrapped with GNU's
//! context for its error message.

use std::ffi::OsStr;
use std::io::Read;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;

use anyhow::Context;
use nix::fcntl::{OFlag, OpenHow, ResolveFlag};
use nix::sys::stat::Mode;
use nix::unistd::{Gid, Uid};

use common::trace;

use crate::NAME;
use crate::creds::{Creds, Db};
use crate::quote::{quoteaf, utf8_locale};

/// Whether NEWROOT resolves to `/` (GNU compares `canonicalize_file_name(NEWROOT)` with
/// `"/"`, not device and inode, since `/` may be bind-mounted elsewhere).
pub fn is_old_root(newroot: &OsStr) -> bool {
    let real = std::fs::canonicalize(newroot);
    if trace::enabled() {
        let shown = match &real {
            Ok(path) => trace::quote(path.as_os_str().as_bytes()),
            Err(e) => trace::errno_text(nix::errno::Errno::from_raw(e.raw_os_error().unwrap_or(0))),
        };
        trace::line(
            NAME,
            &format!("realpath({}) = {shown}", trace::quote(newroot.as_bytes())),
        );
    }
    real.is_ok_and(|p| p.as_os_str() == "/")
}

/// NEWROOT's `/etc/passwd` and `/etc/group`, each resolved as if NEWROOT were `/`
/// (`RESOLVE_IN_ROOT`: an absolute symlink such as `etc/passwd -> /usr/share/passwd` stays
/// inside NEWROOT). A file that cannot be read, or is not a regular file (a FIFO would block,
/// a device could be endless), counts as empty: numeric ids still work, and a NEWROOT that
/// cannot be opened is reported by chroot(2) itself.
pub fn read_db(newroot: &OsStr) -> Db {
    let dir = trace::call(
        NAME,
        nix::fcntl::open(
            newroot,
            OFlag::O_PATH | OFlag::O_DIRECTORY | OFlag::O_CLOEXEC,
            Mode::empty(),
        ),
        || {
            format!(
                "open({}, O_PATH|O_DIRECTORY|O_CLOEXEC)",
                trace::quote(newroot.as_bytes())
            )
        },
    );
    let Ok(dir) = dir else {
        return Db::default();
    };
    Db::parse(&read_in(&dir, "etc/passwd"), &read_in(&dir, "etc/group"))
}

fn read_in(dir: &OwnedFd, path: &str) -> Vec<u8> {
    // O_NONBLOCK: opening a FIFO must not wait for a writer.
    let flags = OFlag::O_RDONLY | OFlag::O_CLOEXEC | OFlag::O_NONBLOCK;
    let how = OpenHow::new()
        .flags(flags)
        .resolve(ResolveFlag::RESOLVE_IN_ROOT | ResolveFlag::RESOLVE_NO_MAGICLINKS);
    let mut file = trace::call(NAME, nix::fcntl::openat2(dir, path, how), || {
        format!(
            "openat2({}, \"{path}\", {{O_RDONLY|O_CLOEXEC|O_NONBLOCK, \
             RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS}})",
            dir.as_raw_fd()
        )
    });
    // Kernels before 5.6 lack openat2: resolve the path plainly under NEWROOT.
    if matches!(file, Err(nix::errno::Errno::ENOSYS)) {
        file = trace::call(
            NAME,
            nix::fcntl::openat(dir, path, flags, Mode::empty()),
            || {
                format!(
                    "openat({}, \"{path}\", O_RDONLY|O_CLOEXEC|O_NONBLOCK)",
                    dir.as_raw_fd()
                )
            },
        );
    }
    let Ok(file) = file else {
        return Vec::new();
    };
    let fd = file.as_raw_fd();
    let st = nix::sys::stat::fstat(&file);
    let regular = trace::call(NAME, st.map(|_| ()), || format!("fstat({fd})"))
        .and(st)
        .is_ok_and(|st| st.st_mode & nix::libc::S_IFMT == nix::libc::S_IFREG);
    if !regular {
        return Vec::new();
    }
    let mut text = Vec::new();
    let read = std::fs::File::from(file)
        .read_to_end(&mut text)
        .map_err(|e| nix::errno::Errno::from_raw(e.raw_os_error().unwrap_or(0)));
    match trace::call(NAME, read, || format!("read({fd}, ...) until EOF")) {
        Ok(_) => text,
        Err(_) => Vec::new(),
    }
}

/// chroot(2).
pub fn chroot(newroot: &OsStr) -> common::Result<()> {
    trace::call(NAME, nix::unistd::chroot(newroot), || {
        format!("chroot({})", trace::quote(newroot.as_bytes()))
    })
    .with_context(|| {
        format!(
            "cannot change root directory to {}",
            quoteaf(newroot.as_bytes(), utf8_locale())
        )
    })?;
    Ok(())
}

/// chdir("/"), so `..` and relative paths cannot reach outside the new root.
pub fn chdir_root() -> common::Result<()> {
    trace::call(NAME, nix::unistd::chdir("/"), || "chdir(\"/\")".into())
        .context("cannot chdir to root directory")?;
    Ok(())
}

/// setgroups(2), setgid(2), setuid(2), in that order (each needs the privilege the next
/// one gives up).
pub fn set_creds(creds: &Creds) -> common::Result<()> {
    if let Some(groups) = &creds.groups {
        let gids: Vec<Gid> = groups.iter().copied().map(Gid::from_raw).collect();
        trace::call(NAME, nix::unistd::setgroups(&gids), || {
            let list: Vec<String> = groups.iter().map(u32::to_string).collect();
            format!("setgroups({}, [{}])", groups.len(), list.join(", "))
        })
        .context("failed to set supplemental groups")?;
    }
    if let Some(gid) = creds.gid {
        trace::call(NAME, nix::unistd::setgid(Gid::from_raw(gid)), || {
            format!("setgid({gid})")
        })
        .context("failed to set group-ID")?;
    }
    if let Some(uid) = creds.uid {
        trace::call(NAME, nix::unistd::setuid(Uid::from_raw(uid)), || {
            format!("setuid({uid})")
        })
        .context("failed to set user-ID")?;
    }
    Ok(())
}

/// A warning line on stderr (GNU goes on after it).
pub fn warn(text: &str) {
    use std::io::Write;
    let _ = std::io::stderr().write_all(format!("{NAME}: {text}\n").as_bytes());
}
