//! The documentation agrees with the tools: for every tool, the options its `--help` prints
//! are exactly the options its man page documents and its bash completion offers; every
//! page renders without a warning; the completions offer what they promise (options,
//! findmnt columns, fstypes from /proc/filesystems, mount points for umount, namespace
//! types, pids, applets).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use crate::util::*;

/// Each tool with its man page (relative to the repository root).
const PAGES: &[(&str, &str)] = &[
    ("rootbox", "man/rootbox.1"),
    ("chroot", "chroot-rs/man/chroot.1"),
    ("findmnt", "findmnt-rs/man/findmnt.8"),
    ("lsns", "lsns-rs/man/lsns.8"),
    ("mount", "mount-rs/man/mount.8"),
    ("nsenter", "nsenter-rs/man/nsenter.1"),
    ("pivot_root", "pivot-root-rs/man/pivot_root.8"),
    ("umount", "mount-rs/man/umount.8"),
    ("unshare", "unshare-rs/man/unshare.1"),
];

/// Options a tool accepts but, like util-linux, does not list in `--help`: they must still
/// be in the man page and the completion, and the tool must accept them.
const HIDDEN_FROM_HELP: &[(&str, &str)] = &[
    // util-linux mount takes -s (sloppy) and leaves it out of its help; its man page has it.
    ("mount", "-s"),
];

fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repo(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn page_of(name: &str) -> &'static str {
    PAGES.iter().find(|(n, _)| *n == name).unwrap().1
}

/// The option names (`-x`, `--long`) in a piece of text: words made of letters, digits
/// and dashes that start with a dash; anything else (`=<file>`, `[`, `,`, `|`) separates.
fn option_words(text: &str) -> BTreeSet<String> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .filter(|w| {
            (w.len() == 2 && w.starts_with('-') && *w != "--")
                || (w.len() > 2 && w.starts_with("--"))
        })
        .map(str::to_owned)
        .collect()
}

/// The options listed by a util-linux style help: rows that start with a dash after an
/// indent of one to eight spaces; the option part ends at the first run of two spaces.
fn help_options(help: &str) -> BTreeSet<String> {
    let mut options = BTreeSet::new();
    for line in help.lines() {
        let body = line.trim_start();
        // Prose (indent 0) and continuation lines (deep indent) are not option rows.
        let indent = line.len() - body.len();
        if !body.starts_with('-') || !(1..=8).contains(&indent) {
            continue;
        }
        let spec = body.split("  ").next().unwrap_or(body);
        options.extend(option_words(spec));
    }
    options
}

/// The options a man page documents: the tag line after each `.TP` (or `.TQ`, a further
/// tag of the same item) that starts with a bold dash, written with font escapes
/// (`\fB\-m\fR, \fB\-\-mount\fR[=\fIfile\fR]`) or font macros (`.BR \-h ", " \-\-help`).
fn man_options(roff: &str) -> BTreeSet<String> {
    let mut options = BTreeSet::new();
    let mut lines = roff.lines();
    while let Some(line) = lines.next() {
        if line == ".TP" || line == ".TQ" || line.starts_with(".TP ") {
            let is_option = |t: &&str| {
                ["\\fB\\-", ".B \\-", ".BR \\-", ".BI \\-"]
                    .iter()
                    .any(|p| t.starts_with(p))
            };
            if let Some(tag) = lines.next().filter(is_option) {
                options.extend(option_words(&unroff(tag)));
            }
        }
    }
    options
}

/// A roff line as plain text: font escapes dropped, `\-` as `-`.
fn unroff(line: &str) -> String {
    line.replace("\\fB", "")
        .replace("\\fI", "")
        .replace("\\fR", "")
        .replace("\\fP", "")
        .replace("\\-", "-")
}

/// The text of a completion file's `NAME='...'` assignment (may span lines).
fn completion_list(file: &str, name: &str) -> Option<String> {
    let start = file.find(&format!("local {name}='"))? + name.len() + 8;
    let end = file[start..].find('\'')?;
    Some(file[start..start + end].to_owned())
}

fn help_of(name: &str) -> Output {
    if name == "rootbox" {
        cmd(rootbox()).args(["--help"]).run()
    } else {
        tool(name).args(["--help"]).run()
    }
}

fn diff(a: &BTreeSet<String>, b: &BTreeSet<String>) -> (Vec<String>, Vec<String>) {
    (
        a.difference(b).cloned().collect(),
        b.difference(a).cloned().collect(),
    )
}

