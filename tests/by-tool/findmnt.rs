//! findmnt: integration tests, mostly differential against the system's util-linux findmnt
//! (stdout, stderr and exit status compared byte for byte).

use crate::util::{Rng, Scratch, cmd, ns_sh, privileged, rootfs_sh, tool, tool_path};

/// Names as the kernel writes them in mountinfo: space, tab, newline and backslash octal-
/// escaped; everything else raw (ESC, quotes, `$`, UTF-8, invalid UTF-8, DEL, CR).
const HOSTILE: &[&[u8]] = &[
    b"plain",
    b"a\\040b",
    b"tab\\011x",
    b"nl\\012y",
    b"back\\134slash",
    b"back\\134xab",
    b"quo\"te",
    b"sq'x",
    b"dol$ar",
    b"back`tick",
    b"esc\x1b[31m",
    b"caf\xc3\xa9",
    b"inv\xff\xfe",
    b"del\x7f",
    b"cr\rx",
    b"wide\xe4\xb8\xad\xe6\x96\x87",
    b"comb\xcc\x81",
    b"c1\xc2\x85x",
    b"x",
    b"data",
];

const TYPES: &[&[u8]] = &[
    b"ext4", b"tmpfs", b"proc", b"xfs", b"overlay", b"nfs4", b"btrfs", b"devpts", b"cgroup2",
];

/// A mountinfo table of `n` entries: a tree (random earlier parents, some orphans),
/// hostile names, random optional fields, empty sources, bind roots.
fn table(seed: u64, n: usize) -> Vec<u8> {
    let mut r = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
    let mut text = b"21 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n".to_vec();
    let mut targets: Vec<(u64, Vec<u8>)> = vec![(21, b"".to_vec())];
    // IDs ascend with gaps, as the kernel's do (duplicates would make util-linux crash).
    let mut last_id = 21;
    for i in 0..n {
        let id = last_id + 1 + r.below(3) as u64;
        last_id = id + 1;
        let (parent, base) = if r.below(20) == 0 {
            (9000 + r.below(5) as u64, b"/orphan".to_vec())
        } else {
            let k = if r.below(3) == 0 {
                targets.len() - 1 - r.below(targets.len().min(4))
            } else {
                r.below(targets.len())
            };
            targets[k].clone()
        };
        let mut target = base.clone();
        target.push(b'/');
        target.extend_from_slice(HOSTILE[r.below(HOSTILE.len())]);
        if r.below(4) == 0 {
            target.extend_from_slice(format!("{i}").as_bytes());
        }
        let fstype = TYPES[r.below(TYPES.len())];
        let source: Vec<u8> = match r.below(6) {
            0 => Vec::new(),
            1 => HOSTILE[r.below(HOSTILE.len())].to_vec(),
            2 => format!("/dev/sd{}", r.below(9)).into_bytes(),
            _ => fstype.to_vec(),
        };
        let root: &[u8] = if r.below(5) == 0 {
            b"/sub\\040dir"
        } else {
            b"/"
        };
        let vfs: &[u8] = [&b"rw,nosuid,nodev"[..], b"ro,relatime", b"rw", b"rw,noexec"][r.below(4)];
        let fs: &[u8] = [
            &b"rw"[..],
            b"rw,size=65536k",
            b"ro,errors=continue",
            b"rw,mode=755",
        ][r.below(4)];
        let opt: &[u8] = [
            &b" shared:3"[..],
            b"",
            b" master:2",
            b" shared:4 master:1",
            b" unbindable",
        ][r.below(5)];
        let sep: &[u8] = if source.is_empty() { b"  " } else { b" " };
        text.extend_from_slice(format!("{id} {parent} 0:{} ", i + 30).as_bytes());
        for part in [
            root, b" ", &target, b" ", vfs, opt, b" - ", fstype, sep, &source, b" ", fs, b"\n",
        ] {
            text.extend_from_slice(part);
        }
        if r.below(10) == 0 && parent < 9000 {
            // An over-mount: a second mount with the same target, child of the first.
            let over = id + 1;
            text.extend_from_slice(format!("{over} {id} 0:{} / ", i + 5000).as_bytes());
            text.extend_from_slice(&target);
            text.extend_from_slice(b" rw - tmpfs tmpfs rw\n");
        }
        targets.push((id, target));
    }
    text
}

/// Option sets every table is run through (each with `-F FILE` added).
const CASES: &[&str] = &[
    "",
    "-l",
    "-r",
    "-P",
    "-J",
    "-J -l",
    "-n",
    "-a",
    "-y -P",
    "-v",
    "-U",
    "-J -U",
    "-o +ID,PARENT,FSROOT,OPT-FIELDS,PROPAGATION,MAJ:MIN,TID,FREQ,PASSNO",
    "-o TARGET,VFS-OPTIONS,FS-OPTIONS,OPT-FIELDS -l",
    "-r -o ID,PARENT,MAJ:MIN,SOURCE",
    "-P -o MAJ:MIN,ID,FSROOT",
    "-J -o ID,PARENT,TARGET,MAJ:MIN",
    "-t tmpfs",
    "-t tmpfs -J",
    "-t notmpfs,proc -l",
    "-t nosuchfs -r",
    "-t ext4,xfs -O rw",
    "-O nosuid",
    "-O ro -J",
    "-O +noexec,rw -l",
    "--real -l",
    "--pseudo",
    "--pseudo -J",
    "--shadowed -l",
    "-i -t tmpfs",
    "-f",
    "-f -t xfs",
    "-d backward -l",
    "-d backward -f -t tmpfs",
    "-S tmpfs",
    "-S /dev/sd3 -J",
    "-S 0:40",
    "-R -S 0:31",
    "-M /",
    "-R -M /",
    "-J -R -M /",
    "-n -r -o TARGET,SOURCE",
    "proc",
    "--tree -l",
];

/// util-linux JSON with bytes that are not UTF-8 rewritten as the `\\xNN` text we print
/// instead (our deliberate fix: always-valid JSON).
fn fix_json(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    for chunk in bytes.utf8_chunks() {
        out.extend_from_slice(chunk.valid().as_bytes());
        for b in chunk.invalid() {
            out.extend_from_slice(format!("\\\\x{b:02x}").as_bytes());
        }
    }
    out
}

/// Run one case both ways; describe the difference, if any.
fn compare(file: &std::path::Path, args: &str) -> Option<String> {
    compare_in(file, args, "C.UTF-8")
}

fn compare_in(file: &std::path::Path, args: &str, locale: &str) -> Option<String> {
    let mut argv: Vec<String> = vec!["-F".into(), file.to_string_lossy().into_owned()];
    argv.extend(args.split_whitespace().map(String::from));
    let theirs = cmd(reference()).args(&argv).env("LC_ALL", locale).run();
    let ours = tool("findmnt").args(&argv).env("LC_ALL", locale).run();
    let expected = if args.contains("-J") {
        fix_json(&theirs.raw_stdout)
    } else {
        theirs.raw_stdout.clone()
    };
    if expected != ours.raw_stdout || theirs.stderr != ours.stderr || theirs.code != ours.code {
        return Some(format!(
            "[{args}] on {} ({locale}): code {}/{}\n--- util-linux\n{}{}\n--- ours\n{}{}",
            file.display(),
            theirs.code,
            ours.code,
            String::from_utf8_lossy(&expected),
            theirs.stderr,
            ours.stdout,
            ours.stderr
        ));
    }
    None
}

