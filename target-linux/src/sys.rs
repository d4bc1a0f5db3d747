//! The few C library calls rustix does not wrap: execve and the
//! environment; and `syscall()` for clone (fork and vfork), the clock,
//! signal masks, signalfd and resetting a signal's action (the C library's
//! wrappers add fallbacks for kernels before 2.6.27 that we never need).
//! Every one is exported by each C library our users link (musl static
//! and shared, glibc, uClibc-ng). We take the system calls themselves
//! rather than the wrappers that keep the C library's fork and thread
//! bookkeeping: we have no threads, no at-fork handlers and no signal
//! handlers, and the wrappers cost ~4 KB.
//!
//! On MIPS rustix runs on its libc backend (its raw system calls need
//! unstable assembly there, so stable builds get the backend anyway, and
//! the static build takes it too: see libc_calls.rs); the calls whose
//! musl wrappers are large are made here by number instead.
#![allow(non_camel_case_types)]

use core::ffi::{c_char, c_int, c_long, c_ulong, c_void, CStr};
use ifplugd_core::delay::Instant;
use rustix::event::PollFd;
use rustix::fd::{AsRawFd, BorrowedFd, OwnedFd, RawFd};
use rustix::fs::{Mode, OFlags};
use rustix::io::Errno;
use rustix::net::{AddressFamily, SocketFlags, SocketType};

/// Large enough for musl's and glibc's `sigset_t` (128 bytes); the first
/// bytes are the kernel's sigset, which is what we fill in.
#[repr(C)]
pub struct sigset_t([c_ulong; 128 / core::mem::size_of::<c_ulong>()]);

// MIPS numbers these differently from every other Linux architecture.
#[cfg(any(target_arch = "mips", target_arch = "mips64"))]
mod arch {
    pub const SIG_BLOCK: core::ffi::c_int = 1;
    pub const SIG_SETMASK: core::ffi::c_int = 3;
    pub const SIGCHLD: core::ffi::c_int = 18;
    #[cfg(feature = "ctl")]
    pub const SIGUSR1: core::ffi::c_int = 16;
    #[cfg(feature = "ctl")]
    pub const SIGUSR2: core::ffi::c_int = 17;
    /// The kernel's sigset: 128 signals.
    pub const SIGSET_BYTES: core::ffi::c_long = 16;
}
#[cfg(not(any(target_arch = "mips", target_arch = "mips64")))]
mod arch {
    pub const SIG_BLOCK: core::ffi::c_int = 0;
    pub const SIG_SETMASK: core::ffi::c_int = 2;
    pub const SIGCHLD: core::ffi::c_int = 17;
    #[cfg(feature = "ctl")]
    pub const SIGUSR1: core::ffi::c_int = 10;
    #[cfg(feature = "ctl")]
    pub const SIGUSR2: core::ffi::c_int = 12;
    /// The kernel's sigset: 64 signals.
    pub const SIGSET_BYTES: core::ffi::c_long = 8;
}
use arch::SIGSET_BYTES;
pub use arch::{SIGCHLD, SIG_BLOCK, SIG_SETMASK};
#[cfg(feature = "ctl")]
pub use arch::{SIGUSR1, SIGUSR2};

