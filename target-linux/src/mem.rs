//! `memcpy` and `memset` for the static release build (`cargo xtask dist`
//! sets `--cfg ifplugd_small_mem`): byte loops of a few dozen bytes where the
//! C library's (zig's compiler_rt, which provides them for musl) are word-at-
//! a-time loops of 350 bytes each. Nothing here copies more than a netlink
//! datagram or an environment block at a time, a few kilobytes at most, so
//! speed is no concern. Builds against a distribution's C library keep its
//! own: there the functions live in libc.so, and a second definition could
//! clash with a static glibc's.
//!
//! Volatile accesses, so that LLVM does not turn the loops back into calls
//! to the functions they implement.

use core::ffi::{c_int, c_void};
use core::ptr::{read_volatile, write_volatile};

/// # Safety
/// As C's `memcpy`: `dst` and `src` valid for `n` bytes, not overlapping.
#[no_mangle]
pub unsafe extern "C" fn memcpy(dst: *mut c_void, src: *const c_void, n: usize) -> *mut c_void {
    let (d, s) = (dst.cast::<u8>(), src.cast::<u8>());
    for i in 0..n {
        // SAFETY: the caller guarantees both ranges.
        unsafe { write_volatile(d.add(i), read_volatile(s.add(i))) };
    }
    dst
}

/// # Safety
/// As C's `memset`: `dst` valid for `n` bytes.
#[no_mangle]
pub unsafe extern "C" fn memset(dst: *mut c_void, c: c_int, n: usize) -> *mut c_void {
    let d = dst.cast::<u8>();
    for i in 0..n {
        // SAFETY: the caller guarantees the range.
        unsafe { write_volatile(d.add(i), c as u8) };
    }
    dst
}
