//! The few C library calls rustix does not wrap: signal masks and
//! signalfd, fork, clone, execvpe, strerror and the environment. musl (or
//! glibc, for host tests) provides them; we link it anyway for its start-up.
#![allow(non_camel_case_types)]

use core::ffi::{c_char, c_int, c_void, CStr};

/// Opaque and large enough for musl's and glibc's `sigset_t` (128 bytes).
#[repr(C, align(8))]
pub struct sigset_t([u8; 128]);

// MIPS numbers these differently from every other Linux architecture.
#[cfg(any(target_arch = "mips", target_arch = "mips64"))]
mod arch {
    pub const SIG_BLOCK: core::ffi::c_int = 1;
    pub const SIG_SETMASK: core::ffi::c_int = 3;
    pub const SIGCHLD: core::ffi::c_int = 18;
}
#[cfg(not(any(target_arch = "mips", target_arch = "mips64")))]
mod arch {
    pub const SIG_BLOCK: core::ffi::c_int = 0;
    pub const SIG_SETMASK: core::ffi::c_int = 2;
    pub const SIGCHLD: core::ffi::c_int = 17;
}
pub use arch::{SIGCHLD, SIG_BLOCK, SIG_SETMASK};

/// signalfd's flags are O_NONBLOCK and O_CLOEXEC, which differ on MIPS.
pub const SFD_NONBLOCK: c_int = rustix::fs::OFlags::NONBLOCK.bits() as c_int;
pub const SFD_CLOEXEC: c_int = rustix::fs::OFlags::CLOEXEC.bits() as c_int;
pub const CLONE_VM: c_int = 0x100;
pub const CLONE_VFORK: c_int = 0x4000;

#[link(name = "c")]
extern "C" {
    pub fn sigemptyset(set: *mut sigset_t) -> c_int;
    pub fn sigaddset(set: *mut sigset_t, sig: c_int) -> c_int;
    pub fn sigprocmask(how: c_int, set: *const sigset_t, old: *mut sigset_t) -> c_int;
    pub fn signalfd(fd: c_int, mask: *const sigset_t, flags: c_int) -> c_int;
    /// Only ever called with SIG_DFL (0).
    pub fn signal(sig: c_int, handler: usize) -> usize;
    pub fn fork() -> c_int;
    pub fn _exit(code: c_int) -> !;
    pub fn clone(
        child: extern "C" fn(*mut c_void) -> c_int,
        stack: *mut c_void,
        flags: c_int,
        arg: *mut c_void,
        ...
    ) -> c_int;
    pub fn execvpe(
        file: *const c_char,
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