/// System call numbers for the calls made through `syscall()`.
#[cfg(target_arch = "x86_64")]
mod nr {
    pub const EXECVE: core::ffi::c_long = 59;
    pub const CLOCK_GETTIME: core::ffi::c_long = 228;
    pub const CLONE: core::ffi::c_long = 56;
    pub const RT_SIGACTION: core::ffi::c_long = 13;
    pub const RT_SIGPROCMASK: core::ffi::c_long = 14;
    pub const SIGNALFD4: core::ffi::c_long = 289;
}
#[cfg(target_arch = "aarch64")]
mod nr {
    pub const EXECVE: core::ffi::c_long = 221;
    pub const CLOCK_GETTIME: core::ffi::c_long = 113;
    pub const CLONE: core::ffi::c_long = 220;
    pub const RT_SIGACTION: core::ffi::c_long = 134;
    pub const RT_SIGPROCMASK: core::ffi::c_long = 135;
    pub const SIGNALFD4: core::ffi::c_long = 74;
}
#[cfg(target_arch = "arm")]
mod nr {
    pub const EXECVE: core::ffi::c_long = 11;
    pub const CLOCK_GETTIME: core::ffi::c_long = 263;
    pub const CLONE: core::ffi::c_long = 120;
    pub const RT_SIGACTION: core::ffi::c_long = 174;
    pub const RT_SIGPROCMASK: core::ffi::c_long = 175;
    pub const SIGNALFD4: core::ffi::c_long = 355;
}
#[cfg(target_arch = "mips")]
mod nr {
    pub const EXECVE: core::ffi::c_long = 4011;
    pub const IOCTL: core::ffi::c_long = 4054;
    pub const CLOCK_GETTIME: core::ffi::c_long = 4263;
    pub const CLONE: core::ffi::c_long = 4120;
    pub const RT_SIGACTION: core::ffi::c_long = 4194;
    pub const RT_SIGPROCMASK: core::ffi::c_long = 4195;
    pub const SIGNALFD4: core::ffi::c_long = 4324;
    pub const POLL: core::ffi::c_long = 4188;
    pub const SOCKET: core::ffi::c_long = 4183;
    pub const OPEN: core::ffi::c_long = 4005;
    pub const MMAP: core::ffi::c_long = 4090;
    #[cfg(any(feature = "script-log", feature = "wait-on-fork"))]
    pub const PIPE2: core::ffi::c_long = 4328;
    #[cfg(feature = "script-log")]
    pub const FCNTL: core::ffi::c_long = 4055;
}

/// signalfd's flags are O_NONBLOCK and O_CLOEXEC, which differ on MIPS.
pub const SFD_NONBLOCK: c_int = rustix::fs::OFlags::NONBLOCK.bits() as c_int;
pub const SFD_CLOEXEC: c_int = rustix::fs::OFlags::CLOEXEC.bits() as c_int;
const CLONE_VFORK: c_int = 0x4000;

#[link(name = "c")]
extern "C" {
    // Unused in the static build where sys4 is by instruction.
    #[cfg_attr(ifplugd_small_mem, allow(dead_code))]
    fn syscall(nr: c_long, ...) -> c_long;
    pub fn _exit(code: c_int) -> !;
    #[cfg_attr(ifplugd_small_mem, allow(dead_code))]
    fn __errno_location() -> *mut c_int;
    pub static environ: *const *const c_char;
}

/// A system call of up to four arguments: its value, or the errno.
/// Through the C library's `syscall()`, which sets errno; in the static
/// release build (`--cfg ifplugd_small_mem`, on every target we ship) by
/// the instruction itself: musl's variadic `syscall()` and its errno
/// handling are 350-450 B on x86_64 and aarch64, and without them the
/// binary needs none of musl's start-up (start.rs).
#[cfg(not(ifplugd_small_mem))]
pub(crate) unsafe fn sys4(
    nr: c_long,
    a: c_long,
    b: c_long,
    c: c_long,
    d: c_long,
) -> Result<c_long, i32> {
    // SAFETY: the caller's promise that the arguments suit the call.
    let r = unsafe { syscall(nr, a, b, c, d) };
    if r == -1 {
        Err(errno())
    } else {
        Ok(r)
    }
}

