//! `--userspec` and `--groups` resolved against NEWROOT's passwd and group files.
//!
//! The rules are GNU chroot's (coreutils `src/chroot.c` with gnulib `parse_user_spec`):
//! - `USER:GROUP`, `USER`, `USER:` (the user's login group), `:GROUP`; an empty part is
//!   "not given". Without a `:` but with a `.` that is not part of a user name, the `.` is
//!   taken as the separator with the warning `'.' should be ':'`.
//! - A name is looked up first, so a numeric name wins over the number, then the text is
//!   taken as an id (`common::ids`: plain decimal u32, never 4294967295).
//! - A user without a group gets its passwd entry's group; an unknown uid without a group
//!   is an error.
//! - With a user and no `--groups`, the supplementary groups are the user's groups from the
//!   group file (getgrouplist(3): the primary group first, then every group listing the
//!   user). `--groups=` (empty) clears them. setgroups(2) runs when a user or `--groups`
//!   was given.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use crate::quote::quote;

use common::passwd::{Group, User};

/// NEWROOT's user and group databases (empty when a file is missing).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Db {
    /// `/etc/passwd` entries, in file order.
    pub users: Vec<User>,
    /// `/etc/group` entries, in file order.
    pub groups: Vec<Group>,
}

impl Db {
    /// Parse the texts of passwd(5) and group(5). Lines that do not parse (comments, NIS
    /// `+`/`-` lines, bad ids) are skipped, as glibc's files backend skips them.
    pub fn parse(passwd: &[u8], group: &[u8]) -> Db {
        let users = common::passwd::users(passwd).collect();
        let groups = common::passwd::groups(group).collect();
        Db { users, groups }
    }

    fn user_named(&self, name: &[u8]) -> Option<&User> {
        self.users.iter().find(|u| u.name == name)
    }

    fn user_with_uid(&self, uid: u32) -> Option<&User> {
        self.users.iter().find(|u| u.uid == uid)
    }

    fn group_named(&self, name: &[u8]) -> Option<&Group> {
        self.groups.iter().find(|g| g.name == name)
    }

    /// getgrouplist(3): `gid` first, then every other group that lists `user`.
    fn grouplist(&self, user: &[u8], gid: u32) -> Vec<u32> {
        let mut list = vec![gid];
        for g in &self.groups {
            if g.members.iter().any(|m| m == user) && !list.contains(&g.gid) {
                list.push(g.gid);
            }
        }
        list
    }

    fn gid(&self, text: &[u8]) -> Option<u32> {
        match self.group_named(text) {
            Some(g) => Some(g.gid),
            None => common::ids::parse(OsStr::from_bytes(text)),
        }
    }
}

/// What to switch to before exec. `None` leaves the caller's value.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Creds {
    /// setuid(2) to this.
    pub uid: Option<u32>,
    /// setgid(2) to this.
    pub gid: Option<u32>,
    /// setgroups(2) to this list.
    pub groups: Option<Vec<u32>>,
    /// A warning to print (the `.` separator).
    pub warning: Option<String>,
}

