//! passwd(5) and group(5) files, parsed from bytes: the lookups a static binary does without
//! NSS (chroot's NEWROOT files, unshare's `--map-user=NAME`).
//!
//! Lines that do not parse are skipped, as glibc's files backend skips them: comments, NIS
//! `+`/`-` compat lines, lines without the id fields, ids that are not plain decimal u32
//! (`common::ids`). A field missing after the ids is empty.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

/// One passwd line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    /// Login name (field 1).
    pub name: Vec<u8>,
    /// User id (field 3).
    pub uid: u32,
    /// Login group id (field 4).
    pub gid: u32,
    /// Login shell (field 7), empty when absent.
    pub shell: Vec<u8>,
}

/// One group line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Group {
    /// Group name (field 1).
    pub name: Vec<u8>,
    /// Group id (field 3).
    pub gid: u32,
    /// Member login names (field 4, comma-separated; empty items dropped).
    pub members: Vec<Vec<u8>>,
}

/// The users of a passwd file, in file order.
pub fn users(text: &[u8]) -> impl Iterator<Item = User> + '_ {
    lines(text).filter_map(|f| {
        Some(User {
            name: f.first()?.to_vec(),
            uid: id(f.get(2)?)?,
            gid: id(f.get(3)?)?,
            shell: f.get(6).map(|s| s.to_vec()).unwrap_or_default(),
        })
    })
}

/// The groups of a group file, in file order.
pub fn groups(text: &[u8]) -> impl Iterator<Item = Group> + '_ {
    lines(text).filter_map(|f| {
        Some(Group {
            name: f.first()?.to_vec(),
            gid: id(f.get(2)?)?,
            members: f
                .get(3)
                .map(|m| {
                    m.split(|&b| b == b',')
                        .filter(|m| !m.is_empty())
                        .map(<[u8]>::to_vec)
                        .collect()
                })
                .unwrap_or_default(),
        })
    })
}

/// Fields of the lines that can be entries (not empty, not a comment, not NIS compat).
fn lines(text: &[u8]) -> impl Iterator<Item = Vec<&[u8]>> {
    text.split(|&b| b == b'\n')
        .filter(|l| !l.is_empty() && !matches!(l[0], b'#' | b'+' | b'-'))
        .map(|l| l.split(|&b| b == b':').collect())
}

fn id(field: &[u8]) -> Option<u32> {
    crate::ids::parse(OsStr::from_bytes(field))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn users_skip_what_does_not_parse() {
        let text = b"root:x:0:0:root:/root:/bin/bash\n# c\n+nis::::::\n-x:x:1:1::/:\n\
            bad line\nnobody:x:65534:65534::/:/usr/sbin/nologin\nbig:x:4294967296:0::/:\n\
            nogid:x:5:y::/:\nshort:x:7:8\n\n";
        let all: Vec<User> = users(text).collect();
        let names: Vec<&[u8]> = all.iter().map(|u| u.name.as_slice()).collect();
        assert_eq!(names, [&b"root"[..], b"nobody", b"short"]);
        assert_eq!((all[1].uid, all[1].gid), (65534, 65534));
        assert_eq!(all[0].shell, b"/bin/bash");
        assert_eq!(all[2].shell, b"");
    }

    #[test]
    fn groups_and_members() {
        let text = b"root:x:0:\nusers:x:100:user,,other\n#x:x:1:\nbad:x:y:\nlone:x:5\n";
        let all: Vec<Group> = groups(text).collect();
        let names: Vec<&[u8]> = all.iter().map(|g| g.name.as_slice()).collect();
        assert_eq!(names, [&b"root"[..], b"users", b"lone"]);
        assert_eq!(all[0].members, Vec::<Vec<u8>>::new());
        assert_eq!(all[1].members, [b"user".to_vec(), b"other".to_vec()]);
        assert_eq!(all[2].gid, 5);
    }
}