/// One copy for every call site: a few bytes of register moves each.
#[cfg(ifplugd_small_mem)]
#[inline(never)]
pub(crate) unsafe fn sys4(
    nr: c_long,
    a: c_long,
    b: c_long,
    c: c_long,
    d: c_long,
) -> Result<c_long, i32> {
    let r: c_long;
    // SAFETY: the caller's promise that the arguments suit the call; the
    // kernel preserves every register but the result (and rcx and r11 on
    // x86_64).
    unsafe {
        #[cfg(target_arch = "x86_64")]
        core::arch::asm!("syscall", inlateout("rax") nr => r, in("rdi") a, in("rsi") b,
            in("rdx") c, in("r10") d, lateout("rcx") _, lateout("r11") _, options(nostack));
        #[cfg(target_arch = "aarch64")]
        core::arch::asm!("svc 0", in("x8") nr, inlateout("x0") a => r, in("x1") b,
            in("x2") c, in("x3") d, options(nostack));
        // r7 holds the number, and is the frame pointer in Thumb code: saved
        // around the call, as rustix does.
        #[cfg(target_arch = "arm")]
        core::arch::asm!("mov {tmp}, r7", "mov r7, {nr}", "svc 0", "mov r7, {tmp}",
            nr = in(reg) nr, tmp = out(reg) _, inlateout("r0") a => r, in("r1") b,
            in("r2") c, in("r3") d, options(nostack));
        // MIPS: the number in v0, the result in v0, and a3 set when it is
        // an errno; the kernel may change the temporaries (as rustix has it).
        #[cfg(target_arch = "mips")]
        {
            let failed: c_long;
            core::arch::asm!("syscall", inlateout("$2") nr => r, in("$4") a, in("$5") b,
                in("$6") c, inlateout("$7") d => failed, lateout("$8") _, lateout("$9") _,
                lateout("$10") _, lateout("$11") _, lateout("$12") _, lateout("$13") _,
                lateout("$14") _, lateout("$15") _, lateout("$24") _, lateout("$25") _,
                options(nostack));
            return if failed != 0 { Err(r as i32) } else { Ok(r) };
        }
    }
    // -4095..-1 are errnos; everything else is a value.
    if (r as usize) > (-4096isize) as usize {
        Err(-(r as i32))
    } else {
        Ok(r)
    }
}

/// execve(2); returns only on failure, with the errno.
///
/// # Safety
/// `path` a C string, `argv` and `envp` NULL-terminated arrays of them.
pub unsafe fn execve(
    path: *const c_char,
    argv: *const *const c_char,
    envp: *const *const c_char,
) -> i32 {
    // SAFETY: the caller's promise.
    let r = unsafe {
        sys4(
            nr::EXECVE,
            path as c_long,
            argv as c_long,
            envp as c_long,
            0,
        )
    };
    r.err().unwrap_or(0)
}

/// clone(2) by the bare system call with no new stack and no CLONE_VM:
/// the child gets a copy of our memory, so it may go on in Rust like a
/// forked child. `clone(SIGCHLD)` is fork; `clone(CLONE_VFORK | SIGCHLD)`
/// also suspends us until the child has exec'd or exited. Through
/// `syscall()`, which every C library exports (musl's `__clone` is
/// internal and links only statically), and without the C library's fork
/// wrapper, which runs at-fork handlers and takes locks that do not exist
/// here.
///
/// # Safety
/// As fork: the child has a copy of everything and one thread.
pub unsafe fn clone_copy(vfork: bool) -> Result<c_int, i32> {
    let flags = if vfork {
        CLONE_VFORK | SIGCHLD
    } else {
        SIGCHLD
    };
    // The remaining arguments (stack, tids, tls) are unused.
    // SAFETY: clone without CLONE_VM touches none of our memory; the
    // caller takes on fork's rules.
    unsafe { sys4(nr::CLONE, flags as c_long, 0, 0, 0) }.map(|pid| pid as c_int)
}

/// ioctl by the bare system call, where rustix would use the C library's
/// (MIPS; see netdev.rs).
///
/// # Safety
/// `arg` must be what `request` expects.
#[cfg(target_arch = "mips")]
pub unsafe fn ioctl(fd: c_int, request: c_ulong, arg: *mut c_void) -> Result<(), i32> {
    // SAFETY: the caller's promise: `arg` is what `request` expects.
    unsafe { sys4(nr::IOCTL, fd as c_long, request as c_long, arg as c_long, 0) }.map(drop)
}

/// rt_sigprocmask(2): changes the signal mask (no old mask asked for).
pub fn sigprocmask(how: c_int, set: &sigset_t) {
    let set = set as *const sigset_t as c_long;
    // SAFETY: the kernel reads SIGSET_BYTES of `set`, which is larger.
    let _ = unsafe { sys4(nr::RT_SIGPROCMASK, how as c_long, set, 0, SIGSET_BYTES) };
}

/// signalfd4(2): a new descriptor for the signals of `set`, or the errno.
pub fn signalfd(set: &sigset_t, flags: c_int) -> Result<c_int, i32> {
    let set = set as *const sigset_t as c_long;
    // SAFETY: the kernel reads SIGSET_BYTES of `set`, which is larger.
    unsafe { sys4(nr::SIGNALFD4, -1, set, SIGSET_BYTES, flags as c_long) }.map(|fd| fd as c_int)
}

