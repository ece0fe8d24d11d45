//! The system calls of pivot_root, traced (`ROOTBOX_TRACE=1`): the call itself, and the
//! look-ups that explain a failure.

use std::ffi::OsStr;
use std::os::unix::ffi::{OsStrExt, OsStringExt};
use std::path::Path;

use nix::errno::Errno;
use nix::sys::stat::SFlag;

use common::table::{self, Format};
use common::trace;

use crate::NAME;
use crate::rules::{Facts, PathFacts};

/// pivot_root(2).
pub fn pivot_root(new_root: &OsStr, put_old: &OsStr) -> nix::Result<()> {
    trace::call(NAME, nix::unistd::pivot_root(new_root, put_old), || {
        format!(
            "pivot_root({}, {})",
            trace::quote(new_root.as_bytes()),
            trace::quote(put_old.as_bytes())
        )
    })
}

/// What the rules need to explain a failure. Each look-up may fail; the rules work with
/// what is known.
pub fn facts(new_root: &OsStr, put_old: &OsStr) -> Facts {
    let path = Path::new("/proc/self/mountinfo");
    let text = table::read_live_traced(NAME, path);
    Facts {
        table: text
            .ok()
            .map(|t| table::parse(&t, Format::MountInfo).entries),
        root_id: stat(OsStr::new("/")).id,
        new_root: path_facts(new_root),
        put_old: path_facts(put_old),
        userns: userns(),
    }
}

/// Whether the caller is in a user namespace other than the initial one: only the initial
/// namespace maps the whole uid range onto itself (`0 0 4294967295`, user_namespaces(7)).
fn userns() -> Option<bool> {
    let map = std::fs::read("/proc/self/uid_map").map_err(|e| errno(&e));
    let _ = trace::call(NAME, map.as_ref().map(Vec::len).map_err(|e| *e), || {
        "read(\"/proc/self/uid_map\")".into()
    });
    let map = map.ok()?;
    let fields: Vec<&[u8]> = map
        .split(u8::is_ascii_whitespace)
        .filter(|f| !f.is_empty())
        .collect();
    Some(fields != [&b"0"[..], b"0", b"4294967295"])
}

fn path_facts(path: &OsStr) -> PathFacts {
    let real = std::fs::canonicalize(path).map_err(|e| errno(&e));
    let real = match real {
        Ok(p) => {
            trace::line(
                NAME,
                &format!(
                    "realpath({}) = {}",
                    trace::quote(path.as_bytes()),
                    trace::quote(p.as_os_str().as_bytes())
                ),
            );
            Some(p.into_os_string().into_vec())
        }
        Err(e) => {
            let _ = trace::call(NAME, Err::<(), _>(e), || {
                format!("realpath({})", trace::quote(path.as_bytes()))
            });
            None
        }
    };
    PathFacts { real, ..stat(path) }
}

fn stat(path: &OsStr) -> PathFacts {
    let st = nix::sys::stat::stat(path);
    let _ = trace::call(NAME, st.map(|_| ()), || {
        format!("stat({})", trace::quote(path.as_bytes()))
    });
    match st {
        Ok(st) => PathFacts {
            real: None,
            id: Some((st.st_dev, st.st_ino)),
            dir: Some(SFlag::from_bits_truncate(st.st_mode) & SFlag::S_IFMT == SFlag::S_IFDIR),
        },
        Err(_) => PathFacts::default(),
    }
}

fn errno(e: &std::io::Error) -> Errno {
    Errno::from_raw(e.raw_os_error().unwrap_or(0))
}
