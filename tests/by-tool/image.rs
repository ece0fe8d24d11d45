//! Packaging: the static multicall in a minimal image, its size budget, and
//! `scripts/install.sh` (install, then `--uninstall` leaves the directory as it was).
//!
//! The minimal image holds only the static `rootbox`, its applet links and a static
//! BusyBox shell. A container is built from it with rootbox's own tools (`unshare -m
//! --fork`, `mount --bind`, `pivot_root . .`, `umount -l .`); inside, `findmnt`, `mount
//! -t tmpfs` and `umount` run, and a second container is built the same way from the
//! rootbox the first one holds. Everything happens in a private mount namespace on a
//! scratch tmpfs (`ns_sh`), which checks that the host's mount table is unchanged.

use std::collections::BTreeMap;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use crate::util::*;

/// The size budget of the static multicall with every applet (DESIGN.md §5).
const BUDGET: u64 = 1 << 20;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The static `rootbox`: `$ROOTBOX_STATIC` when set (a prebuilt binary), else built once
/// per test run by `scripts/build-static.sh`, which prints its path on the last line.
fn static_rootbox() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        if let Some(prebuilt) = std::env::var_os("ROOTBOX_STATIC") {
            return PathBuf::from(prebuilt);
        }
        let out = cmd("bash")
            .args(["scripts/build-static.sh"])
            .dir(repo())
            .run();
        assert_eq!(out.code, 0, "build-static.sh: {}", out.stderr);
        let last = out
            .stdout
            .lines()
            .last()
            .expect("build-static.sh printed no path");
        repo().join(last)
    })
}

/// Whether an ELF64 executable names a program interpreter (`PT_INTERP`): every
/// dynamically linked one does; static and static-pie binaries do not (elf(5)).
fn needs_interpreter(bin: &Path) -> bool {
    let elf = std::fs::read(bin).unwrap();
    assert_eq!(&elf[..5], b"\x7fELF\x02", "not an ELF64 file");
    let u16_at = |o: usize| usize::from(u16::from_le_bytes([elf[o], elf[o + 1]]));
    let phoff = usize::try_from(u64::from_le_bytes(elf[0x20..0x28].try_into().unwrap())).unwrap();
    let (phentsize, phnum) = (u16_at(0x36), u16_at(0x38));
    (0..phnum).any(|i| {
        let at = phoff + i * phentsize;
        u32::from_le_bytes(elf[at..at + 4].try_into().unwrap()) == 3 // PT_INTERP
    })
}

#[test]
fn elf_check_tells_static_from_dynamic() {
    // The test binary itself is dynamically linked; BusyBox-static is not.
    assert!(needs_interpreter(rootbox()));
    if Path::new("/bin/busybox").is_file() {
        assert!(!needs_interpreter(Path::new("/bin/busybox")));
    }
}

#[test]
fn static_multicall_is_static_and_within_budget() {
    let bin = static_rootbox();
    let size = std::fs::metadata(bin).unwrap().len();
    println!("static rootbox: {size} bytes ({})", bin.display());
    assert!(size <= BUDGET, "{size} bytes is over the 1 MiB budget");
    assert!(
        !needs_interpreter(bin),
        "{} is dynamically linked",
        bin.display()
    );
    // Every applet is in it.
    cmd(bin).args(["--list"]).run().is(
        0,
        "chroot\nfindmnt\nlsns\nmount\nnsenter\npivot_root\numount\nunshare\n",
        "",
    );
}

/// Build the image in `$SCRATCH/image`, start container 1 in it, and inside, container 2.
/// Each step prints what the test compares; `same`/`DIFFERENT` compare dev:inode pairs.
const IMAGE_SCRIPT: &str = r#"
R=$SCRATCH/image
mkdir -p "$R/bin" "$R/proc" "$R/mnt" "$R/tmp"
cp "$STATIC" "$R/bin/rootbox"
cp "$BUSYBOX" "$R/bin/busybox"
ln -s busybox "$R/bin/sh"
"$R/bin/rootbox" --install "$R/bin"
echo "image: $(cd "$R" && ls bin | tr '\n' ' ')"
export HOST_ROOT=$(stat -c %d:%i "$R")

# Container 1, run by the image's own busybox shell. Full paths everywhere: a bare
# `mount` in BusyBox's shell could run BusyBox's own applet.
cat > "$R/stage1" <<'EOS'
set -e
same() { if [ "$1" = "$2" ]; then echo same; else echo "DIFFERENT ($1 vs $2)"; fi; }
echo "c1: / is the image: $(same "$(stat -c %d:%i /)" "$HOST_ROOT")"
/bin/findmnt --version
/bin/mount -t proc proc /proc
echo "c1 mounts: $(/bin/findmnt -rn -o TARGET,FSTYPE | tr '\n' ' ')"
/bin/mount -t tmpfs -o size=1m scratch /mnt
echo "c1 /mnt: $(/bin/findmnt -rn -M /mnt -o SOURCE,FSTYPE)"
echo data > /mnt/file
/bin/umount /mnt
# (No /dev in the image: no >/dev/null.)
if [ -e /mnt/file ] || still=$(/bin/findmnt -M /mnt); then echo "c1: /mnt still mounted"; fi
echo "c1 after umount: $(/bin/findmnt -rn -o TARGET | tr '\n' ' ')"