/// Sets `sig` back to its default action (from SIG_IGN, say).
pub fn default_action(sig: c_int) {
    // The kernel's struct sigaction, all zero: SIG_DFL (0), no flags, an
    // empty mask, whatever the architecture's field order.
    let act = [0u64; 8];
    let act = act.as_ptr() as c_long;
    // SAFETY: rt_sigaction only reads `act`, which is large enough for
    // every architecture's struct; no old action is asked for.
    let _ = unsafe { sys4(nr::RT_SIGACTION, sig as c_long, act, 0, SIGSET_BYTES) };
}

/// A signal set of `signals`, all below 32 (ours are), so in the first
/// word whatever its width. Inlined on MIPS, where the callers' constant
/// lists then fold into one word (128 B less; 16 B more on x86_64).
#[cfg_attr(target_arch = "mips", inline(always))]
pub fn sigset(signals: &[c_int]) -> sigset_t {
    let mut set = sigset_t([0; 128 / core::mem::size_of::<c_ulong>()]);
    for &s in signals {
        // Signal n is bit n-1.
        set.0[0] |= 1u32.checked_shl((s as u32).wrapping_sub(1)).unwrap_or(0) as c_ulong;
    }
    set
}

/// `fd.as_fd()` without rustix's check that the descriptor is not -1,
/// which an `OwnedFd` never is: the check is a compare and a trap at each
/// use.
#[inline(always)]
pub fn borrow(fd: &OwnedFd) -> BorrowedFd<'_> {
    // SAFETY: `BorrowedFd` is `repr(transparent)` over the raw descriptor
    // (its documentation says so), and an `OwnedFd` holds an open one, not
    // -1; the borrow lasts no longer than `fd`.
    unsafe { core::mem::transmute::<RawFd, BorrowedFd<'_>>(fd.as_raw_fd()) }
}

/// `OwnedFd::from_raw_fd` without its check that `fd` is not -1.
///
/// # Safety
/// `fd` is an open descriptor that nothing else owns (a system call's new
/// one, so never -1).
#[inline(always)]
pub unsafe fn own(fd: RawFd) -> OwnedFd {
    // SAFETY: `OwnedFd` is `repr(transparent)` over the raw descriptor;
    // the caller's promise makes it a valid one.
    unsafe { core::mem::transmute::<RawFd, OwnedFd>(fd) }
}

/// The C library's errno, after one of the calls above failed.
#[cfg_attr(ifplugd_small_mem, allow(dead_code))]
pub fn errno() -> i32 {
    // SAFETY: __errno_location returns this thread's errno slot.
    unsafe { *__errno_location() }
}

/// CLOCK_MONOTONIC in milliseconds, by the bare system call. The C
/// library's clock_gettime would skip the system call through the vDSO,
/// but finding the vDSO costs ~1.1 KB (1.6 KB on MIPS), and the daemon
/// reads the clock only when something woke it (see main_loop).
/// Its low 32 bits: the core's `Instant`.
pub fn monotonic() -> Instant {
    const CLOCK_MONOTONIC: c_long = 1;
    // The kernel's old `struct timespec` of two longs: on 32-bit targets
    // 32-bit seconds, which a monotonic clock (time since boot) does not
    // outgrow, and the call exists on every kernel, before 5.1 too.
    let mut ts: [c_long; 2] = [0; 2];
    let ts_ptr = ts.as_mut_ptr() as c_long;
    // SAFETY: clock_gettime writes one such struct to `ts`.
    if unsafe { sys4(nr::CLOCK_GETTIME, CLOCK_MONOTONIC, ts_ptr, 0, 0) }.is_err() {
        return Instant::from_ms(0);
    }
    // 32 bits wrap every 49.7 days, and no 64-bit multiplication on 32-bit
    // routers. tv_nsec < 10^9: a 32-bit division.
    Instant::from_ms(
        (ts[0] as u32)
            .wrapping_mul(1000)
            .wrapping_add(ts[1] as u32 / 1_000_000),
    )
}

// Big-endian MIPS: rustix has no raw system calls there and goes through
// musl's wrappers, which convert poll's timeout to time64, retry socket
// and open without their close-on-exec flags for old kernels and check
// mmap's arguments: ~1 KB that the bare system calls below do without.
// Elsewhere these are rustix's own.

