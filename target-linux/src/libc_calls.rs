//! The C library's system call wrappers that rustix calls on big-endian
//! MIPS, for the static release build (`--cfg ifplugd_small_mem`, set by
//! `cargo xtask dist`).
//!
//! rustix has no raw system calls for the big-endian o32 ABI (its build
//! script sends it to its libc backend), so there every read, write and
//! send goes through musl's wrapper: 50-110 bytes each, most of them
//! thread-cancellation points, which a program with one thread does not
//! need. Each here is a system call by the instruction (sys.rs's sys4 and
//! sys6) that sets errno as the wrappers do: 1 KB less in all. musl's and
//! zig's wrappers are then not linked (zig's are weak, musl's are archive
//! members nothing else needs), nor musl's errno and the start-up it needs
//! (start.rs replaces that).

use crate::sys::{sys4, sys6};
use core::ffi::{c_char, c_int, c_long, c_uint, c_void};

/// errno, for rustix's libc backend (which reads it through
/// `__errno_location`) and the wrappers below: with no threads, one
/// static serves. Defining it here keeps musl's errno, and the thread
/// pointer its start-up would have to set, out of the binary.
static mut ERRNO: c_int = 0;

/// # Safety
/// As the C library's: the pointer is valid for the process's life.
#[no_mangle]
pub unsafe extern "C" fn __errno_location() -> *mut c_int {
    &raw mut ERRNO
}

/// musl's internal name for the same (its own functions call this one).
///
/// # Safety
/// As [`__errno_location`].
#[no_mangle]
pub unsafe extern "C" fn ___errno_location() -> *mut c_int {
    &raw mut ERRNO
}

/// A system call's result as C's: the value, or -1 with errno set.
fn c_ret(r: Result<c_long, i32>) -> c_long {
    match r {
        Ok(v) => v,
        Err(e) => {
            // SAFETY: one thread; nothing holds a reference to ERRNO.
            unsafe { ERRNO = e };
            -1
        }
    }
}

/// `fn NAME(args) -> ret` as the system call numbered `nr`, its arguments
/// passed on unchanged (every one is a word in o32).
macro_rules! calls {
    ($($name:ident = $nr:literal ($($arg:ident: $ty:ty),*) -> $ret:ty;)*) => {$(
        /// # Safety
        /// As the C library's function of this name.
        #[no_mangle]
        pub unsafe extern "C" fn $name($($arg: $ty),*) -> $ret {
            let mut args = [0 as c_long; 6];
            let mut _i = 0;
            $(args[_i] = $arg as c_long; _i += 1;)*
            let [a, b, c, d, e, f] = args;
            // SAFETY: the caller keeps the C function's contract, and the
            // kernel's call takes the same arguments.
            let r = unsafe {
                if _i > 4 { sys6($nr, [a, b, c, d, e, f]) } else { sys4($nr, a, b, c, d) }
            };
            c_ret(r) as $ret
        }
    )*};
}

// Numbers: musl's arch/mips/bits/syscall.h (o32, base 4000).
calls! {
    read = 4003 (fd: c_int, buf: *mut c_void, len: usize) -> isize;
    write = 4004 (fd: c_int, buf: *const c_void, len: usize) -> isize;
    close = 4006 (fd: c_int) -> c_int;
    unlink = 4010 (path: *const c_char) -> c_int;
    execve = 4011 (path: *const c_char, argv: *const *const c_char, envp: *const *const c_char) -> c_int;
    chdir = 4012 (path: *const c_char) -> c_int;
    getuid = 4024 () -> c_uint;
    kill = 4037 (pid: c_int, sig: c_int) -> c_int;
    dup2 = 4063 (old: c_int, new: c_int) -> c_int;
    setsid = 4066 () -> c_int;
    bind = 4169 (fd: c_int, addr: *const c_void, len: c_uint) -> c_int;
    connect = 4170 (fd: c_int, addr: *const c_void, len: c_uint) -> c_int;
    recv = 4175 (fd: c_int, buf: *mut c_void, len: usize, flags: c_int) -> isize;
    recvfrom = 4176 (fd: c_int, buf: *mut c_void, len: usize, flags: c_int, addr: *mut c_void, alen: *mut c_uint) -> isize;
    send = 4178 (fd: c_int, buf: *const c_void, len: usize, flags: c_int) -> isize;
    sendto = 4180 (fd: c_int, buf: *const c_void, len: usize, flags: c_int, addr: *const c_void, alen: c_uint) -> isize;
}

/// waitpid is wait4 without the resource usage.
///
/// # Safety
/// As the C library's waitpid.
#[no_mangle]
pub unsafe extern "C" fn waitpid(pid: c_int, status: *mut c_int, options: c_int) -> c_int {
    // SAFETY: as for the calls above; wait4 takes a null rusage.
    let r = unsafe { sys4(4114, pid as c_long, status as c_long, options as c_long, 0) };
    c_ret(r) as c_int
}

/// ftruncate is ftruncate64, whose 64-bit length takes an aligned register
/// pair (a2, a3), high word first on big-endian.
///
/// # Safety
/// As the C library's ftruncate.
#[no_mangle]
pub unsafe extern "C" fn ftruncate(fd: c_int, len: i64) -> c_int {
    let (high, low) = ((len >> 32) as c_long, len as c_long);
    // SAFETY: ftruncate64 reads no memory of ours.
    let r = unsafe { sys4(4212, fd as c_long, 0, high, low) };
    c_ret(r) as c_int
}
