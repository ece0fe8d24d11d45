//! Every system call unshare makes, each traced (`ROOTBOX_TRACE=1`) and wrapped with the
//! context util-linux prints (`cannot change root filesystem propagation: ...`).

use std::ffi::{CString, OsStr, OsString};
use std::io::Read;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

use anyhow::Context;
use common::{Result, trace};
use nix::errno::Errno;
use nix::fcntl::{OFlag, open};
use nix::mount::MsFlags;
use nix::sched::CloneFlags;
use nix::sys::stat::Mode;
use nix::unistd::{Gid, Uid};

use crate::NAME;

fn q(path: &OsStr) -> String {
    trace::quote(path.as_bytes())
}

/// `unshare(2)`. The error is returned bare: the caller adds the context and the hints.
pub fn unshare(flags: i32) -> nix::Result<()> {
    let result = nix::sched::unshare(CloneFlags::from_bits_retain(flags));
    trace::call(NAME, result, || {
        format!("unshare({})", common::ns::flag_names(flags))
    })
}

/// Write `data` to a /proc file in one write(2), traced as one step:
/// `write /proc/self/uid_map "0 1000 1" = 0`. `Ok(false)` when the file does not exist
/// and `missing_ok` (setgroups on kernels before 3.19).
pub fn write_proc(path: &str, data: &str, missing_ok: bool) -> Result<bool> {
    let show = |outcome: String| {
        trace::line(
            NAME,
            &format!("write {path} {} = {outcome}", trace::quote(data.as_bytes())),
        );
    };
    let fd = match open(path, OFlag::O_WRONLY | OFlag::O_CLOEXEC, Mode::empty()) {
        Ok(fd) => fd,
        Err(Errno::ENOENT) if missing_ok => {
            show(trace::errno_text(Errno::ENOENT));
            return Ok(false);
        }
        Err(errno) => {
            show(trace::errno_text(errno));
            return Err(anyhow::Error::new(errno)
                .context(format!("cannot open {path}"))
                .into());
        }
    };
    let result = match nix::unistd::write(&fd, data.as_bytes()) {
        Ok(n) if n == data.len() => Ok(()),
        Ok(_) => Err(Errno::EIO),
        Err(errno) => Err(errno),
    };
    show(match result {
        Ok(()) => "0".into(),
        Err(errno) => trace::errno_text(errno),
    });
    result.with_context(|| format!("write failed {path}"))?;
    Ok(true)
}

/// `mount(2)`, traced as strace shows it; the error is returned bare for the caller's context.
pub fn mount(
    source: &OsStr,
    target: &OsStr,
    fstype: Option<&OsStr>,
    flags: MsFlags,
) -> nix::Result<()> {
    let result = nix::mount::mount(Some(source), target, fstype, flags, None::<&OsStr>);
    trace::call(NAME, result, || {
        format!(
            "mount({}, {}, {}, {}, NULL)",
            q(source),
            q(target),
            trace::quote_opt(fstype.map(OsStrExt::as_bytes)),
            trace::flags(&flags)
        )
    })
}

/// `chroot(2)`.
pub fn chroot(dir: &OsStr) -> Result<()> {
    let result = nix::unistd::chroot(dir);
    trace::call(NAME, result, || format!("chroot({})", q(dir)))
        .with_context(|| format!("cannot change root directory to '{}'", lossy(dir)))?;
    Ok(())
}

/// `chdir(2)`.
pub fn chdir(dir: &OsStr) -> Result<()> {
    let result = nix::unistd::chdir(dir);
    trace::call(NAME, result, || format!("chdir({})", q(dir)))
        .with_context(|| format!("cannot chdir to '{}'", lossy(dir)))?;
    Ok(())
}

/// `setgroups(0, NULL)` then `setgid(gid)`: `-G` drops the supplementary groups too.
pub fn set_group(gid: u32) -> Result<()> {
    let result = nix::unistd::setgroups(&[]);
    trace::call(NAME, result, || "setgroups(0, NULL)".into()).context("setgroups failed")?;
    let result = nix::unistd::setgid(Gid::from_raw(gid));
    trace::call(NAME, result, || format!("setgid({gid})")).context("setgid failed")?;
    Ok(())
}