/// The util-linux findmnt to compare with: `$UL_FINDMNT`, else the system's.
fn reference() -> String {
    std::env::var("UL_FINDMNT").unwrap_or_else(|_| "/usr/bin/findmnt".into())
}

fn have_util_linux() -> bool {
    let v = cmd(reference()).args(["--version"]).run();
    if v.stdout.contains("util-linux 2.38") {
        return true;
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "differential tests need util-linux 2.38 findmnt at {} (or $UL_FINDMNT) under CI",
        reference()
    );
    println!("SKIP: util-linux findmnt 2.38 not installed");
    false
}

fn differential(name: &str, text: &[u8], cases: &[&str]) {
    let dir = Scratch::new();
    let file = dir.0.join(name);
    std::fs::write(&file, text).unwrap();
    let failures: Vec<String> = cases.iter().filter_map(|c| compare(&file, c)).collect();
    assert!(
        failures.is_empty(),
        "{} of {} cases differ:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
}

#[test]
fn differential_generated_tables() {
    if !have_util_linux() {
        return;
    }
    for seed in 1..=10 {
        differential(
            &format!("mi{seed}"),
            &table(seed, 40 + 15 * seed as usize),
            CASES,
        );
    }
}

#[test]
fn differential_c_locale() {
    if !have_util_linux() {
        return;
    }
    // No UTF-8: every non-ASCII byte is \xNN and the tree art is ASCII.
    let dir = Scratch::new();
    let file = dir.0.join("mi-c");
    std::fs::write(&file, table(99, 80)).unwrap();
    let failures: Vec<String> = [
        "",
        "-l",
        "-r",
        "-P",
        "-J",
        "-a -o +ID",
        "-t tmpfs",
        "-R -M /",
    ]
    .iter()
    .filter_map(|c| compare_in(&file, c, "C"))
    .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn differential_deep_and_wide_trees() {
    if !have_util_linux() {
        return;
    }
    let mut deep = b"1 0 8:1 / / rw - ext4 /dev/sda rw\n".to_vec();
    let mut path = String::new();
    for i in 2..300 {
        path.push_str(&format!("/d{i}"));
        deep.extend_from_slice(
            format!("{i} {} 0:{i} / {path} rw - tmpfs t rw\n", i - 1).as_bytes(),
        );
    }
    let mut wide = b"1 0 8:1 / / rw - ext4 /dev/sda rw\n".to_vec();
    for i in (2..400).rev() {
        wide.extend_from_slice(
            format!("{i} 1 0:{i} / /w{i} rw shared:{i} - tmpfs t rw\n").as_bytes(),
        );
    }
    let cases = [
        "",
        "-J",
        "-l",
        "-a -o TARGET,ID",
        "-R -M /d2",
        "-t tmpfs -J",
    ];
    differential("deep", &deep, &cases);
    differential("wide", &wide, &cases);
}

/// SOURCES is a multi-line column: a source with newlines is printed a line at a time below
/// its row (the tree art going on below it) and as several JSON items.
#[test]
fn differential_multiline_sources() {
    if !have_util_linux() {
        return;
    }
    let text: &[u8] = b"1 0 0:1 / / rw - tmpfs a\\012b\\012c rw\n\
        2 1 0:2 / /x rw - tmpfs d\\012e rw\n\
        4 2 0:2 / /x/k rw - tmpfs k1\\012k2 rw\n\
        5 2 0:2 / /x/l rw - tmpfs l rw\n\
        3 1 0:2 / /y rw - tmpfs \\012p\\012\\012q rw\n\
        6 3 0:2 / /y/z rw - tmpfs z1\\012z2\\012 rw\n";
    let mut cases = Vec::new();
    for cols in [
        "TARGET,SOURCES,FSTYPE",
        "SOURCES,TARGET",
        "SOURCES,TARGET,SOURCES",
        "TARGET,SOURCES",
    ] {
        for mode in ["", "-l", "-J", "-r", "-P", "-a", "-n"] {
            cases.push(format!("-o {cols} {mode}"));
        }
    }
    let cases: Vec<&str> = cases.iter().map(String::as_str).collect();
    differential("multiline", text, &cases);
    if crate::util::installed("differential_multiline_sources", "script") {
        let dir = Scratch::new();
        let file = dir.0.join("multiline");
        std::fs::write(&file, text).unwrap();
        let cases = [
            "-o TARGET,SOURCES,FSTYPE",
            "-o SOURCES,TARGET",
            "-l -o SOURCES,TARGET",
        ];
        let (runs, failures) = terminal_diffs(&file, &cases, &[12, 20, 40, 80], "C.UTF-8");
        assert_eq!((runs, failures), (12, Vec::<String>::new()));
    }
    for seed in [3, 7] {
        differential(
            &format!("ml{seed}"),
            &table(seed, 60),
            &[
                "-o TARGET,SOURCES,SOURCE",
                "-J -o SOURCES,TARGET",
                "-l -o SOURCES",
            ],
        );
    }
}

#[test]
fn differential_parser_edges() {
    if !have_util_linux() {
        return;
    }
    let text: &[u8] = b"# a comment\n\n   \n\
        1 0 8:1 / / rw - ext4  rw\n\
        2 1 8:2 / /junk rw - tmpfs src rw trailing junk\n\
        3  1 8:3  /  /multi  rw  -  tmpfs  src  rw\n\
        4 1 8:4 / /a\tb rw - tmpfs src rw\n\
        5 1 8:5 / /cr\rx rw - tmpfs src rw\n\
        garbage line\n\
        6 1 8:6 / /x rw - tmpfs src\n\
        7 1 8:7 / /sep rw - opt - tmpfs src rw\n\
        8 1 8:8 / /dash rw shared:1 - - tmpfs src rw\n\
        9 1 8:9 / /oct\\\\040\\xyz\\77\\101 rw - tmpfs src rw\n\
        10 1 8 / /nominor rw - tmpfs src rw\n\
        11 1 8:11 / /crlf rw - tmpfs src rw\r\n\
        12 12 8:12 / /self rw - tmpfs src rw\n";
    differential(
        "edges",
        text,
        &["", "-l", "-r", "-J", "-P", "-o +ID,OPT-FIELDS,FS-OPTIONS"],
    );
    let fstab: &[u8] = b"# fstab\n/dev/sda1 / ext4 defaults,noatime 0 1\n\
        UUID=abc /home\\040dir xfs rw,nofail 0 2\nproc /proc proc defaults\n\
        garbage line here\nbad\ntmpfs /t tmpfs size=1k,mode=755 1\n";
    differential(
        "fstab",
        fstab,
        &[
            "",
            "-J",
            "-r",
            "-P",
            "-o +FREQ,PASSNO,VFS-OPTIONS,FS-OPTIONS",
            "-t xfs",
            "-f -S proc",
        ],
    );
    differential("empty", b"", &["", "-l", "-J", "-t tmpfs"]);
    // The kernel's "/dev/root" is shown as the device its number names.
    if let Some(dev) = std::fs::read_dir("/sys/dev/block")
        .ok()
        .and_then(|mut d| d.next())
    {
        let majmin = dev.unwrap().file_name().into_string().unwrap();
        let text = format!(
            "1 0 {majmin} / / rw - ext4 /dev/root rw\n2 1 0:5 / /x rw - ext4 /dev/root rw\n"
        );
        differential("devroot", text.as_bytes(), &["", "-r"]);
    }
}

#[test]
fn cycles_print_each_entry_once() {
    // util-linux 2.38 crashes (SIGSEGV) or hangs on these tables: research/security.md §1.7.
    let dir = Scratch::new();
    let file = dir.0.join("cycle");
    std::fs::write(
        &file,
        "1 0 8:1 / / rw - ext4 a rw\n2 3 0:2 / /a rw - tmpfs b rw\n3 2 0:3 / /a/b rw - tmpfs c rw\n\
         4 4 0:4 / /self rw - tmpfs d rw\n",
    )
    .unwrap();
    tool("findmnt")
        .args(["-F"])
        .args([&file])
        .args(["-o", "TARGET,ID"])
        .run()
        .is(
            0,
            "TARGET ID\n/       1\n/a      2\n`-/a/b  3\n/self   4\n",
            "",
        );
    std::fs::write(
        &file,
        "2 3 0:2 / /a rw - tmpfs b rw\n3 2 0:3 / /a/b rw - tmpfs c rw\n",
    )
    .unwrap();
    tool("findmnt")
        .args(["-F"])
        .args([&file])
        .args(["-n", "-o", "TARGET"])
        .run()
        .is(0, "/a\n`-/a/b\n", "");
}

#[test]
fn json_is_always_valid_utf8() {
    let dir = Scratch::new();
    let file = dir.0.join("bad-utf8");
    std::fs::write(&file, b"1 0 8:1 / /inv\xff\x1b rw - ext4 s\xfe rw\n").unwrap();
    let out = tool("findmnt")
        .args(["-J", "-o", "TARGET,SOURCE", "-F"])
        .args([&file])
        .run();
    assert_eq!(out.code, 0);
    assert_eq!(
        std::str::from_utf8(&out.raw_stdout).unwrap(),
        "{\n   \"filesystems\": [\n      {\n         \"target\": \"/inv\\\\xff\\u001b\",\n         \"source\": \"s\\\\xfe\"\n      }\n   ]\n}\n"
    );
}

#[test]
fn cut_off_last_line_is_reported() {
    let dir = Scratch::new();
    let file = dir.0.join("cut");
    std::fs::write(
        &file,
        "1 0 8:1 / / rw - ext4 a rw\n2 1 0:2 / /b rw - tmpfs b r",
    )
    .unwrap();
    let out = tool("findmnt")
        .args(["-l", "-n", "-o", "TARGET,OPTIONS", "-F"])
        .args([&file])
        .run();
    out.is(
        0,
        "/      rw\n/b     rw,r\n",
        &format!(
            "findmnt: {}: last line is not terminated by a newline (file cut off?)\n",
            file.display()
        ),
    );
}

#[test]
fn errors() {
    tool("findmnt")
        .args(["-o", "FOO"])
        .run()
        .fails(1, "findmnt: unknown column: FOO\n");
    tool("findmnt").args(["-o", "ACTION"]).run().fails(
        1,
        "findmnt: ACTION column is requested, but --poll is not enabled\n",
    );
    tool("findmnt").args(["-F", "/nonexistent/x"]).run().fails(
        1,
        "findmnt: can't read /nonexistent/x: No such file or directory\n",
    );
    tool("findmnt").args(["-J", "-r"]).run().fails(
        1,
        "findmnt: mutually exclusive arguments: --json --pairs --raw --verify\n",
    );
    tool("findmnt")
        .args(["-N", "abc"])
        .run()
        .fails(1, "findmnt: invalid TID argument: 'abc'\n");
    tool("findmnt")
        .args(["-w", "x"])
        .run()
        .fails(1, "findmnt: invalid timeout argument: 'x'\n");
    tool("findmnt")
        .args(["-d", "up"])
        .run()
        .fails(1, "findmnt: unknown direction 'up'\n");
    tool("findmnt")
        .args(["--poll=foo"])
        .run()
        .fails(1, "findmnt: unknown action: foo\n");
    tool("findmnt")
        .args(["-p", "-F", "/a", "-F", "/b"])
        .run()
        .fails(
            1,
            "findmnt: --poll accepts only one file, but more specified by --tab-file\n",
        );
    tool("findmnt").args(["-S", "x", "y"]).run().fails(
        1,
        "findmnt: options --target and --source can't be used together with command line element that is not an option\n",
    );
    tool("findmnt").args(["--bogus"]).run().fails(
        1,
        "findmnt: unrecognized option '--bogus'\nTry 'findmnt --help' for more information.\n",
    );
    // Nothing matched in list mode: 1, nothing printed.
    tool("findmnt")
        .args(["-l", "-t", "xyzfs"])
        .run()
        .is(1, "", "");
    // ... but the whole-tree mode prints nothing and says 0 (util-linux quirk, kept).
    tool("findmnt").args(["-t", "xyzfs"]).run().is(0, "", "");
}

#[test]
fn output_errors() {
    // A reader that goes away: quiet, killed by SIGPIPE like util-linux (141 in a shell).
    let dir = Scratch::new();
    let big = dir.0.join("big");
    std::fs::write(&big, table(7, 20_000)).unwrap();
    let script = format!(
        "{} -F {} | head -1 >/dev/null; echo ${{PIPESTATUS[0]}}",
        tool_path("findmnt").display(),
        big.display()
    );
    cmd("bash").args(["-c", &script]).run().is(0, "141\n", "");
    let full = format!("{} > /dev/full", tool_path("findmnt").display());
    cmd("sh")
        .args(["-c", &full])
        .run()
        .fails(1, "findmnt: write error: No space left on device\n");
    let full = format!("{} -J > /dev/full", tool_path("findmnt").display());
    cmd("sh")
        .args(["-c", &full])
        .run()
        .fails(1, "findmnt: write error: No space left on device\n");
}

#[test]
fn help_and_version() {
    let h = tool("findmnt").args(["--help"]).run();
    assert_eq!(h.code, 0);
    assert!(h.stdout.starts_with("\nUsage:\n findmnt [options]\n"));
    assert!(h.stdout.contains("     USE%  filesystem use percentage\n"));
    let v = tool("findmnt").args(["-V"]).run();
    assert!(v.stdout.starts_with("findmnt from rootbox "));
    let cols = tool("findmnt").args(["-H", "-n", "-r"]).run();
    assert!(
        cols.stdout.contains("TARGET mountpoint\n"),
        "{}",
        cols.stdout
    );
}

/// Live tables in a private namespace: our findmnt and util-linux's on the same table.
#[test]
fn live_table_differential() {
    if !privileged("live_table_differential") || !have_util_linux() {
        return;
    }
    let out = ns_sh(
        r#"
findmnt() { "${UL_FINDMNT:-/usr/bin/findmnt}" "$@"; }
mount() { "${UL_MOUNT:-/usr/bin/mount}" "$@"; }
mkdir -p a/b/c 'sp ace' "$(printf 'nl\nx')" d e
mount -t tmpfs -o size=1m,mode=755 one a
mkdir -p a/b/c a/f
mount -t tmpfs -o ro two a/b
mount --bind a/f 'sp ace'
mount --make-shared 'sp ace'
mount -t tmpfs three "$(printf 'nl\nx')"
mount -t tmpfs four d
mount -t tmpfs five d
mount --bind d e
touch a/f/file
# Odd sizes exercise the human-readable rounding (size_to_human_string).
for sz in 24684084k 74709867k 1023m 1048575k 1537k 2047m 999999999k 3g; do
  mkdir -p "sz/$sz"; mount -t tmpfs -o size=$sz sz "sz/$sz"
done
S="$SCRATCH"
fail=0
for args in "" "-l" "-J" "-r" "-P" "-T $S/a/f/file" "-T $S/a/b" "-T $S/e" "-M $S/a" "-M $S/d" \
    "-R -M $S/a" "-R $S/a -J" "-t tmpfs -l" "-O ro -l" "-O noexec -r" "-D -T $S/a" \
    "-D -b -M $S/a" "-D -t tmpfs" "-D -b -t tmpfs" "-o +PROPAGATION,OPT-FIELDS -l" "--shadowed -l" "-U -l" "-N $$ -o TARGET,TID -M $S/a" \
    "-S three" "$S/d" "two" "-f -t tmpfs" "-d backward -f -t tmpfs" "-k -l" \
    "-o TARGET,SIZE,USED,AVAIL,USE%,FSROOT -M $S/a" "-o +SIZE,USE% -J -M $S/a"; do
  findmnt $args > exp 2>&1 && e=0 || e=$?
  "$RB/findmnt" $args > got 2>&1 && g=0 || g=$?
  if ! cmp -s exp got || [ $e != $g ]; then fail=1; echo "DIFF [$args] $e/$g"; diff exp got | head -20; fi
done
echo fail=$fail
"#,
    );
    assert!(
        out.stdout.ends_with("fail=0\n"),
        "{}{}",
        out.stdout,
        out.stderr
    );
}

/// `-T` and `-M` on the live table are answered by the kernel (statx's mount ID, then
/// statmount) without reading mountinfo: every column the same as util-linux's for mounts
/// with every option mountinfo can show, and the kernel's answer where 2.38 string-matches
/// mount points: `-T` gives the one mount a path is on (util-linux#4424), `-M` the mounts
/// stacked at a mount point and nothing for a hidden one.
#[test]
fn target_and_mountpoint_from_the_kernel() {
    if !privileged("target_and_mountpoint_from_the_kernel") || !have_util_linux() {
        return;
    }
    let out = ns_sh(
        r#"
findmnt() { "${UL_FINDMNT:-/usr/bin/findmnt}" "$@"; }
mount() { "${UL_MOUNT:-/usr/bin/mount}" "$@"; }
mkdir -p a b c 'sp ace' "$(printf 'tab\tx')" 'b\s' e f g h i j k/l/m p
mount -t tmpfs -o nosuid,nodev,noexec,noatime,sync,dirsync,lazytime,mand 'src with space' a
mount --bind -o ro a b
mount -t tmpfs tmp2 c
mount --make-shared c
mount --bind c 'sp ace'
mount --make-slave 'sp ace'
mount -t tmpfs -o nodiratime,strictatime x "$(printf 'tab\tx')"
mount -t tmpfs -o nosymfollow y 'b\s'
mount --make-unbindable 'b\s'
mkdir a/sub
mount --bind a/sub e
mount -t proc proc f
mount -t tmpfs z g
mount -t tmpfs z2 g
mount -t sysfs -o ro sysfs h
mount -t tmpfs -o uid=1,gid=2,mode=1777,nr_inodes=100 '' i
mount -t tmpfs j1 j
mkdir j/deep
mount -t tmpfs j2 j/deep
mount -t tmpfs j3 j
mkdir j/deep
mount -t tmpfs -o ro k k/l/m
mount -t tmpfs -o size=1k,huge=never p1 p
mkdir -p q/x
mount -t tmpfs q1 q/x
mount -t tmpfs q2 q
cols=TARGET,SOURCE,SOURCES,FSTYPE,OPTIONS,VFS-OPTIONS,FS-OPTIONS,OPT-FIELDS,PROPAGATION,FSROOT
cols=$cols,ID,PARENT,MAJ:MIN,SIZE,USED,AVAIL,USE%,FREQ,PASSNO,LABEL,UUID
fail=0
for t in "$SCRATCH" a b c 'sp ace' "$(printf 'tab\tx')" 'b\s' e f h i k/l/m k/l p a/sub /; do
  for opt in -M -T; do
    for mode in "" -r -J -P; do
      # (In variables: a file written on the scratch fs would change its USED column.)
      exp=$(findmnt $opt "$t" -o $cols $mode 2>&1 || echo "rc=$?")
      got=$("$RB/findmnt" $opt "$t" -o $cols $mode 2>&1 || echo "rc=$?")
      [ "$exp" = "$got" ] || { fail=1; printf 'DIFF [%s %s %s]\n%s\n%s\n' "$opt" "$t" "$mode" "$exp" "$got"; }
    done
    # No mountinfo read: the kernel answered.
    ROOTBOX_TRACE=1 "$RB/findmnt" $opt "$t" 2>&1 >/dev/null | grep 'open("/proc/self/mountinfo"' && fail=1
  done
done
echo fail=$fail
f() { "$RB/findmnt" -n -o SOURCE "$@" || echo "rc=$?"; }
echo "stacked: $(f -T g | paste -sd,) / $(f -M g | paste -sd,) / $(f -T g/ -d backward -f)"
echo "hidden: $(f -M j/deep) / $(f -T j/deep) / $(f -M j | paste -sd,)"
echo "not a mount point: $(f -M k/l) / $(f -T k/l)"
ROOTBOX_TRACE=1 "$RB/findmnt" -M k/l 2>&1 | grep -c 'open("/proc/self/mountinfo"\|statmount' || true
echo "whole table: $(f -T g -i -t tmpfs | grep -c '^z') / $(f -M g -R | paste -sd,) / $(f -T j/deep -U)"
echo "strings: $(f -C -M "$SCRATCH/g" | paste -sd,) / $(f -T "$SCRATCH/nonexistent") / $(f -M "$SCRATCH/q/x") / $(findmnt -n -o SOURCE -M "$SCRATCH/q/x")"
"#,
    );
    out.is(
        0,
        "fail=0\n\
         stacked: z2 / z,z2 / z2\n\
         hidden: rc=1 / j3 / j1,j3\n\
         not a mount point: rc=1 / rootbox-scratch\n\
         0\n\
         whole table: 1 / z,z2 / j3\n\
         strings: z,z2 / rc=1 / q1 / q1\n",
        "",
    );
}

/// In a chroot the kernel's answer is taken only for mounts inside the new root: a path on
/// a mount whose mount point lies outside it (statmount has no mount point to give) falls
/// back to the table, which does not list that mount either, as util-linux sees it.
#[test]
fn target_in_a_chroot() {
    if !privileged("target_in_a_chroot") {
        return;
    }
    let out = rootfs_sh(
        r#"
mkdir -p r/mnt/m
mount -t tmpfs inner r/mnt/m
chroot r /bin/findmnt -n -o TARGET,SOURCE -M /mnt/m
chroot r /bin/findmnt -n -o TARGET,SOURCE -T /mnt/m/.
chroot r /bin/findmnt -n -T / || echo "rc=$?"
ROOTBOX_TRACE=1 chroot r /bin/findmnt -n -T / 2>&1 | grep -c 'open("/proc/self/mountinfo"'
"#,
    );
    out.is(0, "/mnt/m inner\n/mnt/m inner\nrc=1\n1\n", "");
}

/// Shell: `idle PID...` waits until each poller sleeps in poll(2) on the mount table: it has
/// read the table (at start, or after the last change) and sees the next change on its own,
/// with no sleep that a loaded machine could outlast. (A sleeping task's wchan names the
/// kernel function it sleeps in.)
const IDLE: &str = r#"
idle() {
    for p; do
        for i in $(seq 1000); do grep -q poll /proc/$p/wchan && break; sleep 0.01; done
    done
}
"#;

#[test]
fn poll_sees_a_mount() {
    if !privileged("poll_sees_a_mount") {
        return;
    }
    let out = ns_sh(
        &[
            IDLE,
            r#"
mount() { "${UL_MOUNT:-/usr/bin/mount}" "$@"; }
mkdir d
"$RB/findmnt" -p -f -w 5000 -o ACTION,TARGET,SOURCE -n > ev &
idle $!
mount -t tmpfs pollsrc d
wait
sed "s|$SCRATCH|S|" ev
"$RB/findmnt" --poll=umount -w 200 -n; echo "timeout rc=$?"
"#,
        ]
        .concat(),
    );
    assert_eq!(
        out.stdout, "mount      S/d pollsrc\ntimeout rc=0\n",
        "{}",
        out.stderr
    );
}

#[test]
fn poll_differential() {
    if !privileged("poll_differential") || !have_util_linux() {
        return;
    }
    let out = ns_sh(
        &[
            IDLE,
            r#"
mount() { "${UL_MOUNT:-/usr/bin/mount}" "$@"; }
umount() { "$(dirname "${UL_MOUNT:-/usr/bin/mount}")/umount" "$@"; }
mkdir d m
cols=ACTION,TARGET,SOURCE,FSTYPE,OLD-TARGET,OLD-OPTIONS
"${UL_FINDMNT:-/usr/bin/findmnt}" -p -w 8000 -o $cols > exp & P1=$!
"$RB/findmnt" -p -w 8000 -o $cols > got & P2=$!
"$RB/findmnt" --poll=umount,move -w 8000 -J > got2 & P3=$!
# One change per wake-up: the mount syscall wakes the pollers before it returns, so once
# all three sleep in poll again, each has seen this change alone.
# (-w is each poll's timeout: room for the three to start on a loaded machine)
idle $P1 $P2 $P3
mount -t tmpfs pollsrc d
idle $P1 $P2 $P3
mount -o remount,ro d
idle $P1 $P2 $P3
mount --move d m
idle $P1 $P2 $P3
umount m
wait
# Column widths depend on how events are batched per wake-up: compare words.
sed "s|$SCRATCH|S|g" exp | tr -s ' '
tr -s ' ' < exp > e2; tr -s ' ' < got > g2
cmp e2 g2 && echo same
sed "s|$SCRATCH|S|g" got2
"#,
        ]
        .concat(),
    );
    assert_eq!(
        out.stdout,
        "ACTION TARGET SOURCE FSTYPE OLD-TARGET OLD-OPTIONS\n\
         mount S/d pollsrc tmpfs \n\
         remount S/d pollsrc tmpfs rw,relatime\n\
         move S/m pollsrc tmpfs S/d \n\
         umount S/m pollsrc tmpfs S/m ro,relatime\n\
         same\n{\n   \"filesystems\": [\n      {\n         \"action\": \"move\",\n         \"target\": \"S/m\",\n         \"source\": \"pollsrc\",\n         \"fstype\": \"tmpfs\",\n         \"options\": \"ro,relatime\"\n      }\n   ]\n}\n{\n   \"filesystems\": [\n      {\n         \"action\": \"umount\",\n         \"target\": \"S/m\",\n         \"source\": \"pollsrc\",\n         \"fstype\": \"tmpfs\",\n         \"options\": \"ro,relatime\"\n      }\n   ]\n}\n",
        "{}",
        out.stderr
    );
}

#[test]
fn verify_differential() {
    if !have_util_linux() {
        return;
    }
    // Entries util-linux checks without probing a device (no libblkid involved).
    let dir = Scratch::new();
    let d = dir.0.display().to_string();
    std::fs::write(dir.0.join("afile"), "").unwrap();
    let fstab = format!(
        "# test\n/dev/nope-a {d}/afile ext4 defaults 0 0\n{d} /mnt none bind 0 0\n\
         /dev/nope-b /nonexistent-x xfs noauto 0 0\n/dev/nope-c /nonexistent-y xfs nofail 0 0\n\
         LABEL=nonexistent-label /nonexistent-z ext4 nofail 0 0\n/nope-swap none swap sw,pri=5 0 0\n\
         proc /proc proc defaults 0 0\ntmpfs {d}/ tmpfs rw,size=1m 0 0\ntmpfs {d} tmpfs rw 0 0\n\
         garbage\n"
    );
    differential("fstab-verify", fstab.as_bytes(), &["-x", "-x --verbose"]);
    // Every check of findmnt-verify.c in its order: table order (duplicates, a parent
    // mounted later), root fsck pass, tags, unknown tags, sources that are directories or
    // character devices, auto and unsupported types, swap options, option classes.
    std::os::unix::fs::symlink(&dir.0, dir.0.join("link")).unwrap();
    std::fs::create_dir(dir.0.join("sub")).unwrap();
    let fstab = format!(
        "/dev/nope-root / ext4 defaults 0 0\n/dev/nope-r2 / btrfs defaults 0 1\n\
         /dev/nope-f {d}/x/y ext4 defaults 0 2\ntmpfs {d}/x tmpfs rw 0 0\n\
         tmpfs {d}/link tmpfs rw 0 0\n{d} {d}/sub ext4 defaults 0 0\n{d} {d}/sub none bind 0 0\n\
         /dev/null /nonexistent-n ext4 defaults 0 0\n/dev/nope-d /nonexistent-d auto defaults 0 0\n\
         /dev/nope-e /nonexistent-e foofs,ext4 ro,user,x-foo=1,uid=3,noauto 0 0\n\
         /dev/nope-g {d}/sub foofs defaults 0 0\nFOO=bar /nonexistent-foo ext4 defaults 0 0\n\
         UUID=nope-1 /nonexistent-u ext4 noauto 0 0\nPARTUUID=nope-2 {d} ext4 defaults 0 0\n\
         srv:/x /nonexistent-nfs nfs defaults 0 0\n\
         /nope-s1 none swap sw,discard=foo,pri=abc 0 0\n/nope-s2 none swap discard=once,pri=-5 0 0\n\
         /nope-s3 none swap discard=pag,pri= 0 0\n/dev/null none swap discard 0 0\n"
    );
    let target = format!("-x --verbose -T {d}/sub");
    differential(
        "fstab-verify-all",
        fstab.as_bytes(),
        &[
            "-x",
            "-x --verbose",
            "-x -C --verbose",
            "-x -t tmpfs --verbose",
            "-x -f",
            "-x -d backward -f --verbose",
            "-x -S /dev/null",
            "-x -O noauto --verbose",
            &target,
        ],
    );
}

#[test]
fn verify_reports_fstab_problems() {
    let dir = Scratch::new();
    let file = dir.0.join("fstab");
    std::fs::write(
        &file,
        "/dev/nonexistent-x /nonexistent-dir xfs ro 0 0\nproc /proc proc defaults 0 0\n",
    )
    .unwrap();
    let out = tool("findmnt").args(["-x", "-F"]).args([&file]).run();
    out.is(
        1,
        "/nonexistent-dir\n   [E] unreachable on boot required target: No such file or directory\n   [W] unreachable source: /dev/nonexistent-x: No such file or directory\n   [W] cannot detect on-disk filesystem type (No such file or directory)\n",
        "\n0 parse errors, 1 error, 2 warnings\n",
    );
    std::fs::write(&file, "proc /proc proc defaults 0 0\n").unwrap();
    tool("findmnt").args(["-x", "--verbose", "-F"]).args([&file]).run().is(
        0,
        "/proc\n   [ ] target exists\n   [ ] do not check proc source (pseudo/net)\n   [ ] do not check proc FS type (pseudo/net)\nSuccess, no errors or warnings detected\n",
        "",
    );
}

/// Positional SOURCE/TARGET (findmnt.c `get_next_fs`): tried as a source, then as a target,
/// never walked up to the mount point a path is on (that is `-T` only). Each form compared
/// with util-linux on a live table, and the regression (`findmnt /tmp/dir` printed the `/`
/// entry and exited 0) asserted exactly.
#[test]
fn positional_forms_differential() {
    if !privileged("positional_forms_differential") || !have_util_linux() {
        return;
    }
    let out = ns_sh(
        r#"
mkdir -p a/sub b plain 'sp ace'
mount -t tmpfs srcname a
mkdir -p a/sub
mount -t tmpfs other 'sp ace'
mount --bind a/sub b
S="$SCRATCH"
mm=$(/usr/bin/findmnt -nro MAJ:MIN -M "$S/a")
"$RB/findmnt" -n "$S/plain" > got 2>&1 && g=0 || g=$?
printf 'plain: [%s] %s\n' "$(cat got)" "$g"
fail=0
for args in "$S/a" "$S/a/" "$S/a//" "$S/plain" "$S/plain/" "$S/a/sub" "$S/nonexistent" \
    "a" "./a" "a/" "plain" "b" "srcname" "other" "$mm" "nosuchsource" "/" "/proc" "proc" \
    "-f $S/a" "-f srcname" "-f $S/plain" "-l $S/plain" "-J $S/plain" "-R $S/a" "-R $S/plain" \
    "-C $S/a/" "-C a" "srcname $S/a" "srcname $S/b" "-t tmpfs $S/plain" "-t tmpfs $S/a"; do
  /usr/bin/findmnt $args > exp 2>&1 && e=0 || e=$?
  "$RB/findmnt" $args > got 2>&1 && g=0 || g=$?
  if ! cmp -s exp got || [ $e != $g ]; then fail=1; echo "DIFF [$args] $e/$g"; diff exp got | head -20; fi
done
echo fail=$fail
"#,
    );
    assert_eq!(out.stdout, "plain: [] 1\nfail=0\n", "{}", out.stderr);
}

/// `ROOTBOX_TRACE=1`: every syscall findmnt makes, in order, for a live `-M` with a statvfs
/// column (answered by the kernel, then again with `-R`, which reads the table), a `-F` file
/// and a missing `-F` file (only the live table's size, mount IDs and the scratch/`/proc`
/// paths are normalised).
#[test]
fn trace_lines() {
    if !privileged("findmnt::trace_lines") {
        return;
    }
    let out = ns_sh(
        r#"
mkdir a
mount -t tmpfs -o size=1m srcname a
printf 'tmpfs /t tmpfs rw 0 0\n' > tab
export ROOTBOX_TRACE=1
for r in "" -R; do
  "$RB/findmnt" -n -o TARGET,USE% $r -M a 2>&1 |
    sed "s#$SCRATCH#S#g; s#/proc/[0-9]*/#/proc/PID/#; /read(3/s/ = [1-9][0-9]*$/ = N/; s/mnt_id=[0-9]*/mnt_id=N/"
done
{ "$RB/findmnt" -F tab -n -o TARGET,SOURCE
  "$RB/findmnt" -F missing || echo rc=$?
} 2>&1
"#,
    );
    out.is(
        0,
        "findmnt: open(\"a\", O_PATH|O_CLOEXEC) = 3\n\
         findmnt: statx(3, \"\", AT_EMPTY_PATH, STATX_MNT_ID_UNIQUE) = 0\n\
         findmnt: statmount({mnt_id=N, param=SB_BASIC|MNT_BASIC|PROPAGATE_FROM|MNT_ROOT|MNT_POINT|FS_TYPE|MNT_OPTS|FS_SUBTYPE|SB_SOURCE|SUPPORTED_MASK}) = 0\n\
         findmnt: fstatvfs(3) = 0\n\
         findmnt: statmount({mnt_id=N, param=MNT_POINT}) = 0\n\
         findmnt: close(3) = 0\n\
         findmnt: realpath(\"/proc/self/mountinfo\") = \"/proc/PID/mountinfo\"\n\
         findmnt: statvfs(\"S/a\") = 0\n\
         S/a   0%\n\
         findmnt: open(\"a\", O_PATH|O_CLOEXEC) = 3\n\
         findmnt: statx(3, \"\", AT_EMPTY_PATH, STATX_MNT_ID_UNIQUE) = 0\n\
         findmnt: statmount({mnt_id=N, param=SB_BASIC|MNT_BASIC|PROPAGATE_FROM|MNT_ROOT|MNT_POINT|FS_TYPE|MNT_OPTS|FS_SUBTYPE|SB_SOURCE|SUPPORTED_MASK}) = 0\n\
         findmnt: fstatvfs(3) = 0\n\
         findmnt: statmount({mnt_id=N, param=MNT_POINT}) = 0\n\
         findmnt: close(3) = 0\n\
         findmnt: open(\"/proc/self/mountinfo\", O_RDONLY|O_CLOEXEC) = 3\n\
         findmnt: read(3, ..., 65536) = N\n\
         findmnt: read(3, ..., 65536) = 0\n\
         findmnt: poll([{fd=3, events=POLLPRI}], 1, 0) = 0\n\
         findmnt: close(3) = 0\n\
         findmnt: realpath(\"/proc/self/mountinfo\") = \"/proc/PID/mountinfo\"\n\
         findmnt: statvfs(\"S/a\") = 0\n\
         S/a   0%\n\
         findmnt: open(\"tab\", O_RDONLY|O_CLOEXEC) = 3\n\
         findmnt: read(3, ..., 65536) = 22\n\
         findmnt: read(3, ..., 65536) = 0\n\
         findmnt: close(3) = 0\n\
         /t     tmpfs\n\
         findmnt: open(\"missing\", O_RDONLY|O_CLOEXEC) = -1 ENOENT (No such file or directory)\n\
         findmnt: can't read missing: No such file or directory\n\
         rc=1\n",
        "",
    );
}

/// What a terminal `cols` wide receives from `PROG ARGS` run on it (util-linux `script`
/// gives it a pseudo-terminal; `prelude` runs first in the same shell, after `stty`).
fn on_terminal(prog: &str, args: &[String], cols: usize, prelude: &str, locale: &str) -> Vec<u8> {
    let quoted: Vec<String> = args
        .iter()
        .map(|a| format!("'{}'", a.replace('\'', "'\\''")))
        .collect();
    let line = format!(
        "stty cols {cols} rows 50; {prelude} exec {prog} {}",
        quoted.join(" ")
    );
    let out = cmd("script")
        .args(["-q", "-e", "-c", &line, "/dev/null"])
        .env("LC_ALL", locale)
        .run();
    let mut shown = out.raw_stdout;
    shown.extend_from_slice(format!("[exit {}]", out.code).as_bytes());
    shown
}

/// Compare util-linux's findmnt and ours on terminals of each width; describe differences.
fn terminal_diffs(
    file: &std::path::Path,
    cases: &[&str],
    widths: &[usize],
    locale: &str,
) -> (usize, Vec<String>) {
    let ours = tool_path("findmnt").to_string_lossy().into_owned();
    let mut runs = 0;
    let mut failures = Vec::new();
    for case in cases {
        let (prelude, args) = match case.split_once(';') {
            Some((p, a)) => (format!("{p};"), a),
            None => (String::new(), *case),
        };
        let mut argv: Vec<String> = vec!["-F".into(), file.to_string_lossy().into_owned()];
        argv.extend(args.split_whitespace().map(String::from));
        for &cols in widths {
            runs += 1;
            let mut theirs = on_terminal(&reference(), &argv, cols, &prelude, locale);
            if args.contains("-J") {
                theirs = fix_json(&theirs);
            }
            let got = on_terminal(&ours, &argv, cols, &prelude, locale);
            if theirs != got {
                failures.push(format!(
                    "[{case}] at {cols} columns ({locale}):\n--- util-linux\n{}\n--- ours\n{}",
                    String::from_utf8_lossy(&theirs),
                    String::from_utf8_lossy(&got)
                ));
            }
        }
    }
    (runs, failures)
}

/// On a terminal, libsmartcols fits the table to its width (relative hints, TRUNC columns
/// cut, extreme cells ignored, overflowing cells continued on the next line): compared
/// with util-linux under pseudo-terminals of many widths, on generated tables with hostile
/// names, long targets and deep trees.
#[test]
fn terminal_widths_differential() {
    if !have_util_linux() || !crate::util::installed("terminal_widths_differential", "script") {
        return;
    }
    let dir = Scratch::new();
    let mut long =
        b"1 0 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw,errors=remount-ro\n".to_vec();
    let mut path = String::new();
    for i in 2..14 {
        path.push_str(&format!("/level-{i}-{}", "x".repeat(i % 5 * 4)));
        long.extend_from_slice(
            format!(
                "{i} {} 0:{i} /sub{i} {path} rw,nosuid,nodev shared:{i} master:1 - fuse.sshfs user@host.example.com:/export/{i} rw,user_id=0,group_id=0,default_permissions,allow_other\n",
                if i % 4 == 0 { 1 } else { i - 1 }
            )
            .as_bytes(),
        );
    }
    // A deep tree with siblings at every level: the tree column stops shrinking at its art.
    let mut deep = b"1 0 8:1 / / rw - ext4 /dev/sda rw,errors=remount-ro\n".to_vec();
    let mut path = String::new();
    for i in 2..17 {
        path.push_str(&format!("/d{i}"));
        deep.extend_from_slice(
            format!(
                "{i} {} 0:{i} / {path} rw - tmpfs t rw,size=1024k,mode=1777\n",
                i - 1
            )
            .as_bytes(),
        );
        deep.extend_from_slice(
            format!("{} {} 0:{i} / {path}/s rw - tmpfs t rw\n", i + 100, i - 1).as_bytes(),
        );
    }
    // SOURCE "extreme" (a cell over twice the average) and narrower than its header: with
    // room to spare libsmartcols sets it back to its widest cell, and the header overflows.
    let narrow = b"1 0 8:1 / / rw - ext4 a rw\n2 1 0:2 / /x rw - tmpfs b rw\n\
        3 1 0:3 / /y rw - tmpfs c rw\n4 1 0:4 / /z rw - tmpfs abcde rw\n"
        .to_vec();
    let files = [
        ("narrow", narrow),
        ("deep", deep),
        ("gen1", table(1, 30)),
        ("gen2", table(2, 45)),
        ("gen3", table(3, 12)),
        ("long", long),
    ];
    let cases = [
        "",
        "-l",
        "-u",
        "-a",
        "-n -o TARGET,OPTIONS",
        "-o TARGET,FSROOT,OPT-FIELDS,PROPAGATION,VFS-OPTIONS,FS-OPTIONS",
        "-l -o SOURCE,FSTYPE,ID,PARENT,MAJ:MIN,TARGET",
        "-o +ID,FSROOT -u -l",
        "-o OPTIONS,TARGET,SOURCE",
        // (--df reads the sizes of "/", which change under a busy build: see
        // terminal_df_differential for sizes.)
        "-l -a -u",
        "-r",
        "-J -o TARGET,OPTIONS",
    ];
    let widths = [20, 40, 60, 80, 100, 132, 200];
    let mut runs = 0;
    let mut failures = Vec::new();
    for (name, text) in &files {
        let file = dir.0.join(name);
        std::fs::write(&file, text).unwrap();
        let (n, f) = terminal_diffs(&file, &cases, &widths, "C.UTF-8");
        runs += n;
        failures.extend(f);
    }
    // No UTF-8: ASCII art and \xNN everywhere; and the terminal width from $COLUMNS when
    // the terminal reports none (a valid one, or else 80).
    let file = dir.0.join("gen1");
    let (n, f) = terminal_diffs(&file, &["", "-l -o TARGET,OPTIONS"], &[33, 71], "C");
    runs += n;
    failures.extend(f);
    let env_cases = [
        "stty cols 0; export COLUMNS=57; -l",
        "stty cols 0; export COLUMNS=57x;",
        "stty cols 0; export COLUMNS=-3; -o TARGET,OPTIONS",
        "export COLUMNS=150;",
    ];
    let (n, f) = terminal_diffs(&file, &env_cases, &[45], "C.UTF-8");
    runs += n;
    failures.extend(f);
    assert_eq!(runs, 512, "comparisons");
    assert!(
        failures.is_empty(),
        "{} of {runs} terminal comparisons differ:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// `--df` and size columns on a terminal: live tmpfs mounts in a private namespace, beside
/// util-linux under pseudo-terminals of several widths.
#[test]
fn terminal_df_differential() {
    if !privileged("findmnt::terminal_df_differential")
        || !have_util_linux()
        || !crate::util::installed("terminal_df_differential", "script")
    {
        return;
    }
    let out = ns_sh(
        r#"
# Under a mount of their own, so that the files compared here change no size shown.
mkdir m
mount -t tmpfs -o size=2m top m
cd m
mkdir -p a "b c" long-mount-point-name-for-the-df-columns/deeper
mount -t tmpfs -o size=1m src a
mount -t tmpfs -o size=300m a-very-long-source-name-that-will-not-fit-anywhere "b c"
mount -t tmpfs -o size=7g,nr_inodes=5k,mode=1777,uid=1000,gid=1000 t3 long-mount-point-name-for-the-df-columns/deeper
head -c 300000 /dev/zero > a/f
cd ..
n=0 fail=0
for w in 20 35 50 64 80 100 132 200; do
  for args in "-D" "-D -a" "-D -o +OPTIONS" "-D -u -o +VFS-OPTIONS" "-b -D" \
      "-l -o TARGET,SIZE,USE%,OPTIONS" "-o SOURCE,AVAIL,TARGET,FS-OPTIONS"; do
    n=$((n+1))
    script -q -e -c "stty cols $w rows 50; exec findmnt $args -R -M '$SCRATCH/m'" /dev/null > exp
    script -q -e -c "stty cols $w rows 50; exec '$RB/findmnt' $args -R -M '$SCRATCH/m'" /dev/null > got
    if ! cmp -s exp got; then fail=$((fail+1)); echo "DIFF $w [$args]"; cat exp; echo ---; cat got; fi
  done
done
echo "n=$n fail=$fail"
"#,
    );
    assert_eq!(out.stdout, "n=56 fail=0\n", "{}", out.stderr);
}

/// Shell: `kids SCRIPT_PID...` prints the pid of each `script`'s child: the poller, which
/// its shell execs.
const KIDS: &str = r#"
kids() {
    for s; do
        for i in $(seq 500); do c=$(cat /proc/$s/task/$s/children) && [ -n "$c" ] && break; sleep 0.01; done
        echo $c
    done
}
"#;

/// `--poll` on a terminal: each change is printed fitted to the terminal (asked once, at the
/// first change), beside util-linux.
#[test]
fn terminal_poll_differential() {
    if !privileged("findmnt::terminal_poll_differential")
        || !have_util_linux()
        || !crate::util::installed("terminal_poll_differential", "script")
    {
        return;
    }
    let out = ns_sh(
        &[
            IDLE,
            KIDS,
            r#"
mount() { "${UL_MOUNT:-/usr/bin/mount}" "$@"; }
umount() { "$(dirname "${UL_MOUNT:-/usr/bin/mount}")/umount" "$@"; }
t=a-long-directory-name-to-push-the-target
mkdir -p d/$t
for w in 30 64; do
    script -q -c "stty cols $w rows 50; exec ${UL_FINDMNT:-/usr/bin/findmnt} -p -w 4000" /dev/null > exp & S1=$!
    script -q -c "stty cols $w rows 50; exec '$RB/findmnt' -p -w 4000" /dev/null > got & S2=$!
    P=$(kids $S1 $S2)
    idle $P
    mount -t tmpfs -o size=5m,mode=1777,uid=1000,nr_inodes=1000 a-long-source-name-for-the-poll d/$t
    idle $P
    mount -o remount,ro d/$t
    idle $P
    umount d/$t
    wait
    cmp exp got && echo "same at $w" || { cat exp; echo ---; cat got; }
done
"#,
        ]
        .concat(),
    );
    assert_eq!(out.stdout, "same at 30\nsame at 64\n", "{}", out.stderr);
}

/// `ROOTBOX_TRACE=1` on a terminal shows the window-size ioctl (and only there: piped
/// output, pinned by `trace_lines`, asks nothing).
#[test]
fn terminal_trace() {
    if !crate::util::installed("terminal_trace", "script") {
        return;
    }
    let dir = Scratch::new();
    let file = dir.0.join("tab");
    std::fs::write(&file, "21 1 8:1 / / rw - ext4 /dev/sda1 rw\n").unwrap();
    let argv = vec!["-F".to_string(), file.to_string_lossy().into_owned()];
    let ours = tool_path("findmnt").to_string_lossy().into_owned();
    let shown = on_terminal(&ours, &argv, 45, "export ROOTBOX_TRACE=1;", "C.UTF-8");
    let shown = String::from_utf8_lossy(&shown);
    assert!(
        shown.contains("findmnt: ioctl(1, TIOCGWINSZ, {ws_row=50, ws_col=45}) = 0\r\nTARGET SOURCE    FSTYPE OPTIONS\r\n/      /dev/sda1 ext4   rw\r\n[exit 0]"),
        "{shown}"
    );
}

/// `--poll` keeps one table for every change, and libsmartcols keeps each column's
/// statistics in it: after a change of several mounts has made TARGET "extreme", a later
/// long target no longer widens the column and overflows onto the next line, piped or on a
/// terminal, beside util-linux.
#[test]
fn poll_keeps_column_statistics() {
    if !privileged("findmnt::poll_keeps_column_statistics")
        || !have_util_linux()
        || !crate::util::installed("poll_keeps_column_statistics", "script")
    {
        return;
    }
    let out = ns_sh(
        &[
            IDLE,
            KIDS,
            r#"
mount() { "${UL_MOUNT:-/usr/bin/mount}" "$@"; }
# Targets well over twice the average, whatever the scratch directory's name.
long=$(printf 'a-very-long-name%.0s' $(seq 8))
new=$(printf 'a-new-mount-point%.0s' $(seq 8))
mkdir -p a b c
mount -t tmpfs t a
mkdir a/x a/y a/z a/$long
for d in x y z $long; do mount -t tmpfs t a/$d; done
ul=${UL_FINDMNT:-/usr/bin/findmnt}
cols=ACTION,TARGET,SOURCE
"$ul" -p -w 4000 -o $cols > exp & P1=$!
"$RB/findmnt" -p -w 4000 -o $cols > got & P2=$!
script -q -c "stty cols 60 rows 50; exec $ul -p -w 4000 -o $cols" /dev/null > texp & S1=$!
script -q -c "stty cols 60 rows 50; exec '$RB/findmnt' -p -w 4000 -o $cols" /dev/null > tgot & S2=$!
P="$P1 $P2 $(kids $S1 $S2)"
idle $P
mount --rbind a b
idle $P
mount --rbind a/$long c
idle $P
mkdir c/$new
mount -t tmpfs t c/$new
wait
cmp exp got && echo piped same || { cat exp; echo ---; cat got; }
cmp texp tgot && echo terminal same || { cat texp; echo ---; cat tgot; }
grep -c '^                  t$' got
"#,
        ]
        .concat(),
    );
    assert_eq!(
        out.stdout, "piped same\nterminal same\n1\n",
        "{}",
        out.stderr
    );
}