/// --help, man page and completion list the same options, for every tool.
#[test]
fn help_man_page_and_completion_list_the_same_options() {
    let mut problems = Vec::new();
    for (name, page) in PAGES {
        let help = help_of(name);
        if help.code != 0 || help.stdout.is_empty() {
            problems.push(format!(
                "{name} --help: exit {}, stderr {:?}",
                help.code, help.stderr
            ));
            continue;
        }
        let mut from_help = help_options(&help.stdout);
        for (tool, option) in HIDDEN_FROM_HELP.iter().filter(|(t, _)| t == name) {
            assert!(
                !from_help.contains(*option),
                "{tool} --help lists {option} now"
            );
            from_help.insert((*option).to_owned());
        }
        let from_man = man_options(&read(page));
        let (undocumented, not_in_help) = diff(&from_help, &from_man);
        if !undocumented.is_empty() || !not_in_help.is_empty() {
            problems.push(format!(
                "{name}: in --help but not in {page}: {undocumented:?}; \
                 in {page} but not in --help: {not_in_help:?}"
            ));
        }
        let completion = read(&format!("completions/{name}"));
        if *name == "rootbox" {
            // rootbox's own options are few; they are offered literally.
            for option in &from_help {
                if !option_words(&completion).contains(option) {
                    problems.push(format!("rootbox: {option} not in completions/rootbox"));
                }
            }
            continue;
        }
        let Some(list) = completion_list(&completion, "opts") else {
            problems.push(format!("completions/{name}: no opts='...' list"));
            continue;
        };
        let (not_offered, unknown) = diff(&from_help, &option_words(&list));
        if !not_offered.is_empty() || !unknown.is_empty() {
            problems.push(format!(
                "{name}: in --help but not completed: {not_offered:?}; \
                 completed but not in --help: {unknown:?}"
            ));
        }
    }
    assert!(problems.is_empty(), "\n{}", problems.join("\n"));
}

/// The column names a tool lists in its help (`Available output columns:` rows), or in
/// `-H` output when the help has none.
fn tool_columns(name: &str) -> BTreeSet<String> {
    let first_words = |text: &str| -> BTreeSet<String> {
        text.lines()
            .filter_map(|l| l.split_whitespace().next())
            .map(str::to_owned)
            .collect()
    };
    let help = help_of(name);
    if let Some((_, tail)) = help.stdout.split_once("Available output columns:\n") {
        let block = tail.split("\n\n").next().unwrap_or("");
        return first_words(block);
    }
    let listed = tool(name).args(["-H"]).run();
    assert_eq!(listed.code, 0, "{name}: no column list in --help nor -H");
    first_words(&listed.stdout)
}

/// The column names in a man page's COLUMNS section.
fn man_columns(roff: &str) -> BTreeSet<String> {
    let section = roff
        .split_once(".SH COLUMNS\n")
        .map(|(_, rest)| rest.split("\n.SH ").next().unwrap_or(""))
        .unwrap_or("");
    // The tags: the `.B NAME` line after each `.TP` or `.TQ`.
    let lines: Vec<&str> = section.lines().collect();
    lines
        .windows(2)
        .filter(|w| w[0].starts_with(".TP") || w[0] == ".TQ")
        .filter_map(|w| w[1].strip_prefix(".B "))
        .map(|c| c.replace("\\-", "-"))
        .collect()
}

#[test]
fn options_hidden_from_help_are_accepted() {
    for (name, option) in HIDDEN_FROM_HELP {
        // Accepted: a following --help still answers.
        let out = tool(name).args([*option, "--help"]).run();
        assert_eq!((out.code, out.stderr.as_str()), (0, ""), "{name} {option}");
    }
}

#[test]
fn findmnt_and_lsns_columns_are_documented_and_completed() {
    for name in ["findmnt", "lsns"] {
        let columns = tool_columns(name);
        assert!(
            columns.contains("TARGET") || columns.contains("NS"),
            "{columns:?}"
        );
        assert_eq!(
            man_columns(&read(page_of(name))),
            columns,
            "{name}.8 COLUMNS"
        );
        let completion = read(&format!("completions/{name}"));
        let list = completion_list(&completion, "columns").unwrap();
        let completed: BTreeSet<String> = list.split_whitespace().map(str::to_owned).collect();
        assert_eq!(completed, columns, "completions/{name} columns");
    }
}

