//! Running the action script: a vfork-style clone (no shell) with
//! argv `SCRIPT IFACE up|down [EXTRA]`, the inherited environment plus
//! IFPLUGD_PREVIOUS and IFPLUGD_CURRENT, the default signal mask, and no
//! descriptor of ours (all are close-on-exec).
//!
//! While it runs we still listen for signals: SIGTERM, SIGINT or SIGQUIT
//! stop it (SIGTERM, then SIGKILL after a grace period) so that a hung
//! script cannot hold up shutdown. BusyBox waits for ever.

use crate::signals::Signals;
use crate::sys;
use core::ffi::{c_char, c_int, CStr};
use core::ptr;
use ifplugd_core::exec_path::{self, Unusable};
use ifplugd_core::script::{ScriptCall, ScriptOutcome, ENV_CURRENT, ENV_PREVIOUS};
use ifplugd_core::{Signal, Status};
use rustix::event::{poll, PollFd, PollFlags};
use rustix::fd::AsFd;
use rustix::io::Errno;
use rustix::process::{kill_process, pidfd_open, waitpid, Pid, PidfdFlags, WaitOptions};

/// How long a script asked to stop may take before SIGKILL.
const GRACE_MS: i64 = 1000;
/// Environment entries passed on; more are dropped (ours come first).
/// Every byte here is resident memory while the daemon runs.
const ENV_MAX: usize = 256;
/// Longest script path or extra argument, with its NUL. Resident too.
pub const ARG_MAX: usize = 1024;
/// Longest path tried in the PATH search (the kernel's PATH_MAX).
const PATH_MAX: usize = 4096;

/// A NUL-terminated copy of a string, on the stack.
pub struct CBuf<const N: usize> {
    buf: [u8; N],
}

impl<const N: usize> CBuf<N> {
    /// `None` when `parts` (concatenated) do not fit with the NUL, or hold
    /// a NUL.
    // Not `contains()`: that is memchr, ~150 bytes more for short strings.
    #[allow(clippy::manual_contains)]
    pub fn new(parts: &[&str]) -> Option<Self> {
        let mut buf = [0u8; N];
        let mut at = 0;
        for part in parts {
            let end = at + part.len();
            buf.get_mut(at..end)?.copy_from_slice(part.as_bytes());
            at = end;
        }
        if at >= N || buf[..at].iter().any(|&b| b == 0) {
            return None;
        }
        Some(CBuf { buf })
    }

    pub fn as_ptr(&self) -> *const c_char {
        self.buf.as_ptr().cast()
    }
}

/// Everything about the script that does not change between runs.
pub struct Script<'a> {
    pub path: &'a CBuf<ARG_MAX>,
    pub iface: &'a CBuf<16>,
    pub extra: Option<&'a CBuf<ARG_MAX>>,
}

impl Script<'_> {
    pub fn run(&self, call: &ScriptCall, signals: &mut Signals) -> ScriptOutcome {
        let action: &[u8] = match call.action {
            Status::Up => b"up\0",
            _ => b"down\0",
        };
        let previous = env_entry(ENV_PREVIOUS, call.previous);
        let current = env_entry(ENV_CURRENT, call.current);
        let (Some(previous), Some(current)) = (previous, current) else {
            return ScriptOutcome::NotStarted(Errno::NAMETOOLONG.raw_os_error());
        };
        let argv: [*const c_char; 5] = [
            self.path.as_ptr(),
            self.iface.as_ptr(),
            action.as_ptr().cast(),
            self.extra.map_or(ptr::null(), |e| e.as_ptr()),
            ptr::null(),
        ];
        let mut envp: [*const c_char; ENV_MAX + 3] = [ptr::null(); ENV_MAX + 3];
        envp[0] = previous.as_ptr();
        envp[1] = current.as_ptr();
        let mut n = 2;
        // SAFETY: `environ` is the C library's NULL-terminated array of
        // NUL-terminated strings; nothing modifies it while we read.
        unsafe {
            let mut p = sys::environ;
            while !p.is_null() && !(*p).is_null() && n < ENV_MAX + 2 {
                let entry = *p;
                if !is_ours(entry) {
                    envp[n] = entry;
                    n += 1;
                }
                p = p.add(1);
            }
        }
        let pid = match spawn(&argv, &envp) {
            Ok(pid) => pid,
            Err(errno) => return ScriptOutcome::NotStarted(errno),
        };
        wait(pid, signals)
    }
}

fn env_entry(name: &str, status: Status) -> Option<CBuf<32>> {
    CBuf::new(&[name, "=", status.as_str()])
}

/// Whether an environment entry is IFPLUGD_PREVIOUS= or IFPLUGD_CURRENT=,
/// which we replace.
///
/// # Safety
/// `entry` must be a NUL-terminated string.
unsafe fn is_ours(entry: *const c_char) -> bool {
    let s = CStr::from_ptr(entry).to_bytes();
    // Not exec_path::env_value: this inlines to less (80 bytes on MIPS).
    [ENV_PREVIOUS, ENV_CURRENT]
        .iter()
        .any(|name| s.len() > name.len() && s.starts_with(name.as_bytes()) && s[name.len()] == b'=')
}

/// What the child needs, on the parent's stack (the child shares memory).
struct SpawnArgs<'a> {
    argv: &'a [*const c_char],
    envp: &'a [*const c_char],
    mask: sys::sigset_t,
    /// Set by the child when exec fails.
    errno: c_int,
}

/// The child's stack: the parent is suspended (CLONE_VFORK) until the child
/// has exec'd or exited, so one static stack serves every spawn.
#[repr(C, align(16))]
struct ChildStack([u8; 32 * 1024]);
static mut CHILD_STACK: ChildStack = ChildStack([0; 32 * 1024]);

