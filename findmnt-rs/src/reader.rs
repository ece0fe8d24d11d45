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
use std::sync::mpsc;

use common::table::{CHUNK, Format, Parser, Table, TableFile};

use crate::NAME;

/// Batches the reader may be ahead of the parser (memory stays bounded, and the buffers
/// are recycled, so this is all the text findmnt ever holds).
const AHEAD: usize = 4;

/// Text handed over at a time. A seq_file read returns about a page whatever the buffer
/// size, so reads are batched: a hand-over per read (3000 for 100k mounts) would cost
/// more in thread wake-ups than the parse it hides.
const BATCH: usize = 4 * CHUNK;

/// How many times a live table is read before a changing one is taken as it is.
const LIVE_TRIES: usize = 5;

/// Read and parse a table file, each syscall traced; a `live` one (`/proc/...`) is read
/// again while `poll(POLLPRI)` says it changed during the read, as
/// `common::table::read_parsed` does.
pub fn read_table(path: &Path, live: bool, format: Option<Format>) -> io::Result<Table> {
    let mut table = Table::default();
    for _ in 0..if live { LIVE_TRIES } else { 1 } {
        let file = TableFile::open(Some(NAME), path)?;
        table = match overlapped(&file, format) {
            Some(result) => result?,
            None => file.parse_to_end(Parser::new(format), &mut vec![0; CHUNK])?,
        };
        if !live || !file.wait_change(0)? {
            break;
        }
    }
    Ok(table)
}

/// Read `file` to EOF on a second thread while parsing here; `None` when no thread could
/// be started (nothing was read then).
fn overlapped(file: &TableFile<'_>, format: Option<Format>) -> Option<io::Result<Table>> {
    std::thread::scope(|scope| {
        let (full_tx, full_rx) = mpsc::sync_channel::<io::Result<Vec<u8>>>(AHEAD);
        let (empty_tx, empty_rx) = mpsc::channel::<Vec<u8>>();
        let reader = std::thread::Builder::new()
            .name("reader".into())
            .spawn_scoped(scope, move || {
                let mut eof = false;
                while !eof {
                    let mut buf = empty_rx.try_recv().unwrap_or_default();
                    buf.resize(BATCH + CHUNK, 0);
                    let result = fill(file, &mut buf, &mut eof);
                    let failed = result.is_err();
                    if full_tx.send(result).is_err() || failed {
                        return;
                    }
                }
                // An empty batch says EOF.
                let _ = full_tx.send(Ok(Vec::new()));
            });
        if reader.is_err() {
            return None;
        }
        let mut parser = Parser::new(format);
        for chunk in full_rx {
            let chunk = match chunk {
                Ok(chunk) if chunk.is_empty() => break,
                Ok(chunk) => chunk,
                Err(e) => return Some(Err(e)),
            };
            parser.push(&chunk);
            // The reader may have finished already; then the buffer is simply dropped.
            let _ = empty_tx.send(chunk);
        }
        Some(Ok(parser.end()))
    })
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