/// Resolve `--userspec` and `--groups` against `db`. On failure, the message lines to
/// print (GNU reports every bad group of `--groups`, one line each); `utf8` selects the
/// quotes of those lines (see [`crate::quote`]).
pub fn resolve(
    userspec: Option<&[u8]>,
    groups: Option<&[u8]>,
    db: &Db,
    utf8: bool,
) -> Result<Creds, Vec<String>> {
    let mut creds = Creds::default();
    if let Some(spec) = userspec {
        let (uid, gid, warning) = user_spec(spec, db).map_err(|e| vec![e.to_string()])?;
        (creds.uid, creds.gid, creds.warning) = (uid, gid, warning);
    }
    // GNU prints the `.` warning before any later error.
    let warned = |mut lines: Vec<String>| {
        if let Some(warning) = &creds.warning {
            lines.insert(0, warning.clone());
        }
        lines
    };
    // The login group and the name whose groups to collect come from the uid's passwd
    // entry (getpwuid), as GNU does: `--userspec=0` finds `root`.
    let mut username = None;
    if let Some(uid) = creds.uid
        && (groups.is_none() || creds.gid.is_none())
    {
        match db.user_with_uid(uid) {
            Some(user) => {
                creds.gid = creds.gid.or(Some(user.gid));
                username = Some(user.name.as_slice());
            }
            None if creds.gid.is_none() => {
                return Err(warned(vec![format!(
                    "no group specified for unknown uid: {uid}"
                )]));
            }
            None => {}
        }
    }
    creds.groups = match (groups, creds.gid, username) {
        (Some(list), _, _) if !list.is_empty() => Some(group_list(list, db, utf8).map_err(warned)?),
        (Some(_), _, _) => Some(Vec::new()),
        (None, Some(gid), Some(user)) => Some(db.grouplist(user, gid)),
        (None, _, _) if creds.uid.is_some() => Some(Vec::new()),
        (None, _, _) => None,
    };
    Ok(creds)
}

type UserGroup = (Option<u32>, Option<u32>, Option<String>);

/// `USER:GROUP` → (uid, gid, warning). GNU chroot drops one trailing `:` first (the login
/// group is looked up anyway when no group is given), so `USER:` only stays `USER:` when it
/// was written `USER::`. Without a `:`, a spec that is not a user as a whole is retried with
/// its `.` as the separator; if that fails too, the first error stands.
fn user_spec(spec: &[u8], db: &Db) -> Result<UserGroup, &'static str> {
    let spec = spec.strip_suffix(b":").unwrap_or(spec);
    if let Some(at) = spec.iter().position(|&b| b == b':') {
        let (uid, gid) = split_spec(&spec[..at], Some(&spec[at + 1..]), db)?;
        return Ok((uid, gid, None));
    }
    match split_spec(spec, None, db) {
        Err(e) => match spec.iter().position(|&b| b == b'.') {
            Some(dot) => {
                let (uid, gid) =
                    split_spec(&spec[..dot], Some(&spec[dot + 1..]), db).map_err(|_| e)?;
                Ok((uid, gid, Some("warning: '.' should be ':'".into())))
            }
            None => Err(e),
        },
        Ok((uid, gid)) => Ok((uid, gid, None)),
    }
}

/// USER and GROUP (`None` when there was no separator). `USER:` takes the login group of
/// the passwd entry named USER; gnulib calls it an invalid spec when USER is not a name.
fn split_spec(
    user: &[u8],
    group: Option<&[u8]>,
    db: &Db,
) -> Result<(Option<u32>, Option<u32>), &'static str> {
    let login_group = group == Some(b"");
    let mut gid = None;
    let uid = match user {
        b"" => None,
        name => match db.user_named(name) {
            Some(u) => {
                gid = login_group.then_some(u.gid);
                Some(u.uid)
            }
            None if login_group => return Err("invalid spec"),
            None => Some(common::ids::parse(OsStr::from_bytes(name)).ok_or("invalid user")?),
        },
    };
    if let Some(name) = group.filter(|g| !g.is_empty()) {
        gid = Some(db.gid(name).ok_or("invalid group")?);
    }
    Ok((uid, gid))
}

