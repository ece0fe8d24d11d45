//! Long options as glibc `getopt_long` reads them, on top of lexopt: any unambiguous
//! prefix names an option (`--prop private`, `--fo`), `--name=value` and `--name value`
//! both give a required argument, an optional argument only comes attached with `=`, and
//! the error messages are getopt's, with the canonical name where getopt uses it:
//! `unrecognized option '--bogus=1'`, `option '--ma=1' is ambiguous; possibilities:
//! '--map-user' '--map-users'`, `option '--fork' doesn't allow an argument`,
//! `option '--propagation' requires an argument`.
//!
//! [`short`] reads a short option as the long one it stands for; [`next`] reads a whole
//! command line option by option, with [`parser`] set up as getopt reads short options.
//!
//! Parsers should come from [`parser`] (or call `Parser::set_short_equals(false)`): getopt
//! reads `-w=x` as the argument `=x` and `-m=x` as the options `-m`, `-=`, `-x`.

use std::ffi::OsString;

use crate::Failure;
use crate::usage::lossy;

/// What a command line asks for: `--help`, `--version`, or the tool's work with its
/// options (a tool names it `type Action = longopt::Action<Box<Opts>>`).
#[derive(Debug, PartialEq, Eq)]
pub enum Action<O> {
    /// `--help`
    Help,
    /// `--version`
    Version,
    /// Do the work.
    Run(O),
}

/// Whether a long option takes an argument (getopt's `has_arg`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HasArg {
    /// `no_argument`
    No,
    /// `required_argument`
    Required,
    /// `optional_argument` (only as `--name=value`)
    Optional,
}

/// One row of a tool's long option table, in the order getopt lists ambiguous matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Long {
    /// The name without the leading `--`.
    pub name: &'static str,
    /// Its argument.
    pub arg: HasArg,
}

/// A row of the table.
pub const fn long(name: &'static str, arg: HasArg) -> Long {
    Long { name, arg }
}

/// The row named by `given` (the text after `--`, before any `=`): an exact match, else
/// the only option it is a prefix of. `raw` is the whole argument, for the messages.
pub fn resolve<'t>(table: &'t [Long], given: &str, raw: &str) -> Result<&'t Long, Failure> {
    if let Some(exact) = table.iter().find(|o| o.name == given) {
        return Ok(exact);
    }
    let matches: Vec<&Long> = table.iter().filter(|o| o.name.starts_with(given)).collect();
    match matches.as_slice() {
        [only] => Ok(only),
        [] => Err(Failure::usage(format!("unrecognized option '{raw}'"))),
        many => {
            let names: Vec<String> = many.iter().map(|o| format!("'--{}'", o.name)).collect();
            Err(Failure::usage(format!(
                "option '{raw}' is ambiguous; possibilities: {}",
                names.join(" ")
            )))
        }
    }
}

/// Finish reading the long option lexopt just returned as `Arg::Long(given)`: resolve it in
/// `table` and take its argument. Returns the canonical name and the argument (always
/// `Some` for [`HasArg::Required`], `None` for [`HasArg::No`]).
pub fn take(
    parser: &mut lexopt::Parser,
    table: &[Long],
    given: &str,
) -> Result<(&'static str, Option<OsString>), Failure> {
    let attached = parser.optional_value();
    let raw = match &attached {
        Some(value) => format!("--{given}={}", lossy(value)),
        None => format!("--{given}"),
    };
    let opt = resolve(table, given, &raw)?;
    let value = match (opt.arg, attached) {
        (HasArg::No, Some(_)) => {
            return Err(Failure::usage(format!(
                "option '--{}' doesn't allow an argument",
                opt.name
            )));
        }
        (HasArg::No, None) => None,
        (HasArg::Optional, attached) => attached,
        (HasArg::Required, Some(value)) => Some(value),
        (HasArg::Required, None) => Some(parser.value().map_err(|_| {
            Failure::usage(format!("option '--{}' requires an argument", opt.name))
        })?),
    };
    Ok((opt.name, value))
}