/// A system call of five or six arguments (mmap): as [`sys4`]. On MIPS's
/// o32 the fifth and sixth go on the stack, where the caller has made room.
#[cfg(all(target_arch = "mips", not(ifplugd_small_mem)))]
pub(crate) unsafe fn sys6(nr: c_long, args: [c_long; 6]) -> Result<c_long, i32> {
    let [a, b, c, d, e, f] = args;
    // SAFETY: the caller's promise that the arguments suit the call.
    let r = unsafe { syscall(nr, a, b, c, d, e, f) };
    if r == -1 {
        Err(errno())
    } else {
        Ok(r)
    }
}

#[cfg(all(target_arch = "mips", ifplugd_small_mem))]
#[inline(never)]
pub(crate) unsafe fn sys6(nr: c_long, args: [c_long; 6]) -> Result<c_long, i32> {
    let [a, b, c, d, e, f] = args;
    let (r, failed): (c_long, c_long);
    // SAFETY: the caller's promise that the arguments suit the call; the
    // stack is restored before the block ends.
    unsafe {
        core::arch::asm!("addiu $sp, $sp, -32", "sw {e}, 16($sp)", "sw {f}, 20($sp)",
            "syscall", "addiu $sp, $sp, 32", e = in(reg) e, f = in(reg) f,
            inlateout("$2") nr => r, in("$4") a, in("$5") b, in("$6") c,
            inlateout("$7") d => failed, lateout("$8") _, lateout("$9") _,
            lateout("$10") _, lateout("$11") _, lateout("$12") _, lateout("$13") _,
            lateout("$14") _, lateout("$15") _, lateout("$24") _, lateout("$25") _);
    }
    if failed != 0 {
        Err(r as i32)
    } else {
        Ok(r)
    }
}

/// A result of [`sys4`] or [`sys6`] as rustix's.
#[cfg(target_arch = "mips")]
fn ret(r: Result<c_long, i32>) -> Result<c_long, Errno> {
    r.map_err(Errno::from_raw_os_error)
}

