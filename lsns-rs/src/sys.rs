//! What lsns reads from the system: /proc, the nsfs ioctls (nix lacks them), the netlink
//! query for a network namespace's id, the mount table, user names, the terminal.
//! Every system call is traced (`ROOTBOX_TRACE=1`); a directory listing is one step.

use std::ffi::OsStr;
use std::os::fd::{AsRawFd, BorrowedFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;

use nix::errno::Errno;
use nix::fcntl::{OFlag, open};
use nix::libc;
use nix::sys::socket::{
    AddressFamily, MsgFlags, SockFlag, SockProtocol, SockType, recv, send, socket,
};
use nix::sys::stat::{Mode, fstat};

use common::trace;

use crate::NAME;

/// The errno of an I/O error, for the trace.
fn errno(e: &std::io::Error) -> Errno {
    Errno::from_raw(e.raw_os_error().unwrap_or(0))
}

/// A whole file, traced (open, reads, close), or `None` when it cannot be read (a process
/// that vanished, another user's).
fn read(path: &str) -> Option<Vec<u8>> {
    common::table::read_traced(NAME, std::path::Path::new(path)).ok()
}

/// The pids in /proc, ascending.
pub fn pids() -> std::io::Result<Vec<i32>> {
    let listed: std::io::Result<Vec<std::ffi::OsString>> =
        std::fs::read_dir("/proc").and_then(|rd| rd.map(|e| e.map(|e| e.file_name())).collect());
    let shown = listed.as_ref().map(Vec::len).map_err(errno);
    let _ = trace::call(NAME, shown, || "readdir(\"/proc\")".to_string());
    let mut pids: Vec<i32> = listed?
        .iter()
        .filter_map(|name| {
            let b = name.as_bytes();
            if b.is_empty() || !b.iter().all(u8::is_ascii_digit) {
                return None;
            }
            std::str::from_utf8(b).ok()?.parse().ok()
        })
        .collect();
    pids.sort_unstable();
    Ok(pids)
}

/// The owner of /proc/PID.
pub fn proc_uid(pid: i32) -> Option<u32> {
    let path = format!("/proc/{pid}");
    let result = nix::sys::stat::stat(path.as_str());
    trace::call(NAME, result.map(|_| ()), || {
        format!("stat({})", trace::quote(path.as_bytes()))
    })
    .ok()?;
    result.ok().map(|st| st.st_uid)
}

/// The parent pid from /proc/PID/stat (the command name may hold spaces and parens: the
/// fields after it start after the last `)`).
pub fn proc_stat(pid: i32) -> Option<i32> {
    let text = read(&format!("/proc/{pid}/stat"))?;
    let close = text.iter().rposition(|&b| b == b')')?;
    let mut fields = text[close + 1..]
        .split(|&b| b == b' ')
        .filter(|f| !f.is_empty());
    let _state = fields.next()?;
    let ppid = fields.next()?;
    std::str::from_utf8(ppid).ok()?.parse().ok()
}

/// The command line as util-linux shows it: at most 8191 bytes, NULs as spaces, the
/// final byte (the terminating NUL) dropped; the command name when there is none
/// (kernel threads).
pub fn command(pid: i32) -> Vec<u8> {
    let cmdline = read(&format!("/proc/{pid}/cmdline"));
    if let Some(mut buf) = cmdline.filter(|b| !b.is_empty()) {
        buf.truncate(8192);
        buf.pop();
        for b in &mut buf {
            if *b == 0 {
                *b = b' ';
            }
        }
        return buf;
    }
    let mut comm = read(&format!("/proc/{pid}/comm")).unwrap_or_default();
    if comm.last() == Some(&b'\n') {
        comm.pop();
    }
    comm
}

/// The inode number of /proc/PID/ns/NAME (or any namespace file).
pub fn ns_inode(path: &str) -> nix::Result<u64> {
    let result = nix::sys::stat::stat(path);
    trace::call(NAME, result.map(|_| ()), || {
        format!("stat({})", trace::quote(path.as_bytes()))
    })?;
    result.map(|st| st.st_ino)
}

/// `open(path, O_RDONLY|O_CLOEXEC)`.
pub fn open_ro(path: &OsStr) -> nix::Result<OwnedFd> {
    let result = open(path, OFlag::O_RDONLY | OFlag::O_CLOEXEC, Mode::empty());
    trace::call(NAME, result, || {
        format!(
            "open({}, O_RDONLY|O_CLOEXEC)",
            trace::quote(path.as_bytes())
        )
    })
}

/// The inode number of an open namespace.
pub fn fd_inode(fd: &OwnedFd) -> nix::Result<u64> {
    fstat(fd).map(|st| st.st_ino)
}

/// An nsfs ioctl that returns a new namespace fd: `NS_GET_PARENT` or `NS_GET_USERNS`
/// (ioctl_ns(2)).
fn ns_fd_ioctl(fd: BorrowedFd<'_>, request: libc::Ioctl, name: &str) -> nix::Result<OwnedFd> {
    #[allow(unsafe_code)]
    // SAFETY: these nsfs ioctls take no argument and return a new fd or -1; nix lacks them.
    let ret = unsafe { libc::ioctl(fd.as_raw_fd(), request) };
    let result = Errno::result(ret).map(|fd| {
        #[allow(unsafe_code)]
        // SAFETY: the kernel returned a new fd (O_CLOEXEC, ioctl_ns(2)) that only we own.
        unsafe {
            OwnedFd::from_raw_fd(fd)
        }
    });
    trace::call(NAME, result, || {
        format!("ioctl({}, {name})", fd.as_raw_fd())
    })
}

/// `NS_GET_PARENT`: the parent of a pid or user namespace.
pub fn ns_parent(fd: BorrowedFd<'_>) -> nix::Result<OwnedFd> {
    ns_fd_ioctl(fd, libc::NS_GET_PARENT, "NS_GET_PARENT")
}

/// `NS_GET_USERNS`: the user namespace that owns a namespace.
pub fn ns_owner(fd: BorrowedFd<'_>) -> nix::Result<OwnedFd> {
    ns_fd_ioctl(fd, libc::NS_GET_USERNS, "NS_GET_USERNS")
}

/// `NS_GET_NSTYPE`: the `CLONE_NEW*` flag of a namespace.
pub fn ns_type(fd: BorrowedFd<'_>) -> nix::Result<i32> {
    #[allow(unsafe_code)]
    // SAFETY: NS_GET_NSTYPE takes no argument and returns an integer or -1.
    let ret = unsafe { libc::ioctl(fd.as_raw_fd(), libc::NS_GET_NSTYPE) };
    trace::call(NAME, Errno::result(ret), || {
        format!("ioctl({}, NS_GET_NSTYPE)", fd.as_raw_fd())
    })
}

/// `NS_GET_OWNER_UID`: the uid that created a user namespace (in ours).
pub fn ns_owner_uid(fd: BorrowedFd<'_>) -> nix::Result<u32> {
    let mut uid: libc::uid_t = 0;
    #[allow(unsafe_code)]
    // SAFETY: NS_GET_OWNER_UID writes one uid_t through the valid pointer we pass.
    let ret = unsafe {
        libc::ioctl(
            fd.as_raw_fd(),
            libc::NS_GET_OWNER_UID,
            std::ptr::from_mut(&mut uid),
        )
    };
    let result = Errno::result(ret).map(|_| Uid(uid));
    trace::call(NAME, result, || {
        format!("ioctl({}, NS_GET_OWNER_UID)", fd.as_raw_fd())
    })
    .map(|u| u.0)
}

struct Uid(u32);

impl trace::Shown for Uid {
    fn shown(&self) -> String {
        format!("0 [uid {}]", self.0)
    }
}

/// `NETNSA_NSID_NOT_ASSIGNED`: the namespace has no id in ours.
pub const NSID_NOT_ASSIGNED: i32 = -1;

/// A NETLINK_ROUTE socket that asks the kernel for network namespace ids (RTM_GETNSID,
/// rtnetlink(7)): the id a namespace has *in ours*, as `ip netns list-id` shows.
pub struct Netlink(OwnedFd);

impl Netlink {
    /// Open the socket (close-on-exec); None when the kernel refuses.
    pub fn open() -> Option<Netlink> {
        let result = socket(
            AddressFamily::Netlink,
            SockType::Raw,
            SockFlag::SOCK_CLOEXEC,
            SockProtocol::NetlinkRoute,
        );
        trace::call(NAME, result, || {
            "socket(AF_NETLINK, SOCK_RAW|SOCK_CLOEXEC, NETLINK_ROUTE)".into()
        })
        .ok()
        .map(Netlink)
    }

    /// The id of the network namespace open as `ns`, or None when the kernel says nothing.
    pub fn nsid(&self, ns: &OwnedFd) -> Option<i32> {
        let request = getnsid_request(ns.as_raw_fd());
        let sock = self.0.as_raw_fd();
        let sent = send(sock, &request, MsgFlags::empty());
        trace::call(NAME, sent, || {
            format!("send({sock}, RTM_GETNSID NETNSA_FD={})", ns.as_raw_fd())
        })
        .ok()?;
        let mut reply = [0u8; 64];
        let got = recv(sock, &mut reply, MsgFlags::empty());
        let got = trace::call(NAME, got, || format!("recv({sock})")).ok()?;
        parse_nsid_reply(reply.get(..got)?)
    }
}

const RTM_NEWNSID: u16 = 88;
const NETNSA_NSID: u16 = 1;
const NETNSA_FD: u16 = 3;
const NLM_F_REQUEST: u16 = 1;

/// nlmsghdr (16 bytes) + rtgenmsg (1 byte, padded to 4) + one rtattr carrying the fd.
fn getnsid_request(fd: i32) -> Vec<u8> {
    let mut m = Vec::with_capacity(28);
    m.extend_from_slice(&28u32.to_ne_bytes());
    m.extend_from_slice(&libc::RTM_GETNSID.to_ne_bytes());
    m.extend_from_slice(&NLM_F_REQUEST.to_ne_bytes());
    m.extend_from_slice(&0u32.to_ne_bytes()); // seq
    m.extend_from_slice(&0u32.to_ne_bytes()); // port id: the kernel's
    m.extend_from_slice(&[0, 0, 0, 0]); // AF_UNSPEC, padding
    m.extend_from_slice(&8u16.to_ne_bytes());
    m.extend_from_slice(&NETNSA_FD.to_ne_bytes());
    m.extend_from_slice(&fd.to_ne_bytes());
    m
}

/// The NETNSA_NSID of an RTM_NEWNSID reply.
fn parse_nsid_reply(reply: &[u8]) -> Option<i32> {
    let u16_at = |i: usize| Some(u16::from_ne_bytes(reply.get(i..i + 2)?.try_into().ok()?));
    let u32_at = |i: usize| Some(u32::from_ne_bytes(reply.get(i..i + 4)?.try_into().ok()?));
    let len = usize::try_from(u32_at(0)?).ok()?;
    if len > reply.len() || len < 28 || u16_at(4)? != RTM_NEWNSID {
        return None;
    }
    let rta_len = usize::from(u16_at(20)?);
    if rta_len < 8 || u16_at(22)? != NETNSA_NSID {
        return None;
    }
    Some(i32::from_ne_bytes(reply.get(24..28)?.try_into().ok()?))
}

/// The mount table of our mount namespace (for persisted namespaces and NSFS).
pub fn mount_table() -> std::io::Result<common::table::Table> {
    let text = common::table::read_live_traced(NAME, std::path::Path::new("/proc/self/mountinfo"))?;
    Ok(common::table::parse(
        &text,
        common::table::Format::MountInfo,
    ))
}

/// User names by uid, from /etc/passwd (works in a static binary).
pub fn user_names() -> Vec<(u32, Vec<u8>)> {
    let text = read("/etc/passwd").unwrap_or_default();
    common::passwd::users(&text)
        .map(|user| (user.uid, user.name))
        .collect()
}

/// The width to fit output to when stdout is a terminal: `COLUMNS`, else the terminal's,
/// else 80 (util-linux `get_terminal_width()`); None when stdout is not a terminal.
pub fn terminal_width() -> Option<usize> {
    let stdout = std::io::stdout();
    if !nix::unistd::isatty(&stdout).unwrap_or(false) {
        return None;
    }
    if let Some(n) = std::env::var("COLUMNS")
        .ok()
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|&n| n > 0)
    {
        return Some(n);
    }
    let mut size = libc::winsize {
        ws_row: 0,
        ws_col: 0,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    #[allow(unsafe_code)]
    // SAFETY: TIOCGWINSZ writes one winsize through the valid pointer we pass.
    let ret = unsafe {
        libc::ioctl(
            stdout.as_raw_fd(),
            libc::TIOCGWINSZ,
            std::ptr::from_mut(&mut size),
        )
    };
    Some(if ret == 0 && size.ws_col > 0 {
        usize::from(size.ws_col)
    } else {
        80
    })
}

/// Whether the locale's charset is UTF-8 (`LC_ALL`, `LC_CTYPE`, `LANG`, the first set).
pub fn utf8_locale() -> bool {
    ["LC_ALL", "LC_CTYPE", "LANG"]
        .iter()
        .find_map(|k| std::env::var_os(k).filter(|v| !v.is_empty()))
        .is_some_and(|v| {
            let v = v.to_string_lossy().to_ascii_lowercase();
            v.contains("utf-8") || v.contains("utf8")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn netlink_messages() {
        let req = getnsid_request(7);
        assert_eq!(req.len(), 28);
        assert_eq!(&req[4..6], &90u16.to_ne_bytes());
        assert_eq!(&req[24..28], &7i32.to_ne_bytes());
        let mut reply = vec![0u8; 28];
        reply[0..4].copy_from_slice(&28u32.to_ne_bytes());
        reply[4..6].copy_from_slice(&RTM_NEWNSID.to_ne_bytes());
        reply[20..22].copy_from_slice(&8u16.to_ne_bytes());
        reply[22..24].copy_from_slice(&NETNSA_NSID.to_ne_bytes());
        reply[24..28].copy_from_slice(&(-1i32).to_ne_bytes());
        assert_eq!(parse_nsid_reply(&reply), Some(NSID_NOT_ASSIGNED));
        reply[4..6].copy_from_slice(&2u16.to_ne_bytes()); // NLMSG_ERROR
        assert_eq!(parse_nsid_reply(&reply), None);
        assert_eq!(parse_nsid_reply(&reply[..10]), None);
    }

    #[test]
    fn own_process_is_readable() {
        let me = i32::try_from(std::process::id()).unwrap();
        assert!(pids().unwrap().contains(&me));
        assert!(proc_stat(me).is_some());
        assert!(!command(me).is_empty());
    }
}