/// `setuid(uid)`.
pub fn set_user(uid: u32) -> Result<()> {
    let result = nix::unistd::setuid(Uid::from_raw(uid));
    trace::call(NAME, result, || format!("setuid({uid})")).context("setuid failed")?;
    Ok(())
}

/// `prctl(PR_SET_PDEATHSIG, sig)`.
pub fn set_pdeathsig(sig: nix::sys::signal::Signal) -> Result<()> {
    let result = nix::sys::prctl::set_pdeathsig(sig);
    trace::call(NAME, result, || {
        format!("prctl(PR_SET_PDEATHSIG, {})", sig.as_str())
    })
    .context("prctl failed")?;
    Ok(())
}

/// A pipe, both ends close-on-exec; `nonblock` for the read end's liveness check.
pub fn pipe(nonblock: bool) -> Result<(OwnedFd, OwnedFd)> {
    let mut flags = OFlag::O_CLOEXEC;
    if nonblock {
        flags |= OFlag::O_NONBLOCK;
    }
    let result = nix::unistd::pipe2(flags);
    // As strace shows it (O_NONBLOCK by name: bitflags would pick its alias O_NDELAY).
    let names = if nonblock {
        "O_NONBLOCK|O_CLOEXEC"
    } else {
        "O_CLOEXEC"
    };
    trace::line(
        NAME,
        &match &result {
            Ok((r, w)) => format!("pipe2([{}, {}], {names}) = 0", r.as_raw_fd(), w.as_raw_fd()),
            Err(errno) => format!("pipe2({names}) = {}", trace::errno_text(*errno)),
        },
    );
    Ok(result.context("pipe failed")?)
}

/// Wait for one byte on `fd`: `true` when it came, `false` on end of file (every writer
/// is gone).
pub fn wait_byte(fd: OwnedFd) -> bool {
    let mut file = std::fs::File::from(fd);
    let mut byte = [0u8; 1];
    loop {
        match file.read(&mut byte) {
            Ok(1) => return true,
            Ok(_) => return false,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(_) => return false,
        }
    }
}

/// Send one byte on `fd` and close it.
pub fn send_byte(fd: OwnedFd) -> Result<()> {
    let result = nix::unistd::write(&fd, &[6u8]);
    trace::call(NAME, result, || {
        format!("write({}, \"\\x06\", 1)", fd.as_raw_fd())
    })
    .context("failed to wake up a helper process")?;
    Ok(())
}

/// Whether the other end of the non-blocking pipe `fd` is closed (its writer died).
pub fn writer_gone(fd: &OwnedFd) -> bool {
    let mut byte = [0u8; 1];
    matches!(nix::unistd::read(fd, &mut byte), Ok(0))
}

/// `execv(path, argv)` (no PATH search), for the default shell; returns the errno.
pub fn execv(path: &OsStr, argv: &[OsString]) -> Errno {
    let (Ok(cpath), Ok(cargs)) = (
        CString::new(path.as_bytes()),
        argv.iter()
            .map(|a| CString::new(a.as_bytes()))
            .collect::<std::result::Result<Vec<CString>, _>>(),
    ) else {
        return Errno::EINVAL;
    };
    let result = nix::unistd::execv(&cpath, &cargs).map(|_| ());
    match trace::call(NAME, result, || {
        format!("execv({}, {})", q(path), trace::argv(argv))
    }) {
        Ok(()) => Errno::UnknownErrno,
        Err(errno) => errno,
    }
}

