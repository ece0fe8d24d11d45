//! mount: integration tests. Every test that mounts runs in its own private mount namespace
//! on a scratch tmpfs (`ns_sh`); `t CMD...` in the scripts prints CMD's stdout, its stderr
//! prefixed with `E: `, then `rc=N`, with the scratch path shown as `S`.

use crate::util::*;

/// Shell helpers prepended to every script.
pub const PRELUDE: &str = r#"
t() { rc=0; "$@" >"$SCRATCH/.o" 2>"$SCRATCH/.e" || rc=$?; sed "s#$SCRATCH#S#g" "$SCRATCH/.o"; sed "s#$SCRATCH#S#g; s/^/E: /" "$SCRATCH/.e"; echo "rc=$rc"; rm -f "$SCRATCH/.o" "$SCRATCH/.e"; }
M() { "$RB/mount" "$@"; }
U() { "$RB/umount" "$@"; }
# The per-mount and superblock options of the mount at $1 (topmost).
opts() { awk -v t="$SCRATCH/$1" '$5 == t { for (i = 7; $i != "-"; i++); v = $6; s = $(i + 3) } END { print v, s }' /proc/self/mountinfo; }
ismnt() { awk -v t="$SCRATCH/$1" '$5 == t { f = 1 } END { print (f ? "mounted" : "not mounted") }' /proc/self/mountinfo; }
mkdir -p A B C D
"#;

/// Run `script` (after [`PRELUDE`]) in a private namespace; its stdout, empty stderr, rc 0.
pub fn sh(test: &str, script: &str) -> Option<String> {
    if !privileged(test) {
        return None;
    }
    let out = ns_sh(&format!("{PRELUDE}{script}"));
    assert_eq!((out.code, out.stderr.as_str()), (0, ""), "{}", out.stdout);
    Some(out.stdout)
}

/// Run `script` (after [`PRELUDE`]) and compare its stdout with `expected`.
#[track_caller]
pub fn check(test: &str, script: &str, expected: &str) {
    if let Some(out) = sh(test, script) {
        assert_eq!(out, expected);
    }
}

#[test]
fn help_version_and_usage_errors() {
    let help = tool("mount").args(["--help"]).run();
    assert!(help.ok().starts_with("Usage:\n mount [-lhV]\n"));
    tool("mount").args(["-V"]).run().is(
        0,
        &format!("mount from rootbox {}\n", env!("CARGO_PKG_VERSION")),
        "",
    );
    tool("mount").args(["-Z"]).run().fails(
        1,
        "mount: invalid option -- 'Z'\nTry 'mount --help' for more information.\n",
    );
    tool("mount").args(["--bogus"]).run().fails(
        1,
        "mount: unrecognized option '--bogus'\nTry 'mount --help' for more information.\n",
    );
    tool("mount").args(["-o"]).run().fails(
        1,
        "mount: option requires an argument -- 'o'\nTry 'mount --help' for more information.\n",
    );
    for args in [
        &["a", "b", "c"][..],
        &["--bind", "-t", "tmpfs", "a", "b"],
        &["--make-private", "-a"],
        &["--bind"],
        &["-a", "x"],
    ] {
        tool("mount").args(args).run().fails(
            1,
            "mount: bad usage\nTry 'mount --help' for more information.\n",
        );
    }
}

#[test]
fn bind_aliases_both_ways_and_hides_the_original() {
    check(
        "bind_aliases",
        r#"echo hidden > B/old
M --bind A B
echo a > A/x; cat B/x
echo b > B/y; cat A/y
[ "$(stat -c %d:%i A/x)" = "$(stat -c %d:%i B/x)" ] && echo same-inode
ls B
U B
ls B
"#,
        "a\nb\nsame-inode\nx\ny\nold\n",
    );
}