/// Whether an external program can run; otherwise SKIP, except under CI=true.
fn have(program: &str, test: &str) -> bool {
    let found = std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(program).is_file()));
    if !found {
        assert!(
            std::env::var("CI").as_deref() != Ok("true"),
            "{test}: {program} is missing under CI (install man-db and groff-base)"
        );
        println!("SKIP: {test}: {program} is not installed");
    }
    found
}

#[test]
fn every_page_renders_without_warnings() {
    if !have("groff", "every_page_renders_without_warnings")
        || !have("man", "every_page_renders_without_warnings")
    {
        return;
    }
    for (name, page) in PAGES {
        let path = repo(page);
        // groff itself, every warning category on.
        cmd("groff")
            .args(["-man", "-ww", "-z"])
            .arg_path(&path)
            .run()
            .is(0, "", "");
        // man-db, as a user reads it (no pager: stdout is a pipe).
        let shown = cmd("man")
            .args(["--warnings", "-l"])
            .arg_path(&path)
            .env("MANWIDTH", "80")
            .run();
        assert_eq!(
            (shown.code, shown.stderr.as_str()),
            (0, ""),
            "man -l {page}"
        );
        let title = name.to_uppercase();
        assert!(shown.stdout.starts_with(&title), "{page}: {}", shown.stdout);
        for heading in ["NAME", "SYNOPSIS", "DESCRIPTION", "OPTIONS", "EXIT STATUS"] {
            assert!(
                shown.stdout.contains(&format!("\n{heading}\n")),
                "{page}: no {heading}"
            );
        }
        assert!(
            shown.stdout.contains(&format!("\n       {name} - ")),
            "{page}: NAME line"
        );
    }
}

impl Cmd {
    fn arg_path(self, path: &Path) -> Self {
        self.args([path])
    }
}

#[test]
fn every_page_has_the_required_sections_and_names_its_file() {
    for (name, page) in PAGES {
        let roff = read(page);
        let section = &page[page.len() - 1..];
        let th = format!(".TH {} {section} ", name.to_uppercase());
        let th_line = roff.lines().find(|l| l.starts_with(&th));
        assert!(th_line.is_some(), "{page}: {th}");
        // The footer names the version the page describes.
        let version = format!("\"rootbox {}\"", env!("CARGO_PKG_VERSION"));
        assert!(th_line.unwrap().contains(&version), "{page}: {version}");
        for heading in [
            "NAME",
            "SYNOPSIS",
            "DESCRIPTION",
            "OPTIONS",
            "EXIT STATUS",
            "ENVIRONMENT",
            "NOTES",
            "SEE ALSO",
        ] {
            assert!(
                roff.contains(&format!("\n.SH {heading}\n")),
                "{page}: no .SH {heading}"
            );
        }
        assert!(
            roff.contains("\n.B ROOTBOX_TRACE\n"),
            "{page}: ROOTBOX_TRACE"
        );
        // Every page points back to the multicall, and the multicall to every page.
        if *name != "rootbox" {
            assert!(roff.contains(".BR rootbox (1)"), "{page}: SEE ALSO rootbox");
        }
    }
}

#[test]
fn rootbox_page_covers_every_applet_and_the_dispatch_rules() {
    let roff = read("man/rootbox.1");
    let applets = cmd(rootbox()).args(["--list"]).run();
    for applet in applets.ok().lines() {
        let section = &page_of(applet)[page_of(applet).len() - 1..];
        assert!(
            roff.contains(&format!(".BR {applet} ({section})")),
            "rootbox.1 does not name {applet}({section})"
        );
    }
    for needle in [
        "\n.B 127\n",
        "applet not found",
        "argv[0]",
        "AT_SECURE",
        "set-user-ID",
    ] {
        assert!(roff.contains(needle), "rootbox.1 lacks {needle:?}");
    }
}

#[test]
fn chroot_page_says_it_is_not_a_security_boundary() {
    let roff = read("chroot-rs/man/chroot.1");
    let description = roff
        .split_once(".SH DESCRIPTION\n")
        .and_then(|(_, d)| d.split_once("\n.SH "))
        .unwrap()
        .0;
    assert!(description.contains(".B chroot is not a security boundary\n"));
    assert!(roff.contains(".BR pivot_root (8)"));
}

// --- completions, run in bash ----------------------------------------------------------

