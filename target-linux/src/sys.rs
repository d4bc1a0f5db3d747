//! The few C library calls rustix does not wrap: signal masks and
//! signalfd, fork, posix_spawn, strerror and the environment. musl (or
//! glibc, for host tests) provides them; we link it anyway for its start-up.
#![allow(non_camel_case_types)]

use core::ffi::{c_char, c_int, c_short, c_void, CStr};

/// Opaque and large enough for musl's and glibc's `sigset_t` (128 bytes).
#[repr(C, align(8))]
pub struct sigset_t([u8; 128]);

/// Opaque and large enough for musl's and glibc's `posix_spawnattr_t`
/// (336 bytes on both).
#[repr(C, align(8))]
pub struct posix_spawnattr_t(pub [u8; 512]);

pub const SIG_BLOCK: c_int = 0;
pub const SFD_NONBLOCK: c_int = 0o4000;
pub const SFD_CLOEXEC: c_int = 0o2000000;
pub const POSIX_SPAWN_SETSIGDEF: c_short = 0x04;
pub const POSIX_SPAWN_SETSIGMASK: c_short = 0x08;

#[link(name = "c")]
extern "C" {
    pub fn sigemptyset(set: *mut sigset_t) -> c_int;
    pub fn sigaddset(set: *mut sigset_t, sig: c_int) -> c_int;
    pub fn sigprocmask(how: c_int, set: *const sigset_t, old: *mut sigset_t) -> c_int;
    pub fn signalfd(fd: c_int, mask: *const sigset_t, flags: c_int) -> c_int;
    pub fn fork() -> c_int;
    pub fn _exit(code: c_int) -> !;
    pub fn posix_spawnattr_init(attr: *mut posix_spawnattr_t) -> c_int;
    pub fn posix_spawnattr_setflags(attr: *mut posix_spawnattr_t, flags: c_short) -> c_int;
    pub fn posix_spawnattr_setsigmask(attr: *mut posix_spawnattr_t, mask: *const sigset_t)
        -> c_int;
    pub fn posix_spawnattr_setsigdefault(
        attr: *mut posix_spawnattr_t,
        mask: *const sigset_t,
    ) -> c_int;
    pub fn posix_spawnp(
        pid: *mut c_int,
        file: *const c_char,
        file_actions: *const c_void,
        attr: *const posix_spawnattr_t,
        argv: *const *const c_char,
        envp: *const *const c_char,
    ) -> c_int;
    fn strerror(errnum: c_int) -> *const c_char;
    fn __errno_location() -> *mut c_int;
    /// musl on 32-bit targets keeps `clock_gettime` for the old 32-bit
    /// `time_t`; the 64-bit one has its own name.
    #[cfg_attr(target_pointer_width = "32", link_name = "__clock_gettime64")]
    fn clock_gettime(clock: c_int, ts: *mut [i64; 2]) -> c_int;
    pub static environ: *const *const c_char;
}

/// The C library's text for an errno.
pub fn error_text(errno: i32) -> &'static str {
    // SAFETY: strerror returns a pointer to a static, NUL-terminated string
    // (musl never returns NULL; glibc neither for ints).
    let text = unsafe {
        let p = strerror(errno);
        if p.is_null() {
            return "Unknown error";
        }
        CStr::from_ptr(p)
    };
    text.to_str().unwrap_or("Unknown error")
}

/// A signal set of `signals`.
pub fn sigset(signals: &[c_int]) -> sigset_t {
    let mut set = sigset_t([0; 128]);
    // SAFETY: `set` is a valid, writable sigset_t.
    unsafe {
        sigemptyset(&mut set);
        for &s in signals {
            sigaddset(&mut set, s);
        }
    }
    set
}

/// The C library's errno, after one of the calls above failed.
pub fn errno() -> i32 {
    // SAFETY: __errno_location returns this thread's errno slot.
    unsafe { *__errno_location() }
}

/// CLOCK_MONOTONIC in milliseconds. The C library's call: it shares the
/// vDSO lookup the C library has anyway (rustix's own costs ~2 KB).
pub fn monotonic_ms() -> u64 {
    const CLOCK_MONOTONIC: c_int = 1;
    let mut ts = [0i64; 2];
    // SAFETY: `ts` has the size of a 64-bit-time `struct timespec`. On
    // 32-bit targets `tv_nsec` is a `long` beside 4 bytes of padding that
    // the C library leaves alone, so with the padding zeroed the second
    // i64 reads as tv_nsec in either byte order.
    unsafe { clock_gettime(CLOCK_MONOTONIC, &mut ts) };
    (ts[0] as u64)
        .saturating_mul(1000)
        .saturating_add(ts[1] as u64 / 1_000_000)
}
