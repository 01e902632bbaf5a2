//! Timings of a command's phases, printed to standard error when the
//! environment variable `QUNSHU_TRACE` is set (`QUNSHU_TRACE=1 qunshu build`).
//! They are for finding where time goes; the output has no stable format.
//!
//! A leaf of `core`: imports nothing of ours.

use std::time::Instant;

/// True when phase timings are wanted (`QUNSHU_TRACE` is set).
pub fn enabled() -> bool {
    std::env::var_os("QUNSHU_TRACE").is_some()
}

/// Prints `what` and the time since `since`, in milliseconds, when
/// [`enabled`].
pub fn phase(what: &str, since: Instant) {
    if enabled() {
        eprintln!("{what} {:.0} ms", since.elapsed().as_secs_f64() * 1000.0);
    }
}