#[test]
fn read_only_bind_is_per_mount_and_atomic() {
    check(
        "ro_bind",
        r#"mount -t tmpfs src A
ROOTBOX_TRACE=1 M --bind -o ro,nosuid A B 2>&1 | sed "s#$SCRATCH#S#g"
touch B/y 2>&1 | sed 's/.*: //' || true
touch A/y && echo A-writable
opts B; opts A
"#,
        "mount: open_tree(AT_FDCWD, \"A\", OPEN_TREE_CLONE|OPEN_TREE_CLOEXEC) = 3\n\
         mount: mount_setattr(3, \"\", AT_EMPTY_PATH, {attr_set=MOUNT_ATTR_RDONLY|MOUNT_ATTR_NOSUID, attr_clr=0, propagation=0, userns_fd=0}) = 0\n\
         mount: move_mount(3, \"\", AT_FDCWD, \"B\", MOVE_MOUNT_F_EMPTY_PATH) = 0\n\
         Read-only file system\n\
         A-writable\n\
         ro,nosuid,relatime rw\n\
         rw,relatime rw\n",
    );
}

#[test]
fn nosuid_nodev_noexec_take_effect_on_binds() {
    check(
        "bind_flags",
        r#"mount -t tmpfs src A
cp /bin/true A/true
mknod A/null c 1 3
M --bind -o noexec A B
M -B -o nodev,nosuid A C
t B/true | sed 's/.*: //'
A/true && echo A-exec
sh -c 'echo x > C/null' 2>/dev/null || echo nodev-refused
echo x > A/null && echo A-dev
opts B; opts C
"#,
        "Permission denied\nrc=126\nA-exec\nnodev-refused\nA-dev\nrw,noexec,relatime rw\nrw,nosuid,nodev,relatime rw\n",
    );
}

#[test]
fn bind_rw_clears_a_flag_and_remount_bind_changes_one_mount() {
    check(
        "bind_rw",
        r#"mount -t tmpfs -o nosuid src A
M --bind -o suid,noexec A B
opts B
M -o remount,bind,ro B
opts B; opts A
M -o remount,rw,bind B
opts B
"#,
        "rw,noexec,relatime rw\nro,noexec,relatime rw\nrw,nosuid,relatime rw\nrw,noexec,relatime rw\n",
    );
}

#[test]
fn remount_keeps_flags_not_named_and_changes_data() {
    check(
        "remount",
        r#"M -t tmpfs -o ro,size=1m x A
M -o remount,size=2m A
opts A
t M -v -o remount,rw A
opts A
t M -o remount,ro D
"#,
        "ro,relatime ro,size=2048k\nmount: x mounted on S/A.\nrc=0\nrw,relatime rw,size=2048k\n\
         E: mount: S/D: mount point not mounted or bad option.\n\
         E:        dmesg(1) may have more information after failed mount system call.\nrc=32\n",
    );
}

#[test]
fn recursive_attributes_through_mount_setattr() {
    check(
        "ro_recursive",
        r#"mount -t tmpfs src A; mkdir A/s; mount -t tmpfs sub A/s
M --rbind -o ro A B
opts B; opts B/s
M --rbind -o ro=recursive,nodev A C
opts C; opts C/s
M -o remount,noexec=recursive C
opts C; opts C/s
"#,
        "ro,relatime rw\nrw,relatime rw\nro,nodev,relatime rw\nro,relatime rw\n\
         ro,nodev,noexec,relatime rw\nro,noexec,relatime rw\n",
    );
}

#[test]
fn last_keyword_wins() {
    check(
        "last_wins",
        r#"M -t tmpfs -o ro,rw,noexec,exec x A; opts A
M -t tmpfs -r -w x B; opts B
M -t tmpfs -o rw -r x C; opts C
M -t tmpfs -o defaults,noauto,user,nofail,_netdev,x-foo,comment=z,size=1m -o nosuid x D; opts D
"#,
        "rw,relatime rw\nrw,relatime rw\nro,relatime ro\nrw,nosuid,relatime rw,size=1024k\n",
    );
}

/// The propagation of every mount under `$SCRATCH/$1`, as `TARGET FIELDS`.
const PROPS: &str = r#"props() { awk -v t="$SCRATCH/$1" 'index($5, t) == 1 { f = ""; for (i = 7; $i != "-"; i++) f = f " " $i; sub("^ ", "", f); gsub(":[0-9]+", "", f); print substr($5, length(t) + 1) ":" (f == "" ? "private" : f) }' /proc/self/mountinfo; }
"#;

