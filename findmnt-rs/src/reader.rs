//! Reading a table file while parsing it: a reader thread makes the `read(2)` calls and
//! hands each chunk over, the main thread parses the chunks as they come.
//!
//! Why a thread: for a live table the kernel's work producing `/proc/self/mountinfo` is
//! the floor (about 140 ms for 100k mounts here, what `cat` pays), and parsing the text
//! costs a third of that again. One thread reading while the other parses hides the parse
//! behind the kernel's work (issue 5: the live tree within 2x of `cat`). findmnt may do
//! this where the other tools may not: it never forks, never unshares and never execs, so
//! being briefly multi-threaded changes nothing it does (`unshare(CLONE_NEWUSER)` refuses
//! threaded callers; findmnt makes no such call). The thread is gone (joined) before the
//! table is returned. If it cannot be started, the table is read on the main thread.

use std::io;
use std::path::Path;

use common::table::{CHUNK, Format, Parser, Table, TableFile};

use crate::NAME;

/// How many times a live table is read before a changing one is taken as it is.
const LIVE_TRIES: usize = 5;

/// Read and parse a table file, each syscall traced; a `live` one (`/proc/...`) is read
/// again while `poll(POLLPRI)` says it changed during the read, as
/// `common::table::read_parsed` does.
pub fn read_table(path: &Path, live: bool, format: Option<Format>) -> io::Result<Table> {
    let mut table = Table::default();
    for _ in 0..if live { LIVE_TRIES } else { 1 } {
        let file = TableFile::open(Some(NAME), path)?;
        #[cfg(feature = "reader-thread")]
        let overlapped = threaded::overlapped(&file, format);
        #[cfg(not(feature = "reader-thread"))]
        let overlapped: Option<io::Result<Table>> = None;
        table = match overlapped {
            Some(result) => result?,
            None => file.parse_to_end(Parser::new(format), &mut vec![0; CHUNK])?,
        };
        if !live || !file.wait_change(0)? {
            break;
        }
    }
    Ok(table)
}

/// The reader thread (cargo feature `reader-thread`, on by default: without it findmnt
/// reads on its one thread, and the static multicall is smaller).
#[cfg(feature = "reader-thread")]
mod threaded {
    use std::collections::VecDeque;
    use std::io;
    use std::sync::{Condvar, Mutex};

    use common::table::{CHUNK, Format, Parser, Table, TableFile};

    /// Batches the reader may be ahead of the parser (memory stays bounded, and the buffers
    /// are recycled, so this is all the text findmnt ever holds).
    const AHEAD: usize = 4;

    /// Text handed over at a time. A seq_file read returns about a page whatever the buffer
    /// size, so reads are batched: a hand-over per read (3000 for 100k mounts) would cost
    /// more in thread wake-ups than the parse it hides.
    pub const BATCH: usize = 4 * CHUNK;

    /// Read `file` to EOF on a second thread while parsing here; `None` when no thread could
    /// be started (nothing was read then).
    pub fn overlapped(file: &TableFile<'_>, format: Option<Format>) -> Option<io::Result<Table>> {
        let shared = Shared {
            state: Mutex::new(State::default()),
            changed: Condvar::new(),
        };
        std::thread::scope(|scope| {
            let reader = std::thread::Builder::new()
                .name("reader".into())
                .spawn_scoped(scope, || {
                    read_batches(file, &shared);
                    // However the reading ended, the parser must not wait for more.
                    shared.update(|s| s.eof = true);
                });
            if reader.is_err() {
                return None;
            }
            let mut parser = Parser::new(format);
            loop {
                let next = shared.wait(|s| match s.full.pop_front() {
                    Some(batch) => Some(Some(batch)),
                    None if s.eof => Some(None),
                    None => None,
                });
                match next {
                    Some(Some(Ok(batch))) => {
                        parser.push(&batch);
                        shared.update(|s| s.empty.push(batch));
                    }
                    Some(None) => return Some(Ok(parser.end())),
                    Some(Some(Err(e))) => {
                        shared.update(|s| s.quit = true);
                        return Some(Err(e));
                    }
                    None => {
                        shared.update(|s| s.quit = true);
                        return Some(Err(io::Error::other("the reader thread failed")));
                    }
                }
            }
        })
    }