/// vfork done safely: `clone(CLONE_VM | CLONE_VFORK)` onto a stack of its
/// own, so the child never touches the parent's frames. It is what musl's
/// posix_spawn does inside, without the parts we do not need (our
/// signals are blocked, never caught, so only the mask needs resetting).
fn spawn(argv: &[*const c_char], envp: &[*const c_char]) -> Result<Pid, i32> {
    let mut args = SpawnArgs {
        argv,
        envp,
        mask: sys::sigset(&[]),
        errno: 0,
    };
    // SAFETY: the stack is ours alone (single thread, parent suspended
    // while the child runs); `args` outlives the child's use of it, which
    // ends at exec or _exit before vfork_on returns here.
    let pid = unsafe {
        let stack = core::ptr::addr_of_mut!(CHILD_STACK);
        let top = (stack as *mut u8).add(core::mem::size_of::<ChildStack>());
        sys::vfork_on(child, top.cast(), (&mut args as *mut SpawnArgs).cast())?
    };
    let pid = Pid::from_raw(pid).ok_or(Errno::CHILD.raw_os_error())?;
    if args.errno != 0 {
        let _ = reap(pid);
        return Err(args.errno);
    }
    Ok(pid)
}

/// The child: unblock signals, exec, or report why not.
extern "C" fn child(arg: *mut core::ffi::c_void) -> c_int {
    // SAFETY: `arg` is the parent's SpawnArgs, alive and untouched while
    // the parent is suspended; only async-signal-safe calls follow.
    unsafe {
        let args = &mut *(arg as *mut SpawnArgs);
        sys::sigprocmask(sys::SIG_SETMASK, &args.mask, ptr::null_mut());
        args.errno = execvp(args.argv, args.envp);
        sys::_exit(127)
    }
}

/// execvp with our environment: tries each place `argv[0]` may be (see
/// `exec_path`) and returns the errno execvp would leave.
///
/// # Safety
/// `argv` and `envp` must be NULL-terminated arrays of C strings.
unsafe fn execvp(argv: &[*const c_char], envp: &[*const c_char]) -> i32 {
    let file = CStr::from_ptr(argv[0]).to_bytes();
    match exec_path::unusable(file) {
        Some(Unusable::Empty) => return Errno::NOENT.raw_os_error(),
        Some(Unusable::TooLong) => return Errno::NAMETOOLONG.raw_os_error(),
        None => {}
    }
    // PATH as the daemon was started with, like getenv() in execvp.
    let mut path = exec_path::DEFAULT_PATH;
    let mut p = sys::environ;
    while !p.is_null() && !(*p).is_null() {
        if let Some(value) = exec_path::env_value(CStr::from_ptr(*p).to_bytes(), b"PATH") {
            path = value;
            break;
        }
        p = p.add(1);
    }
    let mut buf = [0u8; PATH_MAX + exec_path::NAME_MAX + 2];
    let (mut last, mut denied) = (Errno::NOENT, false);
    for (dir, name) in exec_path::candidates(file, path) {
        let Some(c_path) = exec_path::join(dir, name, &mut buf) else {
            continue;
        };
        sys::execve(c_path.as_ptr().cast(), argv.as_ptr(), envp.as_ptr());
        last = Errno::from_raw_os_error(sys::errno());
        match last {
            Errno::ACCESS => denied = true,
            Errno::NOENT | Errno::NOTDIR => {}
            _ => return last.raw_os_error(),
        }
    }
    if denied {
        Errno::ACCESS.raw_os_error()
    } else {
        last.raw_os_error()
    }
}

/// Waits for the script, still answering signals. With no pidfd (kernels
/// before 5.3) it simply blocks; signals then wait until it ends.
fn wait(pid: Pid, signals: &mut Signals) -> ScriptOutcome {
    let Ok(pidfd) = pidfd_open(pid, PidfdFlags::empty()) else {
        return reap(pid);
    };
    loop {
        let sigfd = signals.fd();
        let mut fds = [
            PollFd::new(&pidfd, PollFlags::IN),
            PollFd::new(&sigfd, PollFlags::IN),
        ];
        if poll(&mut fds, None).is_err() {
            continue;
        }
        if fds[0].revents().contains(PollFlags::IN) {
            return reap(pid);
        }
        if fds[1].revents().is_empty() {
            continue;
        }
        if let Some(sig @ (Signal::Terminate | Signal::Quit)) = signals.read() {
            stop(pid, &pidfd);
            let _ = reap(pid);
            return ScriptOutcome::Interrupted(sig);
        }
    }
}

/// SIGTERM, then SIGKILL if it is still there after the grace period.
fn stop(pid: Pid, pidfd: &impl AsFd) {
    let _ = kill_process(pid, rustix::process::Signal::TERM);
    let grace = rustix::time::Timespec {
        tv_sec: GRACE_MS / 1000,
        tv_nsec: ((GRACE_MS % 1000) * 1_000_000) as rustix::time::Nsecs,
    };
    let mut fds = [PollFd::new(pidfd, PollFlags::IN)];
    if !matches!(poll(&mut fds, Some(&grace)), Ok(n) if n > 0) {
        let _ = kill_process(pid, rustix::process::Signal::KILL);
    }
}

fn reap(pid: Pid) -> ScriptOutcome {
    loop {
        match waitpid(Some(pid), WaitOptions::empty()) {
            Ok(Some((_, status))) => {
                if let Some(code) = status.exit_status() {
                    return ScriptOutcome::Exited(code as u8);
                }
                if let Some(sig) = status.terminating_signal() {
                    return ScriptOutcome::Killed(sig as u8);
                }
            }
            Ok(None) | Err(Errno::INTR) => {}
            Err(e) => return ScriptOutcome::NotStarted(e.raw_os_error()),
        }
    }
}
