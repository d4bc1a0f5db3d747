//! The C library's system call wrappers that rustix calls on MIPS, for the
//! static release build (`--cfg ifplugd_small_mem`, set by `cargo xtask
//! dist`).
//!
//! rustix has no raw system calls for big-endian o32, and those for little
//! endian cost more than these stubs (46,840 -> 46,408 B with every 0.28
//! feature), so MIPS builds use its libc backend: there every read, write and
//! send goes through musl's wrapper: 50-110 bytes each, most of them
//! thread-cancellation points, which a program with one thread does not
//! need. Each here is a system call by the instruction that sets errno as
//! the wrappers do: 2 KB less in all. musl's and
//! zig's wrappers are then not linked (zig's are weak, musl's are archive
//! members nothing else needs), nor musl's errno and the start-up it needs
//! (start.rs replaces that).

use core::ffi::c_int;

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

// Each wrapper is two instructions: the number into v0 (in the jump's
// delay slot) and a jump to one shared tail that makes the call and sets
// errno. The o32 C convention and the kernel's agree: the first four
// arguments in a0-a3, the fifth and sixth at 16($sp) and 20($sp) of the
// caller's frame (sendto, recvfrom), a 64-bit one in an aligned register
// pair (ftruncate64's length in a2/a3); so the arguments are passed on as
// they came. The kernel returns the value in v0, or the errno in v0 with
// a3 set. 8 bytes each instead of musl's 50-110 (and 76 as Rust
// wrappers around sys4).
macro_rules! calls {
    ($($name:ident = $nr:literal;)*) => {
        core::arch::global_asm!(
            ".pushsection .text.ifplugd_libc_calls,\"ax\",@progbits",
            ".set push",
            ".set noreorder",
            ".set noat",
            ".p2align 2",
            $(
                concat!(".globl ", stringify!($name)),
                concat!(".type ", stringify!($name), ",@function"),
                concat!(stringify!($name), ":"),
                "j ifplugd_c_syscall",
                concat!("li $2, ", stringify!($nr)),
                concat!(".size ", stringify!($name), ", 8"),
            )*
            // waitpid is wait4 without the resource usage (a3 = NULL).
            ".globl waitpid",
            ".type waitpid,@function",
            "waitpid:",
            "move $7, $0",
            "j ifplugd_c_syscall",
            "li $2, 4114",
            ".size waitpid, 12",
            // open() as musl's on 32-bit MIPS: O_LARGEFILE added.
            ".globl open",
            ".type open,@function",
            "open:",
            "ori $5, $5, 0x2000",
            "j ifplugd_c_syscall",
            "li $2, 4005",
            ".size open, 12",
            ".type ifplugd_c_syscall,@function",
            "ifplugd_c_syscall:",
            "syscall",
            "bnez $7, 1f",
            "nop",
            "jr $31",
            "nop",
            "1:",
            "lui $1, %hi({errno})",
            "sw $2, %lo({errno})($1)",
            "jr $31",
            "li $2, -1",
            ".size ifplugd_c_syscall, 40",
            ".set pop",
            ".popsection",
            errno = sym ERRNO,
        );
    };
}

// Numbers: musl's arch/mips/bits/syscall.h (o32, base 4000). ftruncate is
// ftruncate64 (the length is 64 bits: register pair a2/a3, high word
// first on big-endian, as the C convention passes it); socket takes its flags in the type, as the
// kernel's has since 2.6.27 (musl's retry for older kernels is not needed).
calls! {
    read = 4003;
    write = 4004;
    close = 4006;
    unlink = 4010;
    execve = 4011;
    chdir = 4012;
    getpid = 4020;
    getuid = 4024;
    kill = 4037;
    dup2 = 4063;
    setsid = 4066;
    bind = 4169;
    connect = 4170;
    recv = 4175;
    recvfrom = 4176;
    send = 4178;
    sendto = 4180;
    socket = 4183;
    ftruncate = 4212;
}