/// Complete `words` (the last one is the word being completed) with the completion files
/// sourced as bash-completion would load them; returns the candidates, one per line.
fn complete(words: &[&str]) -> Vec<String> {
    complete_with(words, "", None)
}

fn complete_with(words: &[&str], setup: &str, in_ns: Option<&str>) -> Vec<String> {
    let quoted: Vec<String> = words
        .iter()
        .map(|w| format!("'{}'", w.replace('\'', "'\\''")))
        .collect();
    let function = if words[0] == "rootbox" {
        "_rootbox".to_owned()
    } else {
        format!("_rootbox_{}", words[0])
    };
    let script = format!(
        "set -u\n{setup}\n. \"$COMPLETIONS/{first}\"\n\
         COMP_WORDS=({words}); COMP_CWORD={cword}; COMPREPLY=()\n\
         {function}\nprintf '%s\\n' \"${{COMPREPLY[@]}}\"\n",
        first = words[0],
        words = quoted.join(" "),
        cword = words.len() - 1,
    );
    let out = match in_ns {
        // Inside a private mount namespace (made by ns_sh); bash runs there.
        Some(pre) => {
            let body = format!(
                "{pre}\nexport COMPLETIONS='{}'\nbash -c '{}'",
                repo("completions").display(),
                script.replace('\'', "'\\''")
            );
            ns_sh(&body)
        }
        None => {
            let mut path = bin_dir().as_os_str().to_owned();
            path.push(":");
            path.push(std::env::var_os("PATH").unwrap_or_default());
            cmd("bash")
                .args(["-c", &script])
                .env("COMPLETIONS", repo("completions"))
                .env("PATH", path)
                .run()
        }
    };
    assert_eq!((out.code, out.stderr.as_str()), (0, ""), "{words:?}");
    out.stdout
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_completion_file_is_valid_bash_and_registers_its_tool() {
    for (name, _) in PAGES {
        let file = repo(&format!("completions/{name}"));
        let out = cmd("bash")
            .args(["-c", ". \"$1\" && complete -p \"$2\"", "bash"])
            .arg_path(&file)
            .args([name])
            .run();
        let function = if *name == "rootbox" {
            "_rootbox".to_owned()
        } else {
            format!("_rootbox_{name}")
        };
        out.is(0, &format!("complete -F {function} {name}\n"), "");
    }
}

#[test]
fn completes_options_of_each_tool() {
    assert_eq!(complete(&["unshare", "--map-r"]), ["--map-root-user"]);
    assert_eq!(complete(&["umount", "--la"]), ["--lazy"]);
    assert_eq!(complete(&["pivot_root", "-"]).len(), 4);
    assert_eq!(complete(&["chroot", "--u"]), ["--userspec"]);
    assert_eq!(
        complete(&["unshare", "--propagation", ""]),
        ["private", "shared", "slave", "unchanged"]
    );
    // `--opt=value` reaches the function split at the `=`, as bash splits it.
    assert_eq!(complete(&["unshare", "--setgroups", "=", "d"]), ["deny"]);
    assert_eq!(
        complete(&["lsns", "--tree", "=", ""]),
        ["parent", "owner", "process"]
    );
}

#[test]
fn completes_findmnt_columns_item_by_item() {
    assert_eq!(
        complete(&["findmnt", "-o", "TARGET,SOU"]),
        ["TARGET,SOURCE", "TARGET,SOURCES"]
    );
    assert_eq!(
        complete(&["findmnt", "--output", "=", "+PROP"]),
        ["+PROPAGATION"]
    );
    assert_eq!(complete(&["findmnt", "-o", "MAJ"]), ["MAJ:MIN"]);
}

#[test]
fn completes_fstypes_from_proc_filesystems() {
    let known: BTreeSet<String> = std::fs::read_to_string("/proc/filesystems")
        .unwrap()
        .lines()
        .filter_map(|l| l.split_whitespace().last())
        .map(str::to_owned)
        .collect();
    let offered: BTreeSet<String> = complete(&["mount", "-t", ""]).into_iter().collect();
    assert_eq!(offered, known);
    assert_eq!(complete(&["mount", "-t", "tmp"]), ["tmpfs"]);
    assert!(complete(&["findmnt", "-t", "proc,tm"]).contains(&"proc,tmpfs".to_owned()));
}

#[test]
fn completes_namespace_types_pids_and_applets() {
    assert_eq!(complete(&["lsns", "-t", "u"]), ["user", "uts"]);
    assert_eq!(
        complete(&["lsns", "-t", ""]),
        ["mnt", "net", "ipc", "user", "pid", "uts", "cgroup", "time"]
    );
    // The completing shell's own pid is offered (and only numbers are).
    let pids = complete(&["nsenter", "-t", ""]);
    assert!(pids.iter().all(|p| p.parse::<u32>().is_ok()), "{pids:?}");
    assert!(pids.contains(&"1".to_owned()), "{pids:?}");
    assert_eq!(complete(&["nsenter", "--target", "=", "1"])[0], "1");
    let listed = cmd(rootbox()).args(["--list"]).run();
    let applets: Vec<String> = listed.ok().lines().map(str::to_owned).collect();
    let mut with_rootbox_in_path = applets.clone();
    with_rootbox_in_path.retain(|a| a.starts_with('u'));
    // `rootbox` must be on PATH, as it is when a user types it: link it there.
    let dir = Scratch::new();
    std::os::unix::fs::symlink(rootbox(), dir.0.join("rootbox")).unwrap();
    let setup = format!("PATH='{}':$PATH", dir.0.display());
    assert_eq!(
        complete_with(&["rootbox", "u"], &setup, None),
        with_rootbox_in_path
    );
    assert_eq!(complete_with(&["rootbox", ""], &setup, None), applets);
    // `rootbox APPLET ...` completes as the applet does.
    assert_eq!(complete(&["rootbox", "umount", "--rec"]), ["--recursive"]);
    assert_eq!(complete(&["rootbox", "--install", "-"]), ["-s", "-f"]);
}

#[test]
fn completes_mount_points_for_umount_unescaped_and_quoted() {
    if !privileged("completes_mount_points_for_umount_unescaped_and_quoted") {
        return;
    }
    // Inside a private namespace: a tmpfs on a directory whose name holds a space and a
    // backslash (mountinfo writes them as \040 and \134).
    let pre = "mkdir 'a b\\c' && mount -t tmpfs t \"$SCRATCH/a b\\c\" && cd /";
    let scratch_words = ["umount", ""];
    let offered = complete_with(&scratch_words, "", Some(pre));
    let wanted = offered
        .iter()
        .find(|w| w.ends_with("/a\\ b\\\\c"))
        .unwrap_or_else(|| panic!("{offered:?}"));
    assert!(!wanted.contains("\\040"), "{wanted}");
    assert!(offered.contains(&"/".to_owned()));
    // The prefix filter works on the unescaped name.
    let proc = complete_with(&["umount", "/pro"], "", Some(pre));
    assert!(proc.contains(&"/proc".to_owned()), "{proc:?}");
    assert!(proc.iter().all(|m| m.starts_with("/pro")), "{proc:?}");
}

#[test]
fn option_parsers_of_this_test_read_both_layouts() {
    let help = " -m, --mount[=<file>]      unshare mounts namespace\n \
                --map-user=<uid>|<name>   map current user to uid (implies --user)\n     \
                --preserve-credentials do not touch uids or gids\n \
                -W. --wdns <dir>       set the working directory in namespace\n\
                Usage: x [-a]\n\
                --prose at indent 0 is not an option row\n      \
                --groups=G_LIST        specify supplementary groups as g1,g2,..,gN\n";
    let want: BTreeSet<String> = [
        "-m",
        "--mount",
        "--map-user",
        "--preserve-credentials",
        "-W",
        "--wdns",
        "--groups",
    ]
    .map(str::to_owned)
    .into();
    assert_eq!(help_options(help), want);
    let roff = ".TP\n\\fB\\-m\\fR, \\fB\\-\\-mount\\fR[=\\fIfile\\fR]\ntext --not\n\
                .TP 14\n.B TARGET\n.TP\n\\fB\\-\\-install\\fR [\\fB\\-s\\fR] \\fIdir\\fR\n\
                .TQ\n\\fB\\-F\\fR\n.TP\n.BR \\-h \", \" \\-\\-help\n.TP\n.BI \\-\\-userspec= USER : GROUP\n\
                .TP\n.B \\-\\-skip\\-chdir\n.TP\n.B TARGET\n";
    let want: BTreeSet<String> = [
        "-m",
        "--mount",
        "--install",
        "-s",
        "-F",
        "-h",
        "--help",
        "--userspec",
        "--skip-chdir",
    ]
    .map(str::to_owned)
    .into();
    assert_eq!(man_options(roff), want);
}