    /// The reader thread: batches into `shared` until EOF, an error, or the parser quits.
    fn read_batches(file: &TableFile<'_>, shared: &Shared) {
        let mut eof = false;
        while !eof {
            let buf = shared.wait(|s| {
                if s.quit {
                    Some(None)
                } else if s.full.len() < AHEAD {
                    Some(Some(s.empty.pop().unwrap_or_default()))
                } else {
                    None
                }
            });
            let Some(Some(mut buf)) = buf else {
                return;
            };
            buf.resize(BATCH + CHUNK, 0);
            let result = fill(file, &mut buf, &mut eof);
            eof |= result.is_err();
            shared.update(|s| s.full.push_back(result));
        }
    }

    /// What the two threads share: the batches read and not yet parsed, the buffers parsed
    /// and free again.
    struct Shared {
        state: Mutex<State>,
        changed: Condvar,
    }

    #[derive(Default)]
    struct State {
        full: VecDeque<io::Result<Vec<u8>>>,
        empty: Vec<Vec<u8>>,
        /// The reader is done: the last batch is in `full`.
        eof: bool,
        /// The parser is done (it failed): the reader stops.
        quit: bool,
    }

    impl Shared {
        /// Wait until `ready` gives something (it is called with the state locked).
        fn wait<T>(&self, mut ready: impl FnMut(&mut State) -> Option<T>) -> Option<T> {
            // A poisoned lock means the other thread panicked, which it cannot (no panics in
            // the tools); give up rather than panic too.
            let mut state = self.state.lock().ok()?;
            loop {
                if let Some(v) = ready(&mut state) {
                    return Some(v);
                }
                state = self.changed.wait(state).ok()?;
            }
        }

        /// Change the state and wake the other thread.
        fn update(&self, change: impl FnOnce(&mut State)) {
            if let Ok(mut state) = self.state.lock() {
                change(&mut state);
            }
            self.changed.notify_all();
        }
    }

    /// Read into `buf` until at least [`BATCH`] bytes are in or EOF (then `eof` is set);
    /// returns the bytes read. Each read asks for [`CHUNK`] bytes, as every other table read
    /// does.
    fn fill(file: &TableFile<'_>, buf: &mut Vec<u8>, eof: &mut bool) -> io::Result<Vec<u8>> {
        let mut filled = 0;
        while filled < BATCH {
            let Some(room) = buf.get_mut(filled..filled + CHUNK) else {
                break;
            };
            match file.read(room)? {
                0 => {
                    *eof = true;
                    break;
                }
                n => filled += n,
            }
        }
        buf.truncate(filled);
        Ok(std::mem::take(buf))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// More text than several batches, lines cut at batch ends: the threaded read parses
    /// exactly as the whole text does; a read error is the error.
    #[test]
    fn threaded_read_parses_as_the_whole() {
        let path = std::env::temp_dir().join(format!("rootbox-reader-{}", std::process::id()));
        let mut text = Vec::new();
        for i in 1..40_000 {
            let line = format!("{i} {} 0:{i} / /m\\040{i} rw - tmpfs s{i} rw\n", i / 3);
            text.extend_from_slice(line.as_bytes());
        }
        text.extend_from_slice(b"garbage\n7 1 0:1 / /cut rw - t s o");
        // Several batches of the reader thread (and many read chunks).
        assert!(text.len() > 1 << 20);
        std::fs::write(&path, &text).unwrap();
        let got = read_table(&path, false, None);
        std::fs::remove_file(&path).unwrap();
        let got = got.unwrap();
        let whole = common::table::parse(&text, Format::MountInfo);
        assert_eq!(got, whole);
        assert_eq!(got.entries.len(), 40_000);
        assert_eq!(got.bad_lines, vec![40_000]);
        assert!(got.truncated);
        let live = read_table(Path::new("/proc/self/mountinfo"), true, None).unwrap();
        assert_eq!(live.format, Some(Format::MountInfo));
        let dir = read_table(Path::new("/"), false, None).map_err(|e| e.raw_os_error());
        assert_eq!(dir, Err(Some(nix::errno::Errno::EISDIR as i32)));
    }
}
