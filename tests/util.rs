//! The test harness: run a tool (through a link named like it) and look at its exit status,
//! stdout and stderr; run a shell script in a private mount namespace on a scratch tmpfs.
//!
//! Privileged tests call [`privileged`] first: without root or user namespaces they print
//! `SKIP: reason` and return, except under `CI=true`, where a skip is a failure.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::Write;
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The applets the tests call by name.
pub const APPLETS: &[&str] = &[
    "chroot",
    "findmnt",
    "lsns",
    "mount",
    "nsenter",
    "pivot_root",
    "umount",
    "unshare",
];

/// The multicall binary under test.
pub fn rootbox() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_rootbox"))
}

/// A directory of links named like the applets, pointing at the binary under test.
pub fn bin_dir() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir =
            Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("applets.{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        for name in APPLETS {
            let link = dir.join(name);
            let _ = std::fs::remove_file(&link);
            std::os::unix::fs::symlink(rootbox(), &link).unwrap();
        }
        dir
    })
}

/// The path of the link for `tool`.
pub fn tool_path(tool: &str) -> PathBuf {
    bin_dir().join(tool)
}

/// What a process did.
#[derive(Debug)]
pub struct Output {
    /// Exit code, or 128+N when killed by signal N (as a shell shows it).
    pub code: i32,
    /// Everything it wrote to stdout.
    pub stdout: String,
    /// Everything it wrote to stderr.
    pub stderr: String,
    /// stdout as raw bytes.
    pub raw_stdout: Vec<u8>,
}

impl Output {
    /// Assert exit code, stdout and stderr at once.
    #[track_caller]
    pub fn is(&self, code: i32, stdout: &str, stderr: &str) -> &Self {
        assert_eq!(
            (self.code, self.stdout.as_str(), self.stderr.as_str()),
            (code, stdout, stderr),
            "exit code, stdout, stderr"
        );
        self
    }

    /// Assert success with empty stderr; return stdout.
    #[track_caller]
    pub fn ok(&self) -> &str {
        assert_eq!(
            (self.code, self.stderr.as_str()),
            (0, ""),
            "stdout: {}",
            self.stdout
        );
        &self.stdout
    }

    /// Assert the exit code and the exact stderr, and that nothing went to stdout.
    #[track_caller]
    pub fn fails(&self, code: i32, stderr: &str) -> &Self {
        self.is(code, "", stderr)
    }
}

/// A command under construction.
pub struct Cmd {
    command: Command,
    stdin: Option<Vec<u8>>,
}

/// Run `tool` (an applet name) through its link.
pub fn tool(name: &str) -> Cmd {
    cmd(tool_path(name))
}

/// Run any program.
pub fn cmd(program: impl AsRef<OsStr>) -> Cmd {
    let mut command = Command::new(program);
    command.env_remove("ROOTBOX_TRACE").env("LC_ALL", "C");
    Cmd {
        command,
        stdin: None,
    }
}

impl Cmd {
    /// Add arguments.
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.command.args(args);
        self
    }

    /// Set an environment variable.
    pub fn env(mut self, key: &str, value: impl AsRef<OsStr>) -> Self {
        self.command.env(key, value);
        self
    }

    /// Run in `dir`.
    pub fn dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.command.current_dir(dir);
        self
    }

    /// Feed `input` on stdin.
    pub fn stdin(mut self, input: impl Into<Vec<u8>>) -> Self {
        self.stdin = Some(input.into());
        self
    }

    /// The underlying command, for anything else.
    pub fn command(&mut self) -> &mut Command {
        &mut self.command
    }

    /// Run to completion.
    pub fn run(mut self) -> Output {
        self.command
            .stdin(if self.stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = self.command.spawn().expect("spawn");
        if let Some(input) = self.stdin.take() {
            let mut pipe = child.stdin.take().unwrap();
            std::thread::spawn(move || {
                let _ = pipe.write_all(&input);
            });
        }
        let out = child.wait_with_output().expect("wait");
        let code = out
            .status
            .code()
            .unwrap_or_else(|| 128 + out.status.signal().unwrap_or(0));
        Output {
            code,
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            raw_stdout: out.stdout,
        }
    }
}

/// Whether privileged tests can run here: root, or user namespaces for an unprivileged user.
/// Prints `SKIP: reason` and returns false when they cannot; under `CI=true` that panics.
pub fn privileged(test: &str) -> bool {
    static PROBE: OnceLock<Result<(), String>> = OnceLock::new();
    let probe = PROBE.get_or_init(|| {
        let out = cmd("unshare").args(ns_args()).arg_list(&["true"]).run();
        if out.code == 0 {
            Ok(())
        } else {
            Err(format!(
                "cannot create a mount namespace: {}",
                out.stderr.trim()
            ))
        }
    });
    match probe {
        Ok(()) => true,
        Err(reason) => {
            assert!(
                std::env::var("CI").as_deref() != Ok("true"),
                "{test}: privileged test skipped under CI: {reason}"
            );
            println!("SKIP: {test}: {reason}");
            false
        }
    }
}