/// `--groups=G1,G2`: empty items are skipped; every bad item is reported.
fn group_list(list: &[u8], db: &Db, utf8: bool) -> Result<Vec<u32>, Vec<String>> {
    let mut gids = Vec::new();
    let mut bad = Vec::new();
    for item in list.split(|&b| b == b',').filter(|i| !i.is_empty()) {
        match db.gid(item) {
            Some(gid) => gids.push(gid),
            None => bad.push(format!("invalid group {}", quote(item, utf8))),
        }
    }
    if !bad.is_empty() {
        return Err(bad);
    }
    if gids.is_empty() {
        return Err(vec![format!("invalid group list {}", quote(list, utf8))]);
    }
    Ok(gids)
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASSWD: &[u8] = b"root:x:0:0:root:/root:/bin/sh\n\
        # a comment\n\
        +nis::::::\n\
        nobody:x:65534:65534:nobody:/:/bin/false\n\
        user:x:1000:100:user:/home/user:/bin/sh\n\
        42:x:7:7::/:/bin/sh\n\
        bad:x:notanumber:1::/:\n\
        dot.name:x:1001:100::/:/bin/sh\n\
        alias:x:1000:65534::/:/bin/sh";
    const GROUP: &[u8] = b"root:x:0:\nnogroup:x:65534:\nusers:x:100:user,other\n\
        wheel:x:10:other,user\n5:x:55:\n";

    fn db() -> Db {
        Db::parse(PASSWD, GROUP)
    }

    fn ok(
        spec: Option<&str>,
        groups: Option<&str>,
    ) -> (Option<u32>, Option<u32>, Option<Vec<u32>>) {
        let c = resolve(
            spec.map(str::as_bytes),
            groups.map(str::as_bytes),
            &db(),
            false,
        )
        .unwrap();
        (c.uid, c.gid, c.groups)
    }

    fn bad(spec: Option<&str>, groups: Option<&str>) -> Vec<String> {
        resolve(
            spec.map(str::as_bytes),
            groups.map(str::as_bytes),
            &db(),
            false,
        )
        .unwrap_err()
    }

    #[test]
    fn files_parse_and_skip_junk() {
        let d = db();
        let names: Vec<&[u8]> = d.users.iter().map(|u| u.name.as_slice()).collect();
        assert_eq!(
            names,
            [
                &b"root"[..],
                b"nobody",
                b"user",
                b"42",
                b"dot.name",
                b"alias"
            ]
        );
        assert_eq!(d.groups[2].members, [b"user".to_vec(), b"other".to_vec()]);
        assert_eq!(d.groups[0].members, Vec::<Vec<u8>>::new());
        assert_eq!(Db::parse(b"", b""), Db::default());
    }

    #[test]
    fn user_forms() {
        // Name: the login group and the user's groups from the file.
        assert_eq!(
            ok(Some("user"), None),
            (Some(1000), Some(100), Some(vec![100, 10]))
        );
        assert_eq!(ok(Some("user:"), None), ok(Some("user"), None));
        // Explicit group: it comes first, then the member groups.
        assert_eq!(
            ok(Some("user:nogroup"), None),
            (Some(1000), Some(65534), Some(vec![65534, 100, 10]))
        );
        assert_eq!(
            ok(Some("user:0"), None),
            (Some(1000), Some(0), Some(vec![0, 100, 10]))
        );
        // A number finds the first passwd entry with that uid, and its name's groups.
        assert_eq!(ok(Some("1000"), None), ok(Some("user"), None));
        // A numeric name wins over the number.
        assert_eq!(ok(Some("42"), None), (Some(7), Some(7), Some(vec![7])));
        assert_eq!(ok(Some(":5"), None), (None, Some(55), None));
        // Unknown uid with a group: no name, so no member groups.
        assert_eq!(
            ok(Some("12345:0"), None),
            (Some(12345), Some(0), Some(vec![]))
        );
        assert_eq!(ok(Some(":"), None), (None, None, None));
        assert_eq!(ok(Some(""), None), (None, None, None));
        assert_eq!(ok(None, None), (None, None, None));
    }

    #[test]
    fn dot_separator_is_a_warned_fallback() {
        let c = resolve(Some(b"user.users"), None, &db(), false).unwrap();
        assert_eq!((c.uid, c.gid), (Some(1000), Some(100)));
        assert_eq!(c.warning.as_deref(), Some("warning: '.' should be ':'"));
        let c = resolve(Some(b"dot.name"), None, &db(), false).unwrap();
        assert_eq!((c.uid, c.warning), (Some(1001), None));
        assert_eq!(bad(Some("no.such"), None), ["invalid user"]);
        // USER. retried as USER: needs a user name for the login group.
        let c = resolve(Some(b"user."), None, &db(), false).unwrap();
        assert_eq!(
            (c.uid, c.gid, c.warning.is_some()),
            (Some(1000), Some(100), true)
        );
        assert_eq!(bad(Some("0."), None), ["invalid user"]);
        assert_eq!(bad(Some("1000."), None), ["invalid user"]);
        // The warning comes before a later error.
        assert_eq!(
            bad(Some("user.users"), Some("nosuch")),
            ["warning: '.' should be ':'", "invalid group 'nosuch'"]
        );
    }

    #[test]
    fn user_errors() {
        for spec in [
            "nosuch",
            "4294967295",
            "4294967296",
            "-1",
            "+5",
            " 5",
            "a:b:c",
            "99999999999999999999",
        ] {
            assert_eq!(bad(Some(spec), None), ["invalid user"], "{spec}");
        }
        for spec in [":nosuch", "root:nosuch", "root:4294967296", "root:+5"] {
            assert_eq!(bad(Some(spec), None), ["invalid group"], "{spec}");
        }
        assert_eq!(
            bad(Some("12345"), None),
            ["no group specified for unknown uid: 12345"]
        );
        assert_eq!(
            bad(Some("12345:"), None),
            ["no group specified for unknown uid: 12345"]
        );
        // USER:: stays USER: after the one colon chroot drops: a login group, by name only.
        for spec in ["0::", "1000::", "12345::", "x::"] {
            assert_eq!(bad(Some(spec), None), ["invalid spec"], "{spec}");
        }
        // alias shares uid 1000 with user but has its own login group.
        assert_eq!(ok(Some("alias::"), None).1, Some(65534));
        assert_eq!(ok(Some("alias:"), None).1, Some(100));
    }

    #[test]
    fn group_lists() {
        assert_eq!(ok(None, Some("root,5")), (None, None, Some(vec![0, 55])));
        assert_eq!(ok(None, Some("1,,2")), (None, None, Some(vec![1, 2])));
        assert_eq!(ok(None, Some("")), (None, None, Some(vec![])));
        assert_eq!(
            ok(Some("user"), Some("wheel")),
            (Some(1000), Some(100), Some(vec![10]))
        );
        assert_eq!(
            ok(Some("user"), Some("")),
            (Some(1000), Some(100), Some(vec![]))
        );
        // With --groups and an explicit group, an unknown uid is fine.
        assert_eq!(
            ok(Some("12345:7"), Some("7")),
            (Some(12345), Some(7), Some(vec![7]))
        );
        assert_eq!(bad(None, Some("nosuch")), ["invalid group 'nosuch'"]);
        assert_eq!(
            bad(None, Some("0,nosuch,4294967296")),
            ["invalid group 'nosuch'", "invalid group '4294967296'"]
        );
        assert_eq!(bad(None, Some(",")), ["invalid group list ','"]);
        let utf8 = resolve(None, Some(b"a\nb"), &db(), true).unwrap_err();
        assert_eq!(utf8, ["invalid group \u{2018}a\\nb\u{2019}"]);
    }
}

#[cfg(test)]
mod properties {
    use super::*;

    #[test]
    fn hostile_files_and_specs_never_panic() {
        const ALPHABET: &[u8] = b"ab0179:,.\n#+- \xff";
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let mut bytes = |len: u64| -> Vec<u8> {
            let mut next = || {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state
            };
            let n = next() % len;
            (0..n)
                .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
                .collect()
        };
        for _ in 0..3000 {
            let db = Db::parse(&bytes(60), &bytes(60));
            let (spec, groups) = (bytes(8), bytes(8));
            let _ = resolve(Some(&spec), Some(&groups), &db, false);
            let _ = resolve(Some(&spec), None, &db, true);
            let _ = resolve(None, Some(&groups), &db, false);
        }
    }
}