/// Finish reading the short option lexopt just returned as `Arg::Short(letter)`: `shorts`
/// names the long option each letter is, and the letter takes that option's argument
/// (required: the rest of the word or the next word; optional: only the rest of the word,
/// getopt's `m::`). Returns the long name and the argument; an unknown letter is getopt's
/// `invalid option -- 'x'`.
pub fn short(
    parser: &mut lexopt::Parser,
    letter: char,
    longs: &[Long],
    shorts: &[(char, &'static str)],
) -> Result<(&'static str, Option<OsString>), Failure> {
    let name = shorts
        .iter()
        .find(|(s, _)| *s == letter)
        .map(|(_, name)| *name)
        .ok_or_else(|| crate::usage::from_lexopt(lexopt::Arg::Short(letter).unexpected()))?;
    let value = match longs.iter().find(|o| o.name == name).map(|o| o.arg) {
        Some(HasArg::Required) => Some(parser.value().map_err(crate::usage::from_lexopt)?),
        Some(HasArg::Optional) => parser.optional_value(),
        _ => None,
    };
    Ok((name, value))
}

/// A parser for the arguments after `argv[0]` (`args` includes it), reading short options
/// as getopt does: `-w=x` is `-w` with the argument `=x`, not `x`.
pub fn parser(args: Vec<OsString>) -> lexopt::Parser {
    let mut parser = lexopt::Parser::from_args(args.into_iter().skip(1));
    parser.set_short_equals(false);
    parser
}

/// The next option of a command line whose options are all in `longs` and `shorts` (see
/// [`short`] and [`take`]), by its long name and with its argument; `None` at the end.
/// Operands met on the way are pushed to `operands`: getopt_long permutes them after the
/// options, so an option may follow an operand.
pub fn next(
    parser: &mut lexopt::Parser,
    longs: &[Long],
    shorts: &[(char, &'static str)],
    operands: &mut Vec<OsString>,
) -> Result<Option<(&'static str, Option<OsString>)>, Failure> {
    loop {
        match parser.next().map_err(crate::usage::from_lexopt)? {
            None => return Ok(None),
            Some(lexopt::Arg::Value(operand)) => operands.push(operand),
            Some(lexopt::Arg::Short(c)) => return short(parser, c, longs, shorts).map(Some),
            Some(lexopt::Arg::Long(given)) => {
                let given = given.to_string();
                return take(parser, longs, &given).map(Some);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TABLE: &[Long] = &[
        long("fork", HasArg::No),
        long("map-user", HasArg::Required),
        long("map-users", HasArg::Required),
        long("mount", HasArg::Optional),
        long("mount-proc", HasArg::Optional),
        long("propagation", HasArg::Required),
    ];

    fn run(args: &[&str]) -> Result<Vec<(String, Option<String>)>, String> {
        let mut p = lexopt::Parser::from_args(args.iter().copied());
        p.set_short_equals(false);
        let mut out = Vec::new();
        while let Some(arg) = p.next().map_err(|e| e.to_string())? {
            match arg {
                lexopt::Arg::Long(given) => {
                    let given = given.to_string();
                    let (name, value) = take(&mut p, TABLE, &given).map_err(|f| f.message())?;
                    out.push((name.to_string(), value.map(|v| lossy(&v))));
                }
                other => return Err(format!("{other:?}")),
            }
        }
        Ok(out)
    }

    #[test]
    fn short_options_take_their_long_ones_argument() {
        const SHORTS: &[(char, &str)] = &[('f', "fork"), ('p', "propagation"), ('m', "mount")];
        let read = |args: &[&str]| -> Result<Vec<(String, Option<String>)>, String> {
            let mut p = lexopt::Parser::from_args(args.iter().copied());
            p.set_short_equals(false);
            let mut out = Vec::new();
            while let Some(lexopt::Arg::Short(c)) = p.next().map_err(|e| e.to_string())? {
                let (name, value) = short(&mut p, c, TABLE, SHORTS).map_err(|f| f.message())?;
                out.push((name.to_string(), value.map(|v| lossy(&v))));
            }
            Ok(out)
        };
        let pair = |n: &str, v: Option<&str>| (n.to_string(), v.map(str::to_string));
        assert_eq!(read(&["-f"]), Ok(vec![pair("fork", None)]));
        assert_eq!(
            read(&["-pslave"]),
            Ok(vec![pair("propagation", Some("slave"))])
        );
        assert_eq!(
            read(&["-fp", "x"]),
            Ok(vec![pair("fork", None), pair("propagation", Some("x"))])
        );
        assert_eq!(read(&["-m0700"]), Ok(vec![pair("mount", Some("0700"))]));
        assert_eq!(
            read(&["-m", "-f"]),
            Ok(vec![pair("mount", None), pair("fork", None)])
        );
        assert_eq!(read(&["-z"]), Err("invalid option -- 'z'".into()));
        assert_eq!(
            read(&["-p"]),
            Err("option requires an argument -- 'p'".into())
        );
    }

    #[test]
    fn options_in_order_and_operands_aside() {
        let args = ["prog", "a", "--fo", "-pslave", "b", "-p=x", "--", "-f"];
        let mut p = parser(args.iter().map(OsString::from).collect());
        let shorts: &[(char, &str)] = &[('f', "fork"), ('p', "propagation")];
        let mut operands = Vec::new();
        let mut opts = Vec::new();
        while let Some((name, value)) = next(&mut p, TABLE, shorts, &mut operands).unwrap() {
            opts.push((name, value.map(|v| lossy(&v))));
        }
        assert_eq!(
            opts,
            [
                ("fork", None),
                ("propagation", Some("slave".to_string())),
                ("propagation", Some("=x".to_string())),
            ]
        );
        assert_eq!(operands, ["a", "b", "-f"]);
        let mut p = parser(vec!["prog".into(), "--bogus=1".into()]);
        assert_eq!(
            next(&mut p, TABLE, shorts, &mut operands)
                .unwrap_err()
                .message(),
            "unrecognized option '--bogus=1'"
        );
    }

    fn one(name: &str, value: Option<&str>) -> Vec<(String, Option<String>)> {
        vec![(name.to_string(), value.map(str::to_string))]
    }

    #[test]
    fn exact_prefix_and_arguments() {
        assert_eq!(run(&["--fork"]), Ok(one("fork", None)));
        assert_eq!(run(&["--fo"]), Ok(one("fork", None)));
        assert_eq!(
            run(&["--prop", "private"]),
            Ok(one("propagation", Some("private")))
        );
        assert_eq!(
            run(&["--prop=slave"]),
            Ok(one("propagation", Some("slave")))
        );
        assert_eq!(run(&["--map-user=0"]), Ok(one("map-user", Some("0"))));
        assert_eq!(run(&["--map-user", "-1"]), Ok(one("map-user", Some("-1"))));
        assert_eq!(run(&["--mount"]), Ok(one("mount", None)));
        assert_eq!(run(&["--mount=/x"]), Ok(one("mount", Some("/x"))));
        assert_eq!(run(&["--mount-p=/p"]), Ok(one("mount-proc", Some("/p"))));
        // An optional argument is never taken from the next word.
        assert_eq!(run(&["--mount", "/x"]), Err("Value(\"/x\")".into()));
    }

    #[test]
    fn getopt_messages() {
        assert_eq!(
            run(&["--bogus=1"]),
            Err("unrecognized option '--bogus=1'".into())
        );
        assert_eq!(
            run(&["--ma=1"]),
            Err("option '--ma=1' is ambiguous; possibilities: '--map-user' '--map-users'".into())
        );
        assert_eq!(
            run(&["--fo=3"]),
            Err("option '--fork' doesn't allow an argument".into())
        );
        assert_eq!(
            run(&["--prop"]),
            Err("option '--propagation' requires an argument".into())
        );
        assert!(resolve(TABLE, "x", "--x").unwrap_err().is_usage());
    }
}