#[test]
fn make_rprivate_and_o_rprivate_reach_every_submount() {
    check(
        "rprivate",
        &format!(
            r#"{PROPS}mount -t tmpfs p A; mkdir A/s; mount -t tmpfs s A/s; mkdir A/s/t; mount -t tmpfs t A/s/t
mount --make-rshared A; props A
M --make-rprivate A; props A
mount --make-rshared A
M -o rprivate A; props A
M --make-shared --make-unbindable A; props A
M -o runbindable A; props A
"#
        ),
        ":shared\n/s:shared\n/s/t:shared\n\
         :private\n/s:private\n/s/t:private\n\
         :private\n/s:private\n/s/t:private\n\
         :unbindable\n/s:private\n/s/t:private\n\
         :unbindable\n/s:unbindable\n/s/t:unbindable\n",
    );
}

#[test]
fn shared_peers_propagate_and_private_ones_do_not() {
    check(
        "peers",
        r#"mount -t tmpfs p A
M --make-shared A
M --bind A B
mkdir A/x A/y
M -t tmpfs new A/x
ismnt B/x
M --make-private B
M -t tmpfs new2 A/y
ismnt B/y
"#,
        "mounted\nnot mounted\n",
    );
}

#[test]
fn move_and_rbind_with_submounts() {
    check(
        "move_rbind",
        r#"mount -t tmpfs m A; touch A/f; mkdir A/s; mount -t tmpfs sub A/s
M --rbind A B; ismnt B/s
M --bind A C; ismnt C/s
t M -v --move A D
ismnt A; ismnt D; ismnt D/s; ls D
M -o move D A; ismnt A
"#,
        "mounted\nnot mounted\nmount: S/A moved to S/D.\nrc=0\nnot mounted\nmounted\nmounted\nf\ns\nmounted\n",
    );
}

#[test]
fn mkdir_creates_the_mount_point() {
    check(
        "mkdir",
        r#"umask 022
M -m -t tmpfs x n1/sub; ismnt n1/sub; stat -c %a n1
M --mkdir=0700 -t tmpfs x n2/sub; stat -c %a n2; ismnt n2/sub
M -o X-mount.mkdir=0750 -t tmpfs x n3/a; stat -c %a n3
M -o x-mount.mkdir -t tmpfs x n4; ismnt n4
t M --mkdir=abc -t tmpfs x n5
t M -o X-mount.mkdir=9 -t tmpfs x n6
t M -o X-mount.subdir=foo -t tmpfs x A
ls -d n5 n6 2>&1 | sed 's/.*cannot access //'
"#,
        "mounted\n755\n700\nmounted\n750\nmounted\n\
         E: mount: n5: failed to parse mount options 'X-mount.mkdir=abc'.\nrc=1\n\
         E: mount: n6: failed to parse mount options 'X-mount.mkdir=9'.\nrc=1\n\
         E: mount: A: unsupported option 'X-mount.subdir=foo'.\nrc=1\n\
         'n5': No such file or directory\n'n6': No such file or directory\n",
    );
}

