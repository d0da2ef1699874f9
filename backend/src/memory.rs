//! The allocator: mimalloc, for Rust and for SQLite (docs/decisions/0011).
//!
//! sqlx hands every row from the thread that read it to the request worker
//! that uses it, so nearly every allocation is freed on another thread than
//! the one that made it. glibc's malloc serves that pattern from its locked
//! arenas, not its per-thread caches: a third of a CSV export's time went to
//! `_int_malloc`/`_int_free`. mimalloc frees across threads without a lock;
//! memory that stays free goes back to the system after its purge delay, and
//! the housekeeping task hands back the rest every second.

use libmimalloc_sys as mi;
use std::os::raw::{c_int, c_void};

pub use mimalloc::MiMalloc as Allocator;

/// `mi_option_purge_delay`: how long freed memory waits before it goes back to
/// the system, in milliseconds (mimalloc's default: 1,000).
const PURGE_DELAY: mi::mi_option_t = 15;
/// The purge delay while the service runs: memory freed by a burst of work is
/// likely to be wanted again at once (immediate purges cost 10–15% of the
/// searched pages per second in an A/B run).
const SERVICE_PURGE_DELAY_MS: i64 = 1_000;

/// At the start of `main`: purge at once while starting up. Start-up frees
/// several MiB on threads that then sit idle, and mimalloc runs a delayed purge
/// only when the thread that freed the memory next allocates (idle RSS: 27 MiB
/// with the delay, 23 without).
pub fn tune_for_start_up() {
    // SAFETY: mi_option_set only stores the value; it is read at each purge.
    unsafe { mi::mi_option_set(PURGE_DELAY, 0) }
}

/// Once the service has started: the usual purge delay.
pub fn tune_for_service() {
    // SAFETY: as above.
    unsafe { mi::mi_option_set(PURGE_DELAY, SERVICE_PURGE_DELAY_MS as _) }
}

/// Hand back to the system, now, the memory free in this thread's heap and
/// every free range of mimalloc's arenas, whichever thread freed it (a freed
/// argon2 buffer, say), rather than when that thread next allocates.
pub fn release_free_memory() {
    // SAFETY: mi_collect only frees what is unused; any thread may call it.
    unsafe { mi::mi_collect(true) }
}

/// SQLite's `sqlite3_mem_methods`, served by mimalloc. SQLite's own
/// allocations are the row values sqlx copies on its worker threads and frees
/// on the request workers: the same cross-thread pattern as above.
#[repr(C)]
struct SqliteMemMethods {
    x_malloc: unsafe extern "C" fn(c_int) -> *mut c_void,
    x_free: unsafe extern "C" fn(*mut c_void),
    x_realloc: unsafe extern "C" fn(*mut c_void, c_int) -> *mut c_void,
    x_size: unsafe extern "C" fn(*mut c_void) -> c_int,
    x_roundup: unsafe extern "C" fn(c_int) -> c_int,
    x_init: unsafe extern "C" fn(*mut c_void) -> c_int,
    x_shutdown: unsafe extern "C" fn(*mut c_void),
    app_data: *mut c_void,
}

// SQLite never asks for a negative size; were it to, it gets nothing.
unsafe extern "C" fn sqlite_malloc(n: c_int) -> *mut c_void {
    match usize::try_from(n) {
        Ok(n) => mi::mi_malloc(n),
        Err(_) => std::ptr::null_mut(),
    }
}
unsafe extern "C" fn sqlite_free(p: *mut c_void) {
    mi::mi_free(p)
}
unsafe extern "C" fn sqlite_realloc(p: *mut c_void, n: c_int) -> *mut c_void {
    match usize::try_from(n) {
        Ok(n) => mi::mi_realloc(p, n),
        Err(_) => std::ptr::null_mut(),
    }
}
unsafe extern "C" fn sqlite_size(p: *mut c_void) -> c_int {
    c_int::try_from(mi::mi_usable_size(p)).unwrap_or(c_int::MAX)
}
unsafe extern "C" fn sqlite_roundup(n: c_int) -> c_int {
    match usize::try_from(n) {
        Ok(n) => c_int::try_from(mi::mi_good_size(n)).unwrap_or(n as c_int),
        Err(_) => n,
    }
}
unsafe extern "C" fn sqlite_init(_: *mut c_void) -> c_int {
    0
}
unsafe extern "C" fn sqlite_shutdown(_: *mut c_void) {}

/// Configure SQLite, before it starts: no memory statistics, and mimalloc.
///
/// SQLite keeps memory statistics by counting every allocation and free under
/// one global mutex, which the worker that copies rows and the request worker
/// that frees them fought over (a quarter of an export's time). Nothing reads
/// them, so they are off.
pub fn configure_sqlite() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        extern "C" {
            // Linked in with the bundled SQLite that sqlx uses.
            fn sqlite3_config(option: c_int, ...) -> c_int;
        }
        const SQLITE_CONFIG_MALLOC: c_int = 4;
        const SQLITE_CONFIG_MEMSTATUS: c_int = 9;
        let methods = SqliteMemMethods {
            x_malloc: sqlite_malloc,
            x_free: sqlite_free,
            x_realloc: sqlite_realloc,
            x_size: sqlite_size,
            x_roundup: sqlite_roundup,
            x_init: sqlite_init,
            x_shutdown: sqlite_shutdown,
            app_data: std::ptr::null_mut(),
        };
        // SAFETY: SQLITE_CONFIG_MEMSTATUS takes one int; SQLITE_CONFIG_MALLOC a
        // pointer to sqlite3_mem_methods, which SQLite copies before returning.
        // sqlite3_config must run before SQLite initialises: every connection in
        // this process is opened by `store::sqlite::connect`, after this. Were
        // SQLite already running, each call would only answer SQLITE_MISUSE and
        // change nothing (SQLite keeps the allocator it started with).
        unsafe {
            sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0 as c_int);
            sqlite3_config(SQLITE_CONFIG_MALLOC, &methods as *const SqliteMemMethods);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_purge_delay_option_is_the_one_tuned() {
        // mimalloc's default for purge_delay is 1,000 ms; no other option
        // near it has that default. Nothing in the tests changes it.
        // SAFETY: reading an option.
        assert_eq!(unsafe { mi::mi_option_get(PURGE_DELAY) }, 1_000);
    }

    #[test]
    fn sqlite_methods_round_trip_through_mimalloc() {
        // SAFETY: each pointer comes from the functions under test and is
        // freed once.
        unsafe {
            let p = sqlite_malloc(100);
            assert!(!p.is_null());
            assert!(sqlite_size(p) >= 100);
            std::ptr::write_bytes(p.cast::<u8>(), 7, 100);
            let q = sqlite_realloc(p, 5000);
            assert!(!q.is_null());
            assert_eq!(*q.cast::<u8>().add(99), 7);
            assert!(sqlite_size(q) >= 5000);
            sqlite_free(q);
            assert!(sqlite_malloc(-1).is_null());
            assert!(sqlite_roundup(100) >= 100);
        }
    }
}