# Container 2, nested, from the rootbox container 1 holds.
/bin/mount -t tmpfs tmpfs /tmp
I=/tmp/inner
mkdir -p $I/bin $I/proc $I/mnt
cp /bin/rootbox /bin/busybox $I/bin/
ln -s busybox $I/bin/sh
$I/bin/rootbox --install $I/bin
export C1_INNER=$(stat -c %d:%i $I)
cat > $I/stage2 <<'EOS2'
set -e
same() { if [ "$1" = "$2" ]; then echo same; else echo "DIFFERENT ($1 vs $2)"; fi; }
echo "c2: / is the inner image: $(same "$(stat -c %d:%i /)" "$C1_INNER")"
/bin/mount -t proc proc /proc
/bin/mount -t tmpfs tmpfs /mnt
echo "c2 mounts: $(/bin/findmnt -rn -o TARGET,FSTYPE | tr '\n' ' ')"
/bin/umount /mnt
exit 7
EOS2
status=0
/bin/unshare -m --fork /bin/sh -c '
    set -e
    /bin/mount --bind /tmp/inner /tmp/inner
    cd /tmp/inner
    /bin/pivot_root . .
    /bin/umount -l .
    cd /
    exec /bin/sh /stage2' || status=$?
echo "c2 exit: $status"
echo "c1 after c2: $(/bin/findmnt -rn -o TARGET | tr '\n' ' ')"
EOS

status=0
"$R/bin/unshare" -m --fork "$R/bin/sh" -c '
    set -e
    "$1/bin/mount" --bind "$1" "$1"
    cd "$1"
    "$1/bin/pivot_root" . .
    /bin/umount -l .
    cd /
    exec /bin/sh /stage1' sh "$R" || status=$?
echo "c1 exit: $status"
# Nothing the containers mounted is left in this namespace.
echo "left: $(findmnt -rn -o TARGET | grep -c "^$R" || true)"
"#;

#[test]
fn minimal_image_runs_a_container_and_a_nested_one_with_its_own_tools() {
    if !privileged("minimal_image_runs_a_container_and_a_nested_one_with_its_own_tools") {
        return;
    }
    let busybox = Path::new("/bin/busybox");
    if !busybox.is_file() {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "no /bin/busybox under CI (install busybox-static)"
        );
        println!("SKIP: minimal image: no static /bin/busybox");
        return;
    }
    let bin = static_rootbox().to_str().unwrap();
    let out = ns_sh_with(
        IMAGE_SCRIPT,
        &[("STATIC", bin), ("BUSYBOX", "/bin/busybox")],
    );
    let version = env!("CARGO_PKG_VERSION");
    let expected = format!(
        "image: busybox chroot findmnt lsns mount nsenter pivot_root rootbox sh umount unshare \n\
         c1: / is the image: same\n\
         findmnt from rootbox {version}\n\
         c1 mounts: / tmpfs /proc proc \n\
         c1 /mnt: scratch tmpfs\n\
         c1 after umount: / /proc \n\
         c2: / is the inner image: same\n\
         c2 mounts: / tmpfs /proc proc /mnt tmpfs \n\
         c2 exit: 7\n\
         c1 after c2: / /proc /tmp \n\
         c1 exit: 0\n\
         left: 0\n"
    );
    out.is(0, &expected, "");
}

// --- scripts/install.sh ---------------------------------------------------------------

/// Everything under `dir`: relative path → (kind, mode, content or link target, inode).
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (char, u32, Vec<u8>, u64)> {
    let mut all = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            let meta = std::fs::symlink_metadata(&path).unwrap();
            let (kind, body) = if meta.is_symlink() {
                let target = std::fs::read_link(&path).unwrap();
                ('l', target.into_os_string().into_encoded_bytes())
            } else if meta.is_dir() {
                todo.push(path.clone());
                ('d', Vec::new())
            } else {
                ('f', std::fs::read(&path).unwrap())
            };
            let rel = path.strip_prefix(dir).unwrap().to_path_buf();
            all.insert(rel, (kind, meta.permissions().mode(), body, meta.ino()));
        }
    }
    all
}

/// Man pages and completions the repository ships, as install.sh should place them.
fn shipped() -> Vec<(PathBuf, PathBuf)> {
    let mut files = Vec::new();
    for dir in std::fs::read_dir(repo()).unwrap() {
        let dir = dir.unwrap().path();
        let man = if dir.file_name().unwrap() == "man" {
            dir.clone()
        } else {
            dir.join("man")
        };
        let Ok(pages) = std::fs::read_dir(&man) else {
            continue;
        };
        for page in pages {
            let page = page.unwrap().path();
            let name = page.file_name().unwrap().to_str().unwrap().to_owned();
            let section = name.rsplit('.').next().unwrap().to_owned();
            files.push((
                page,
                PathBuf::from(format!("share/man/man{section}/{name}")),
            ));
        }
    }
    for completion in std::fs::read_dir(repo().join("completions")).unwrap() {
        let completion = completion.unwrap().path();
        let name = completion.file_name().unwrap().to_owned();
        files.push((
            completion,
            Path::new("share/bash-completion/completions").join(name),
        ));
    }
    files.sort();
    files
}

