//! The C library's system call wrappers that rustix calls on big-endian
//! MIPS, for the static release build (`--cfg ifplugd_small_mem`, set by
//! `cargo xtask dist`).
//!
//! rustix has no raw system calls for the big-endian o32 ABI (its build
//! script sends it to its libc backend), so there every read, write and
//! send goes through musl's wrapper: 50-110 bytes each, most of them
//! thread-cancellation points, which a program with one thread does not
//! need. Each here is a jump to `syscall()`, which the binary has anyway
//! and which sets errno as the wrappers do: 1 KB less in all. musl's and
//! zig's wrappers are then not linked (zig's are weak, musl's are archive
//! members nothing else needs).

use core::ffi::{c_char, c_int, c_long, c_uint, c_void};

extern "C" {
    fn syscall(nr: c_long, ...) -> c_long;
}

/// `fn NAME(args) -> ret` as the system call numbered `nr`, its arguments
/// passed on unchanged (every one is a word in o32).
macro_rules! calls {
    ($($name:ident = $nr:literal ($($arg:ident: $ty:ty),*) -> $ret:ty;)*) => {$(
        /// # Safety
        /// As the C library's function of this name.
        #[no_mangle]
        pub unsafe extern "C" fn $name($($arg: $ty),*) -> $ret {
            // SAFETY: the caller keeps the C function's contract, and the
            // kernel's call takes the same arguments.
            unsafe { syscall($nr, $($arg as c_long),*) as $ret }
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
    unsafe { syscall(4114, pid as c_long, status, options as c_long, 0 as c_long) as c_int }
}