#[test]
fn option_data_longer_than_the_kernel_takes_is_refused() {
    // 4095 bytes pass whole; 4096 would be cut by the kernel, so we refuse.
    check(
        "long_data",
        r#"pad() { s='size=1m'; while [ $(($1 - ${#s})) -ge 30 ]; do s="$s,nr_inodes=1000"; done; z=$(head -c $(($1 - ${#s} - 10)) /dev/zero | tr '\0' 0); printf '%s' "$s,mode=0${z}755"; }
d=$(pad 4095); echo ${#d}
t M -t tmpfs -o "$d" x A
opts A
t M -t tmpfs -o "$(pad 4096)" x B
"#,
        "4095\nrc=0\nrw,relatime rw,size=1024k,nr_inodes=1000,mode=755\nE: mount: S/B: mount options too long (4096 bytes; mount(2) takes at most 4095).\nrc=1\n",
    );
}

#[test]
fn every_failure_message_and_exit_code() {
    check(
        "errors",
        r#"touch f
t M -t tmpfs x nonexist
t M -t bogusfs x A
t M -t tmpfs -o bogus=1 x A
t M -t tmpfs x f
t M --bind nonexist A
t M -o remount,bind,ro B
t M --move A B
t M nothere
t M --make-private A
t M -N 999999999 -t tmpfs x A
ln -s nowhere dangling
t M -t tmpfs x dangling
"#,
        "E: mount: nonexist: mount point does not exist.\n\
         E:        dmesg(1) may have more information after failed mount system call.\nrc=32\n\
         E: mount: S/A: unknown filesystem type 'bogusfs'.\n\
         E:        dmesg(1) may have more information after failed mount system call.\nrc=32\n\
         E: mount: S/A: wrong fs type, bad option, bad superblock on x, missing codepage or helper program, or other error.\n\
         E:        dmesg(1) may have more information after failed mount system call.\nrc=32\n\
         E: mount: S/f: mount point is not a directory.\n\
         E:        dmesg(1) may have more information after failed mount system call.\nrc=32\n\
         E: mount: S/A: special device nonexist does not exist.\n\
         E:        dmesg(1) may have more information after failed mount system call.\nrc=32\n\
         E: mount: S/B: mount point not mounted or bad option.\n\
         E:        dmesg(1) may have more information after failed mount system call.\nrc=32\n\
         E: mount: S/B: wrong fs type, bad option, bad superblock on S/A, missing codepage or helper program, or other error.\n\
         E:        dmesg(1) may have more information after failed mount system call.\nrc=32\n\
         E: mount: nothere: can't find in /etc/fstab.\nrc=1\n\
         E: mount: S/A: not mount point or bad option.\n\
         E:        dmesg(1) may have more information after failed mount system call.\nrc=32\n\
         E: mount: failed to set target namespace to /proc/999999999/ns/mnt: No such file or directory\nrc=2\n\
         E: mount: dangling: mount point is a symbolic link to nowhere.\n\
         E:        dmesg(1) may have more information after failed mount system call.\nrc=32\n",
    );
}

#[test]
fn messages_match_util_linux() {
    // The same failing commands through util-linux and through ours.
    let script = r#"touch f
for m in mount "$RB/mount"; do
  t $m -t tmpfs x nonexist
  t $m -t bogusfs x A
  t $m -t tmpfs x f
  t $m --bind nonexist A
  t $m -o remount,bind,ro B
  t $m nothere
  t $m -v -t tmpfs foo B
  t $m -v --bind C D
  t $m -v --make-private D
  t $m -v --move D A
  t $m -v -o remount,ro B
  t $m -v -o remount,bind,rw B
  t $m -fv -t tmpfs x C
  mount -t tmpfs sh C; mount --make-shared C; mkdir C/m; mount -t tmpfs m C/m
  t $m --move C/m D
  umount -R C
  umount A B
  echo ----
done
"#;
    if let Some(out) = sh("compare_ul", script) {
        let (ul, ours) = out.split_once("----\n").unwrap();
        assert_eq!(ours, format!("{ul}----\n"));
    }
}

#[test]
fn verbose_fake_and_namespace() {
    check(
        "verbose_ns",
        r#"t M -fv -t tmpfs x A
ismnt A
sleep 100 >/dev/null 2>&1 & pid=$!
# -N runs the mount in that process's namespace: ours here, so it is seen.
t M -N $pid -t tmpfs ns A
ismnt A
t M -N "/proc/$pid/ns/mnt" -t tmpfs ns2 B
ismnt B
kill $pid
"#,
        "mount: x mounted on S/A.\nrc=0\nnot mounted\nrc=0\nmounted\nrc=0\nmounted\n",
    );
}

#[test]
fn fstab_lookup_all_and_filters() {
    check(
        "fstab",
        r#"cat > fst <<EOF
# comment
f1 $SCRATCH/A tmpfs size=1m,noauto 0 0
f2 $SCRATCH/B tmpfs defaults,ro 0 0
f3 $SCRATCH/nonexist tmpfs defaults 0 0
f4 $SCRATCH/C ramfs defaults,_netdev 0 0
EOF
t M -T fst A
opts A
t M -T fst --source f2
opts B
U A B
# The padding to 25 columns depends on the scratch path's length: squeeze it.
tv() { t "$@" | sed 's/ *: \(ignored\|success\|already\)/: \1/'; }
tv M -v -T fst -a
tv M -v -T fst -a
U B C
t M -T fst -a -t ramfs
ismnt B; ismnt C
U C
t M -T fst -a -O no_netdev
ismnt B; ismnt C
t M -T fst zz
t M -T nofile zz
printf '%s %s none bind,ro 0 0\n' "$SCRATCH/A" "$SCRATCH/D" > bindtab
tv M -v -T bindtab -a
tv M -v -T bindtab -a
opts D
"#,
        "rc=0\nrw,relatime rw,size=1024k\nrc=0\nro,relatime ro\n\
         S/A: ignored\nS/B: successfully mounted\nS/C: successfully mounted\n\
         E: mount: S/nonexist: mount point does not exist.\n\
         E:        dmesg(1) may have more information after failed mount system call.\nrc=64\n\
         S/A: ignored\nS/B: already mounted\nS/C: already mounted\n\
         E: mount: S/nonexist: mount point does not exist.\n\
         E:        dmesg(1) may have more information after failed mount system call.\nrc=32\n\
         rc=0\nnot mounted\nmounted\n\
         E: mount: S/nonexist: mount point does not exist.\n\
         E:        dmesg(1) may have more information after failed mount system call.\nrc=64\n\
         mounted\nnot mounted\n\
         E: mount: zz: can't find in fst.\nrc=1\n\
         E: mount: nofile: failed to parse\nrc=1\n\
         S/D: successfully mounted\nrc=0\nS/D: already mounted\nrc=0\nro,relatime rw\n",
    );
}

#[test]
fn listing_escapes_hostile_names_where_util_linux_does_not() {
    let script = r#"for x in "sp ace" "$(printf 'ta\tb')" "$(printf 'new\nline')" 'back\slash' "$(printf 'es\033c')" "$(printf 'bad\377utf')"; do
  mkdir "$x"; mount -t tmpfs "src$x" "$x"
done
mount -t tmpfs "" A
echo ours; M -t tmpfs | grep -a "$SCRATCH/" | sed "s#$SCRATCH#S#g"
echo util-linux; mount -t tmpfs | grep -a "$SCRATCH/" | sed "s#$SCRATCH#S#g"
echo all; M | grep -c "$SCRATCH"
"#;
    if let Some(out) = sh("hostile_listing", script) {
        let (ours, rest) = out
            .strip_prefix("ours\n")
            .unwrap()
            .split_once("util-linux\n")
            .unwrap();
        assert_eq!(
            ours,
            "srcsp ace on S/sp ace type tmpfs (rw,relatime)\n\
             srcta\\x09b on S/ta\\x09b type tmpfs (rw,relatime)\n\
             srcnew\\x0aline on S/new\\x0aline type tmpfs (rw,relatime)\n\
             srcback\\slash on S/back\\slash type tmpfs (rw,relatime)\n\
             srces\\x1bc on S/es\\x1bc type tmpfs (rw,relatime)\n\
             srcbad\\xffutf on S/bad\\xffutf type tmpfs (rw,relatime)\n \
             on S/A type tmpfs (rw,relatime)\n"
        );
        // Where util-linux prints the name as it is (space, backslash, empty source), we
        // print the same line; elsewhere it prints raw bytes or '?', we print \xNN.
        let (ul, count) = rest.split_once("all\n").unwrap();
        for line in [
            "srcsp ace on S/sp ace type tmpfs (rw,relatime)\n",
            "srcback\\slash on S/back\\slash type tmpfs (rw,relatime)\n",
            " on S/A type tmpfs (rw,relatime)\n",
        ] {
            assert!(ul.contains(line), "{line}");
        }
        assert!(
            ul.contains("srces\x1bc on S/es?c"),
            "util-linux prints the source raw"
        );
        assert_eq!(count, "8\n");
    }
}

#[test]
fn every_syscall_is_traced() {
    check(
        "trace",
        r#"export ROOTBOX_TRACE=1
{ M --make-rprivate /
M -t tmpfs -o size=1m,ro,nosuid x A
M --rbind -o rslave A B
M -o remount,bind,ro=recursive B
U -l B
U A
U nonexist || true
} 2>&1 | sed "s#$SCRATCH#S#g; s/65536) = [1-9][0-9]*$/65536) = N/"
"#,
        "mount: mount(\"none\", \"/\", NULL, MS_REC|MS_PRIVATE, NULL) = 0\n\
         mount: mount(\"x\", \"A\", \"tmpfs\", MS_RDONLY|MS_NOSUID, \"size=1m\") = 0\n\
         mount: mount(\"A\", \"B\", NULL, MS_BIND|MS_REC, NULL) = 0\n\
         mount: mount(\"none\", \"B\", NULL, MS_REC|MS_SLAVE, NULL) = 0\n\
         mount: mount_setattr(AT_FDCWD, \"B\", AT_RECURSIVE, {attr_set=MOUNT_ATTR_RDONLY, attr_clr=0, propagation=0, userns_fd=0}) = 0\n\
         umount: umount2(\"B\", MNT_DETACH) = 0\n\
         umount: umount2(\"A\", 0) = 0\n\
         umount: umount2(\"nonexist\", 0) = -1 ENOENT (No such file or directory)\n\
         umount: open(\"/proc/self/mountinfo\", O_RDONLY|O_CLOEXEC) = 3\n\
         umount: read(3, ..., 65536) = N\n\
         umount: read(3, ..., 65536) = 0\n\
         umount: poll([{fd=3, events=POLLPRI}], 1, 0) = 0\n\
         umount: close(3) = 0\n\
         umount: nonexist: no mount point specified.\n",
    );
}

#[test]
fn nothing_is_written_under_etc_or_run() {
    if !installed("no_mtab", "strace") {
        return;
    }
    check(
        "no_mtab",
        r#"printf 'fx %s tmpfs defaults 0 0\n' "$SCRATCH/C" > fst
strace -f -qq -o trace.log -e trace=openat,open,creat,rename,renameat,renameat2,unlink,unlinkat,mkdir,mkdirat,link,linkat,symlink,symlinkat sh -c '
  "$RB/mount" -t tmpfs x A; "$RB/mount" --bind -o ro A B; "$RB/mount" -o remount,rw B
  "$RB/mount" -n -T fst C; "$RB/mount" -a -T fst; "$RB/mount" > /dev/null
  "$RB/umount" -R B; "$RB/umount" A C; "$RB/umount" -a -t ramfs'
grep -E '"/(etc|run)' trace.log | grep -vE 'O_RDONLY|ENOENT' || echo clean
"#,
        "clean\n",
    );
}

#[test]
fn two_step_bind_repeats_locked_flags() {
    check(
        "legacy_bind",
        r#"mount -t tmpfs -o nosuid,nodev src A
LIBMOUNT_FORCE_MOUNT2=always ROOTBOX_TRACE=1 M --bind -o ro,noexec A B 2>&1 | sed "s#$SCRATCH#S#g"
opts B; opts A
# In a user namespace the inherited nosuid,nodev are locked: a remount that dropped them
# would be refused (util-linux#1705), so both paths keep them.
show='awk -v t="$SCRATCH/C" "\$5 == t { print \$6 }" /proc/self/mountinfo'
unshare -Urm sh -c "LIBMOUNT_FORCE_MOUNT2=always \"\$RB/mount\" --bind -o ro A C && $show"
unshare -Urm sh -c "\"\$RB/mount\" --bind -o ro A C && $show"
"#,
        "mount: mount(\"A\", \"B\", NULL, MS_BIND, NULL) = 0\n\
         mount: statvfs(\"B\") = 0\n\
         mount: mount(\"none\", \"B\", NULL, MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC|MS_REMOUNT|MS_BIND|MS_RELATIME, NULL) = 0\n\
         ro,nosuid,nodev,noexec,relatime rw\n\
         rw,nosuid,nodev,relatime rw\n\
         ro,nosuid,nodev,relatime\n\
         ro,nosuid,nodev,relatime\n",
    );
}

#[test]
fn source_and_target_options() {
    check(
        "source_target",
        r#"M -t tmpfs --source s1 --target A; ismnt A
M -t tmpfs --source s2 B; ismnt B
M -t tmpfs --target C s3; ismnt C
awk -v s="$SCRATCH" 'index($5, s "/") == 1 { print $(NF - 1) }' /proc/self/mountinfo
printf 's4 %s tmpfs size=1m 0 0\n' "$SCRATCH/D" > fst
M -T fst --target "$SCRATCH/D"; ismnt D
t M -T fst --source nosuch
"#,
        "mounted\nmounted\nmounted\ns1\ns2\ns3\nmounted\nE: mount: nosuch: can't find in fst.\nrc=1\n",
    );
}

/// Every flag keyword of the table on a real mount: the flag mount(2) gets (the trace) and
/// what the kernel shows in mountinfo (per-mount options, superblock options).
#[test]
fn every_flag_keyword_reaches_the_kernel() {
    check(
        "keyword_rows",
        r#"for kw in ro rw nosuid suid nodev dev noexec exec sync async dirsync noatime atime nodiratime diratime relatime norelatime strictatime nostrictatime lazytime nolazytime nosymfollow symfollow mand nomand silent loud iversion noiversion; do
  f=$(ROOTBOX_TRACE=1 "$RB/mount" -t tmpfs -o $kw x A 2>&1 | sed -n 's/^mount: mount("x", "A", "tmpfs", \([^,]*\), NULL) = 0$/\1/p')
  echo "$kw $f $(opts A)"
  umount A
done
"#,
        "ro MS_RDONLY ro,relatime ro\nrw 0 rw,relatime rw\nnosuid MS_NOSUID rw,nosuid,relatime rw\nsuid 0 rw,relatime rw\nnodev MS_NODEV rw,nodev,relatime rw\ndev 0 rw,relatime rw\nnoexec MS_NOEXEC rw,noexec,relatime rw\nexec 0 rw,relatime rw\nsync MS_SYNCHRONOUS rw,relatime rw,sync\nasync 0 rw,relatime rw\ndirsync MS_DIRSYNC rw,relatime rw,dirsync\nnoatime MS_NOATIME rw,noatime rw\natime 0 rw,relatime rw\nnodiratime MS_NODIRATIME rw,nodiratime,relatime rw\ndiratime 0 rw,relatime rw\nrelatime MS_RELATIME rw,relatime rw\nnorelatime 0 rw,relatime rw\nstrictatime MS_STRICTATIME rw rw\nnostrictatime 0 rw,relatime rw\nlazytime MS_LAZYTIME rw,relatime rw,lazytime\nnolazytime 0 rw,relatime rw\nnosymfollow MS_NOSYMFOLLOW rw,relatime,nosymfollow rw\nsymfollow 0 rw,relatime rw\nmand MS_MANDLOCK rw,relatime rw,mand\nnomand 0 rw,relatime rw\nsilent MS_SILENT rw,relatime rw\nloud 0 rw,relatime rw\niversion MS_I_VERSION rw,relatime rw\nnoiversion 0 rw,relatime rw\n",
    );
}

#[test]
fn nosuid_bind_ignores_set_user_id() {
    // Needs real uids (a user namespace maps only root).
    if !needs_root("mount::nosuid_bind_ignores_set_user_id") {
        return;
    }
    check(
        "bind_nosuid",
        r#"mount -t tmpfs src A
M --bind -o nosuid A B
# A set-user-ID root copy of id(1): root through A, the caller through the nosuid B.
cp "$(command -v id)" A/id; chmod 4755 A/id
setpriv --reuid 65534 --regid 65534 --clear-groups A/id -u
setpriv --reuid 65534 --regid 65534 --clear-groups B/id -u
"#,
        "0\n65534\n",
    );
}

#[test]
fn unreadable_mount_table_is_a_system_error() {
    // With /proc hidden the listing cannot read the table: util-linux's words and exit 2
    // (MNT_EX_SYSERR). (`mount -a` and `umount -a` fail the same way here, where
    // util-linux goes on as if the table were empty.)
    check(
        "mount_no_mtab",
        "mount -t tmpfs noproc /proc\nt M\n",
        "E: mount: failed to read mtab: No such file or directory\nrc=2\n",
    );
}