impl Cmd {
    fn arg_list(self, args: &[&str]) -> Self {
        self.args(args)
    }
}

/// Whether the tests run as root.
pub fn is_root() -> bool {
    nix_like_geteuid() == 0
}

fn nix_like_geteuid() -> u32 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(u32::MAX)
}

/// util-linux unshare arguments for the harness's private mount namespace (a user namespace
/// too when not root).
fn ns_args() -> Vec<&'static str> {
    let mut args = vec!["--mount", "--propagation", "private"];
    if !is_root() {
        args.splice(0..0, ["--user", "--map-root-user"]);
    }
    args
}

/// A scratch directory path, unique to this test run; removed by [`Scratch::drop`].
pub struct Scratch(pub PathBuf);

impl Scratch {
    /// A new empty directory under the system temp dir.
    pub fn new() -> Scratch {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("rootbox-test.{}.{n}", std::process::id()));
        std::fs::create_dir(&dir).unwrap();
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Run `script` with `sh -e` in a private mount namespace (the harness uses the system's
/// util-linux unshare), in a scratch tmpfs mounted on a fresh `mktemp`-style directory, which
/// is the current directory and `$SCRATCH`. `$RB` is the directory of the tool links under
/// test (call ours as `"$RB/mount"`; a bare `mount` is the system's). The host's mount table
/// is checked to be byte-identical before and after.
pub fn ns_sh(script: &str) -> Output {
    ns_sh_with(script, &[])
}

/// [`ns_sh`] with extra environment variables.
pub fn ns_sh_with(script: &str, env: &[(&str, &str)]) -> Output {
    let scratch = Scratch::new();
    let before = std::fs::read("/proc/self/mountinfo").unwrap();
    let wrapped =
        format!("set -e\nmount -t tmpfs rootbox-scratch \"$SCRATCH\"\ncd \"$SCRATCH\"\n{script}");
    let mut c = cmd("unshare")
        .args(ns_args())
        .args(["--", "sh", "-c", &wrapped, "sh"])
        .env("SCRATCH", &scratch.0)
        .env("RB", bin_dir());
    for (k, v) in env {
        c = c.env(k, v);
    }
    let out = c.run();
    let after = std::fs::read("/proc/self/mountinfo").unwrap();
    assert!(before == after, "the host's mount table changed");
    out
}

/// Whether `program` is installed; a test that needs it prints SKIP without it (and fails
/// under `CI=true`, where everything must run).
pub fn installed(test: &str, program: &str) -> bool {
    let found = cmd("sh")
        .args(["-c", &format!("command -v {program}")])
        .run()
        .code
        == 0;
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{test}: {program} is not installed"
        );
        println!("SKIP: {test}: {program} is not installed");
    }
    found
}

/// The rootfs builder under test.
pub const MKROOTFS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/mkrootfs.sh");

/// `ns_sh` with `$MKROOTFS` (the builder) and `$ROOTBOX` (the binary under test) set.
pub fn ns_sh_rootfs(script: &str) -> Output {
    let rootbox = rootbox().to_str().unwrap();
    let env = [
        ("MKROOTFS", MKROOTFS),
        ("ROOTBOX", rootbox),
        ("PATH", &with_sbin()),
    ];
    ns_sh_with(script, &env)
}

/// `$PATH` with the sbin directories, where GNU chroot lives, at the end.
pub fn with_sbin() -> String {
    let path = std::env::var("PATH").unwrap_or_default();
    format!("{path}:/usr/sbin:/sbin")
}

/// Run `script` in `ns_sh` after building a rootfs at `$SCRATCH/r` (with our binary as
/// `r/bin/rootbox` and its applet links) and mounting proc at `r/proc`.
pub fn rootfs_sh(script: &str) -> Output {
    ns_sh_rootfs(&format!(
        "\"$MKROOTFS\" r\nmount -t proc proc r/proc\n{script}"
    ))
}

/// Whether the tests run as real root, for a test that needs it (a user namespace will not
/// do: set-user-ID files, real uid switches, capabilities taken away by setpriv). Without
/// it the test prints `SKIP` and returns, except under `CI=true`, where a skip is a failure.
pub fn needs_root(test: &str) -> bool {
    if is_root() {
        return true;
    }
    assert!(
        std::env::var("CI").as_deref() != Ok("true"),
        "{test}: needs root under CI"
    );
    println!("SKIP: {test}: needs root");
    false
}

/// Copy the binary under test to `dest` with cp(1), not `std::fs::copy`: a file this
/// multi-threaded test process holds open for writing is inherited by every child another
/// test forks meanwhile (until its exec closes it), and executing the copy then fails with
/// ETXTBSY ("Text file busy"). cp's descriptor lives and dies in cp.
pub fn copy_rootbox(dest: &Path) {
    cmd("cp").args([rootbox(), dest]).run().ok();
}