/// The mount id of the mount `path` sits on, and whether that mount is shared (it has a
/// `shared:N` tag in `/proc/self/mountinfo`), with its mount point.
pub fn mount_of(path: &Path) -> Option<(bool, Vec<u8>)> {
    let fd = open(
        path,
        OFlag::O_PATH | OFlag::O_CLOEXEC | OFlag::O_NOFOLLOW,
        Mode::empty(),
    )
    .ok()?;
    let fdinfo = std::fs::read_to_string(format!("/proc/self/fdinfo/{}", fd.as_raw_fd())).ok()?;
    let id: u64 = fdinfo
        .lines()
        .find_map(|l| l.strip_prefix("mnt_id:"))?
        .trim()
        .parse()
        .ok()?;
    let table = common::table::read_live_traced(NAME, Path::new("/proc/self/mountinfo")).ok()?;
    let entry = table
        .split(|&b| b == b'\n')
        .filter_map(common::table::parse_mountinfo)
        .find(|e| e.id == id)?;
    Some((entry.is_shared(), entry.target().to_vec()))
}

fn lossy(s: &OsStr) -> String {
    common::usage::lossy(s)
}

/// `ioctl(fd, NS_GET_MNTNS_ID)` on `/proc/self/ns/mnt`: the id the kernel orders mount
/// namespaces by (Linux 6.8+); `None` where the kernel has no such request.
#[allow(unsafe_code)]
pub fn mount_ns_id() -> Option<u64> {
    /// `_IOR(NSIO, 0x5, __u64)` from `<linux/nsfs.h>`; glibc's ioctl takes the request as
    /// unsigned long, musl's as int (the same 32 bits), hence the `as _` below.
    const NS_GET_MNTNS_ID: u32 = 0x8008_b705;
    let fd = open(
        "/proc/self/ns/mnt",
        OFlag::O_RDONLY | OFlag::O_CLOEXEC,
        Mode::empty(),
    )
    .ok()?;
    let mut id: u64 = 0;
    // SAFETY: the request writes one u64 through the pointer, which points at `id`.
    let rc = unsafe {
        nix::libc::ioctl(
            fd.as_raw_fd(),
            NS_GET_MNTNS_ID as _,
            std::ptr::addr_of_mut!(id),
        )
    };
    let result = Errno::result(rc).map(|_| ());
    trace::call(NAME, result, || {
        format!("ioctl({}, NS_GET_MNTNS_ID, [{id}])", fd.as_raw_fd())
    })
    .ok()
    .map(|()| id)
}

/// The CPUs this process may run on, and a way to put it back.
pub fn affinity() -> Option<nix::sched::CpuSet> {
    nix::sched::sched_getaffinity(nix::unistd::Pid::from_raw(0)).ok()
}

/// Run on `cpus` only.
pub fn set_affinity(cpus: &nix::sched::CpuSet) -> nix::Result<()> {
    let result = nix::sched::sched_setaffinity(nix::unistd::Pid::from_raw(0), cpus);
    trace::call(NAME, result, || {
        let set: Vec<String> = (0..nix::sched::CpuSet::count())
            .filter(|&cpu| cpus.is_set(cpu).unwrap_or(false))
            .map(|cpu| cpu.to_string())
            .collect();
        format!("sched_setaffinity(0, [{}])", set.join(" "))
    })
}

/// The online CPUs (`/sys/devices/system/cpu/online`).
pub fn online_cpus() -> Vec<usize> {
    let text = std::fs::read_to_string("/sys/devices/system/cpu/online").unwrap_or_default();
    cpu_list(&text)
}

/// A kernel CPU list (`0-3,6`), at most `CpuSet::count()` CPUs.
pub fn cpu_list(text: &str) -> Vec<usize> {
    text.trim()
        .split(',')
        .filter_map(|part| {
            let (a, b) = part.split_once('-').unwrap_or((part, part));
            Some(a.parse::<usize>().ok()?..=b.parse::<usize>().ok()?)
        })
        .flatten()
        .take(nix::sched::CpuSet::count())
        .collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn cpu_lists() {
        assert_eq!(super::cpu_list("0-3,6\n"), [0, 1, 2, 3, 6]);
        assert_eq!(super::cpu_list("0"), [0]);
        assert_eq!(super::cpu_list(""), [] as [usize; 0]);
        assert_eq!(super::cpu_list("x,2"), [2]);
        assert_eq!(
            super::cpu_list("0-4294967295").len(),
            nix::sched::CpuSet::count()
        );
    }
}
