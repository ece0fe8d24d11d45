//! Usage errors in the shape glibc getopt gives util-linux, and `--version`.

use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

use crate::Failure;

/// `prog from rootbox X.Y.Z`, the `--version` line of every tool.
pub fn version(prog: &str) -> String {
    format!("{prog} from rootbox {}\n", env!("CARGO_PKG_VERSION"))
}

/// A lexopt error as getopt words it (`unrecognized option '--foo'`,
/// `invalid option -- 'z'`, `option requires an argument -- 'w'`, ...), as a usage error.
pub fn from_lexopt(error: lexopt::Error) -> Failure {
    use lexopt::Error as E;
    let message = match error {
        E::UnexpectedOption(opt) => match opt.strip_prefix("--") {
            Some(_) => format!("unrecognized option '{opt}'"),
            None => format!("invalid option -- '{}'", opt.trim_start_matches('-')),
        },
        E::MissingValue { option: Some(opt) } if opt.starts_with("--") => {
            format!("option '{opt}' requires an argument")
        }
        E::MissingValue { option: Some(opt) } => {
            format!(
                "option requires an argument -- '{}'",
                opt.trim_start_matches('-')
            )
        }
        E::MissingValue { option: None } => "option requires an argument".to_string(),
        E::UnexpectedValue { option, .. } => format!("option '{option}' doesn't allow an argument"),
        E::UnexpectedArgument(arg) => format!("unexpected argument '{}'", lossy(&arg)),
        other => other.to_string(),
    };
    Failure::usage(message)
}

/// Bytes shown as text for a message: invalid UTF-8 replaced, nothing else changed.
pub fn lossy(s: &OsStr) -> String {
    String::from_utf8_lossy(s.as_bytes()).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(args: &[&str]) -> String {
        let mut p = lexopt::Parser::from_iter(args.iter().copied());
        from_lexopt(p.next().unwrap().unwrap().unexpected()).message()
    }

    #[test]
    fn getopt_words() {
        assert_eq!(msg(&["x", "--bogus"]), "unrecognized option '--bogus'");
        assert_eq!(msg(&["x", "-Z"]), "invalid option -- 'Z'");
        let mut p = lexopt::Parser::from_iter(["x", "--wd"]);
        p.next().unwrap();
        assert_eq!(
            from_lexopt(p.value().unwrap_err()).message(),
            "option '--wd' requires an argument"
        );
        let mut p = lexopt::Parser::from_iter(["x", "-w"]);
        p.next().unwrap();
        assert_eq!(
            from_lexopt(p.value().unwrap_err()).message(),
            "option requires an argument -- 'w'"
        );
        let mut p = lexopt::Parser::from_iter(["x", "--fork=3"]);
        p.next().unwrap();
        assert_eq!(
            from_lexopt(p.next().unwrap_err()).message(),
            "option '--fork' doesn't allow an argument"
        );
        assert!(from_lexopt(lexopt::Error::UnexpectedOption("-q".into())).is_usage());
    }

    #[test]
    fn version_line() {
        assert_eq!(
            version("chroot"),
            format!("chroot from rootbox {}\n", env!("CARGO_PKG_VERSION"))
        );
    }
}