/// poll(2) with the timeout in milliseconds (the daemon's are at most a
/// day, see `MAX_SLEEP`).
#[cfg(target_arch = "mips")]
pub fn poll(fds: &mut [PollFd<'_>], timeout_ms: u32) -> Result<usize, Errno> {
    let timeout = timeout_ms as c_long;
    let fds_ptr = fds.as_mut_ptr() as c_long;
    // SAFETY: a PollFd is a `struct pollfd`; the kernel writes the
    // `revents` of these `fds.len()` entries only.
    let r = unsafe { sys4(nr::POLL, fds_ptr, fds.len() as c_long, timeout, 0) };
    ret(r).map(|n| n as usize)
}

#[cfg(not(target_arch = "mips"))]
pub fn poll(fds: &mut [PollFd<'_>], timeout_ms: u32) -> Result<usize, Errno> {
    let timeout = rustix::time::Timespec {
        tv_sec: (timeout_ms / 1000).into(),
        tv_nsec: ((timeout_ms % 1000) * 1_000_000) as rustix::time::Nsecs,
    };
    rustix::event::poll(fds, Some(&timeout))
}

/// socket(2), protocol 0.
#[cfg(target_arch = "mips")]
pub fn socket(family: AddressFamily, ty: SocketType, flags: SocketFlags) -> Result<OwnedFd, Errno> {
    let ty = ty.as_raw() | flags.bits();
    // SAFETY: socket reads no memory of ours.
    let r = unsafe {
        sys4(
            nr::SOCKET,
            c_long::from(family.as_raw()),
            ty as c_long,
            0,
            0,
        )
    };
    // SAFETY: a new descriptor, which we now own.
    ret(r).map(|fd| unsafe { own(fd as c_int) })
}

#[cfg(not(target_arch = "mips"))]
pub fn socket(family: AddressFamily, ty: SocketType, flags: SocketFlags) -> Result<OwnedFd, Errno> {
    rustix::net::socket_with(family, ty, flags, None)
}

/// open(2).
#[cfg(target_arch = "mips")]
pub fn open(path: &CStr, flags: OFlags, mode: Mode) -> Result<OwnedFd, Errno> {
    // What musl's open() adds on 32-bit MIPS.
    const O_LARGEFILE: c_long = 0x2000;
    let flags = flags.bits() as c_long | O_LARGEFILE;
    let path = path.as_ptr() as c_long;
    // SAFETY: the kernel reads the C string `path`.
    let r = unsafe { sys4(nr::OPEN, path, flags, mode.bits() as c_long, 0) };
    // SAFETY: a new descriptor, which we now own.
    ret(r).map(|fd| unsafe { own(fd as c_int) })
}

#[cfg(not(target_arch = "mips"))]
pub fn open(path: &CStr, flags: OFlags, mode: Mode) -> Result<OwnedFd, Errno> {
    rustix::fs::open(path, flags, mode)
}

/// A new shared anonymous mapping of `len` bytes, readable and writable
/// (zeroed, as every anonymous mapping).
#[cfg(target_arch = "mips")]
pub fn map_shared(len: usize) -> Result<*mut c_void, Errno> {
    // PROT_READ | PROT_WRITE; MAP_SHARED | MAP_ANONYMOUS (MIPS's value).
    const PROT: c_long = 3;
    const FLAGS: c_long = 0x1 | 0x800;
    // SAFETY: a new mapping where the kernel chooses: none of ours moves.
    let r = unsafe { sys6(nr::MMAP, [0, len as c_long, PROT, FLAGS, -1, 0]) };
    ret(r).map(|p| p as *mut c_void)
}

#[cfg(not(target_arch = "mips"))]
pub fn map_shared(len: usize) -> Result<*mut c_void, Errno> {
    use rustix::mm::{MapFlags, ProtFlags};
    // SAFETY: a new mapping where the kernel chooses: none of ours moves.
    unsafe {
        rustix::mm::mmap_anonymous(
            core::ptr::null_mut(),
            len,
            ProtFlags::READ | ProtFlags::WRITE,
            MapFlags::SHARED,
        )
    }
}

/// A close-on-exec pipe (read end, write end). On MIPS by the
/// bare system call: musl's pipe2, with its fallback to the old pipe, is
/// ~500 bytes there.
#[cfg(all(
    target_arch = "mips",
    any(feature = "script-log", feature = "wait-on-fork")
))]
pub fn pipe() -> Result<(OwnedFd, OwnedFd), Errno> {
    let mut fds: [c_int; 2] = [-1, -1];
    let cloexec = rustix::pipe::PipeFlags::CLOEXEC.bits() as c_long;
    let fds_ptr = fds.as_mut_ptr() as c_long;
    // SAFETY: pipe2 (not MIPS's old pipe, which returns in registers)
    // writes the two descriptors into `fds`.
    ret(unsafe { sys4(nr::PIPE2, fds_ptr, cloexec, 0, 0) })?;
    // SAFETY: two new descriptors, which we now own.
    Ok(unsafe { (own(fds[0]), own(fds[1])) })
}

#[cfg(all(
    not(target_arch = "mips"),
    any(feature = "script-log", feature = "wait-on-fork")
))]
#[inline(always)]
pub fn pipe() -> Result<(OwnedFd, OwnedFd), Errno> {
    rustix::pipe::pipe_with(rustix::pipe::PipeFlags::CLOEXEC)
}

/// A [`pipe`] whose read end is also O_NONBLOCK (musl's fcntl is ~500
/// bytes on MIPS).
#[cfg(feature = "script-log")]
#[inline(never)]
pub fn pipe_nonblocking_read() -> Option<(OwnedFd, OwnedFd)> {
    let (read, write) = pipe().ok()?;
    #[cfg(target_arch = "mips")]
    {
        const F_SETFL: c_long = 4;
        let nonblock = OFlags::NONBLOCK.bits() as c_long;
        let fd = rustix::fd::AsRawFd::as_raw_fd(&read) as c_long;
        // SAFETY: F_SETFL takes an int; it reads no memory of ours.
        ret(unsafe { sys4(nr::FCNTL, fd, F_SETFL, nonblock, 0) }).ok()?;
    }
    #[cfg(not(target_arch = "mips"))]
    rustix::fs::fcntl_setfl(&read, OFlags::NONBLOCK).ok()?;
    Some((read, write))
}
