//! The process's entry point for the static release build on x86_64,
//! aarch64, ARM and little-endian MIPS (`--cfg ifplugd_small_mem`, linked with `-e ifplugd_start` by
//! `cargo xtask dist`), in place of musl's crt1.o and `__libc_start_main`,
//! which the linker then drops as unreferenced (zig links crt1.o even with
//! -nostartfiles).
//!
//! musl's start-up sets up thread-local storage and the thread pointer,
//! reads the auxiliary vector, runs constructors and, after main, atexit
//! handlers and a stdio flush: 1.3 KB that this binary never needs there.
//! No C library function it calls on these targets touches any of that
//! state: rustix makes its own system calls, errno is never read (sys.rs
//! makes its system calls by the instruction), and of the C library it
//! uses only `environ`, `_exit`, `strlen` and `bcmp`.

use core::ffi::{c_char, c_int};

extern "C" {
    /// The C library's; ours to set, as its start-up would.
    static mut environ: *const *const c_char;
}

// The kernel starts us with the stack pointer at argc, then argv, NULL,
// envp, NULL. Clear the frame pointer and return address (the end of a
// backtrace), align the stack as the ABI wants for a call, and go to Rust
// with the pointer to argc.
#[cfg(target_arch = "x86_64")]
core::arch::global_asm!(
    ".globl ifplugd_start",
    ".type ifplugd_start,@function",
    "ifplugd_start:",
    "xor ebp, ebp",
    "mov rdi, rsp",
    "and rsp, -16",
    "call {start}",
    start = sym start,
);

#[cfg(target_arch = "aarch64")]
core::arch::global_asm!(
    ".globl ifplugd_start",
    ".type ifplugd_start,%function",
    "ifplugd_start:",
    "mov x29, #0",
    "mov x30, #0",
    "mov x0, sp",
    "and sp, x0, #-16",
    "b {start}",
    start = sym start,
);

#[cfg(all(target_arch = "arm", target_feature = "thumb-mode"))]
macro_rules! THUMB_FUNC {
    () => {
        ".thumb_func"
    };
}
#[cfg(all(target_arch = "arm", not(target_feature = "thumb-mode")))]
macro_rules! THUMB_FUNC {
    () => {
        ""
    };
}
// Instructions that assemble the same as ARM and as Thumb-2 code. ARMv7
// builds are Thumb: `.thumb_func` gives the entry's address its Thumb bit,
// so that the kernel starts it in Thumb state (without it: SIGILL).
#[cfg(target_arch = "arm")]
core::arch::global_asm!(
    ".globl ifplugd_start",
    ".type ifplugd_start,%function",
    THUMB_FUNC!(),
    "ifplugd_start:",
    "mov fp, #0",
    "mov lr, #0",
    "mov r0, sp",
    "bic r1, r0, #15",
    "mov sp, r1",
    "bl {start}",
    start = sym start,
);

// MIPS o32: the callee may store its four argument registers in the 16
// bytes above the stack pointer; $gp at the linker's _gp, as musl's start
// sets it; `jal` has a delay slot.
#[cfg(target_arch = "mips")]
core::arch::global_asm!(
    ".globl ifplugd_start",
    ".type ifplugd_start,@function",
    "ifplugd_start:",
    ".set push",
    ".set noreorder",
    "move $fp, $zero",
    "move $4, $sp",
    "li $8, -16",
    "and $sp, $sp, $8",
    "addiu $sp, $sp, -16",
    "lui $gp, %hi(_gp)",
    "addiu $gp, $gp, %lo(_gp)",
    "jal {start}",
    "nop",
    ".set pop",
    start = sym start,
);

/// # Safety
/// Called once, by `ifplugd_start`, with the stack the kernel made.
unsafe extern "C" fn start(sp: *const usize) -> ! {
    // SAFETY: the kernel's layout: argc, argc argument pointers, NULL,
    // then the environment's pointers up to a NULL.
    unsafe {
        let argc = *sp;
        let argv = sp.add(1).cast::<*const c_char>();
        environ = argv.add(argc + 1);
        let code = crate::main(argc as c_int, argv);
        crate::sys::_exit(code)
    }
}