fn install(prefix: &Path, extra: &[&str]) -> Output {
    cmd("bash")
        .args(["scripts/install.sh", "--prefix"])
        .args([prefix])
        .args(["--binary"])
        .args([rootbox()])
        .args(extra)
        .dir(repo())
        .run()
}

#[test]
fn install_places_everything_and_uninstall_removes_exactly_that() {
    let scratch = Scratch::new();
    let prefix = scratch.0.join("usr");
    // Something of the user's is already there: install must leave it alone, and
    // uninstall must not take it away.
    std::fs::create_dir_all(prefix.join("bin")).unwrap();
    std::fs::write(prefix.join("bin/mount"), "the user's own mount\n").unwrap();
    std::fs::create_dir_all(prefix.join("share/man/man8")).unwrap();
    std::fs::write(prefix.join("share/man/man8/other.8"), ".TH OTHER 8\n").unwrap();
    let before = snapshot(&scratch.0);
    let pages = shipped();
    assert!(
        pages.len() >= 9 + 9,
        "expected 9 man pages and 9 completions: {pages:?}"
    );

    for symlinks in [false, true] {
        let flags: &[&str] = if symlinks { &["--symlinks"] } else { &[] };
        let out = install(&prefix, flags);
        let left_alone = format!(
            "install.sh: '{}/bin/mount' exists, left alone\n",
            prefix.display()
        );
        out.is(0, "", &left_alone);
        // Running it again adds nothing and complains only about the user's file.
        install(&prefix, flags).is(0, "", &left_alone);

        let bin = prefix.join("bin/rootbox");
        assert_eq!(
            std::fs::read(&bin).unwrap(),
            std::fs::read(rootbox()).unwrap()
        );
        assert_eq!(
            std::fs::metadata(&bin).unwrap().permissions().mode() & 0o7777,
            0o755
        );
        for applet in APPLETS {
            let link = prefix.join("bin").join(applet);
            if *applet == "mount" {
                assert_eq!(
                    std::fs::read_to_string(&link).unwrap(),
                    "the user's own mount\n"
                );
                continue;
            }
            let meta = std::fs::symlink_metadata(&link).unwrap();
            if symlinks {
                assert_eq!(std::fs::read_link(&link).unwrap(), Path::new("rootbox"));
            } else {
                assert_eq!(
                    meta.ino(),
                    std::fs::metadata(&bin).unwrap().ino(),
                    "{applet}"
                );
            }
        }
        // The installed binary dispatches through its links.
        cmd(prefix.join("bin/rootbox")).args(["--list"]).run().ok();
        for (source, dest) in &pages {
            let installed = prefix.join(dest);
            assert_eq!(
                std::fs::read(&installed).unwrap(),
                std::fs::read(source).unwrap(),
                "{}",
                dest.display()
            );
            assert_eq!(
                std::fs::metadata(&installed).unwrap().permissions().mode() & 0o777,
                0o644
            );
        }
        // An installed completion finds the shared helpers beside it.
        let umount = prefix.join("share/bash-completion/completions/umount");
        cmd("bash")
            .args(["-c", ". \"$1\" && declare -F _rootbox_reply", "bash"])
            .args([&umount])
            .run()
            .is(0, "_rootbox_reply\n", "");

        install(&prefix, &["--uninstall"]).is(0, "", "");
        assert!(
            snapshot(&scratch.0) == before,
            "uninstall left the prefix different from before the install"
        );
    }
    // Nothing to uninstall any more: a clear error.
    let out = install(&prefix, &["--uninstall"]);
    assert_eq!(out.code, 1);
    assert!(
        out.stderr
            .starts_with("install.sh: nothing installed under"),
        "{}",
        out.stderr
    );
}

#[test]
fn install_into_an_empty_prefix_leaves_nothing_behind() {
    let scratch = Scratch::new();
    let prefix = scratch.0.join("opt/rootbox");
    install(&prefix, &["--symlinks"]).is(0, "", "");
    assert!(prefix.join("share/man/man8/findmnt.8").is_file());
    assert!(prefix.join("share/man/man1/rootbox.1").is_file());
    assert!(
        prefix
            .join("share/bash-completion/completions/rootbox")
            .is_file()
    );
    install(&prefix, &["--uninstall"]).is(0, "", "");
    // The directories the install made are gone too, up to the prefix itself.
    let left: Vec<_> = snapshot(&scratch.0).into_keys().collect();
    assert!(left.is_empty(), "left behind: {left:?}");
}
