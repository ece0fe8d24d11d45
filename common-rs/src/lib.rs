//! Shared plumbing of the rootbox tools, admitted here only when two or more tools need it:
//! the error value that carries an exit code and prints once as `prog: context: strerror`
//! ([`error`]), getopt-shaped usage errors ([`usage`]) and long options ([`longopt`]), the
//! checked stdout writer ([`out`]), the process entry point that refuses elevated
//! privileges and keeps the caller's signal dispositions ([`entry`](mod@entry)), exec with
//! the 126/127 convention ([`exec`]), fork and wait ([`child`]), the `ROOTBOX_TRACE=1`
//! syscall tracer ([`trace`]), id parsing ([`ids`]), passwd and group files ([`passwd`]),
//! namespace kinds ([`ns`]), the new mount API ([`newmount`]), byte escaping for output
//! ([`escape`]) and the mountinfo/fstab table model ([`table`]).
#![deny(missing_docs)]

pub mod child;
pub mod entry;
pub mod error;
pub mod escape;
pub mod exec;
pub mod exit;
pub mod ids;
pub mod longopt;
pub mod newmount;
pub mod ns;
pub mod out;
pub mod passwd;
pub mod table;
pub mod trace;
pub mod usage;

pub use error::{Failure, Result, ResultExt, finish, strerror};
