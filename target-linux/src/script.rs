//! Starting the action script: a vfork-style clone (no shell) with
//! argv `SCRIPT IFACE up|down [EXTRA]`, the inherited environment plus
//! IFPLUGD_PREVIOUS and IFPLUGD_CURRENT, the default signal mask, and no
//! descriptor of ours (all are close-on-exec). It runs while the daemon
//! goes on; its end comes as SIGCHLD, and [`reap`] says how it ended.

use crate::sys;
use core::ffi::{c_char, c_int, CStr};
use core::ptr;
use ifplugd_core::exec_path::{self, Unusable};
use ifplugd_core::script::{ScriptCall, ScriptOutcome, ENV_CURRENT, ENV_PREVIOUS};
use ifplugd_core::{IfName, Status};
#[cfg(feature = "script-log")]
use rustix::fd::OwnedFd;
use rustix::io::Errno;
use rustix::process::{waitpid, Pid, WaitOptions, WaitStatus};
/// Longest path tried in the PATH search (the kernel's PATH_MAX).
const PATH_MAX: usize = 4096;

/// Each status's word (`Status as usize` indexes it), NUL-padded to the
/// longest, "error" and its NUL: the script's argument and the value of
/// its two variables, copied whole, with no code to measure or check.
const WORD: usize = 6;
static WORDS: [[u8; WORD]; 3] = [*b"down\0\0", *b"up\0\0\0\0", *b"error\0"];

/// `NAME=` and room for a word with its NUL.
const fn env_template<const N: usize>(name: &str) -> [u8; N] {
    let mut out = [0; N];
    let name = name.as_bytes();
    let mut i = 0;
    while i < name.len() {
        out[i] = name[i];
        i += 1;
    }
    out[i] = b'=';
    out
}

const PREVIOUS_LEN: usize = ENV_PREVIOUS.len() + 1 + WORD;
const CURRENT_LEN: usize = ENV_CURRENT.len() + 1 + WORD;
const PREVIOUS: [u8; PREVIOUS_LEN] = env_template(ENV_PREVIOUS);
const CURRENT: [u8; CURRENT_LEN] = env_template(ENV_CURRENT);

/// Everything about the script that does not change between runs: the
/// process's own arguments, which are C strings already.
pub struct Script<'a> {
    pub path: &'a CStr,
    pub extra: Option<&'a CStr>,
}

impl Script<'_> {
    /// Starts the script for `iface`; `Err(errno)` if it could not start.
    /// With `output` (feature `script-log`), that is its stdout and stderr.
    pub fn start(
        &self,
        iface: &IfName,
        call: &ScriptCall,
        #[cfg(feature = "script-log")] output: Option<&OwnedFd>,
    ) -> Result<Pid, i32> {
        let mut previous = PREVIOUS;
        previous[PREVIOUS_LEN - WORD..].copy_from_slice(word(call.previous));
        let mut current = CURRENT;
        current[CURRENT_LEN - WORD..].copy_from_slice(word(call.current));
        let argv: [*const c_char; 5] = [
            self.path.as_ptr(),
            // NUL-terminated: an IfName always holds one.
            iface.raw().as_ptr().cast(),
            word(call.action).as_ptr().cast(),
            self.extra.map_or(ptr::null(), |e| e.as_ptr()),
            ptr::null(),
        ];
        let area = SpawnArea::get()?;
        // SAFETY: the area's environment has its two slots for these.
        unsafe {
            area.envp.write(previous.as_ptr().cast());
            area.envp.add(1).write(current.as_ptr().cast());
        }
        spawn(
            self.path,
            &argv,
            area,
            #[cfg(feature = "script-log")]
            output,
        )
    }
}

/// `status`'s word and NUL, padded.
fn word(status: Status) -> &'static [u8; WORD] {
    &WORDS[status as usize]
}

/// Whether the C string `entry` starts with `prefix`, which holds no NUL:
/// the first byte that differs ends the look, so it never reads past the
/// string's NUL, and there is no strlen.
///
/// # Safety
/// `entry` must be a NUL-terminated string.
unsafe fn starts_with(entry: *const c_char, prefix: &[u8]) -> bool {
    // SAFETY: every byte read is at or before the NUL (see above).
    prefix
        .iter()
        .enumerate()
        .all(|(i, &b)| unsafe { *entry.add(i) } as u8 == b)
}

/// Whether an environment entry is IFPLUGD_PREVIOUS= or IFPLUGD_CURRENT=,
/// which we replace.
///
/// # Safety
/// `entry` must be a NUL-terminated string.
unsafe fn is_ours(entry: *const c_char) -> bool {
    // SAFETY: the caller's promise.
    unsafe {
        starts_with(entry, &PREVIOUS[..PREVIOUS_LEN - WORD])
            || starts_with(entry, &CURRENT[..CURRENT_LEN - WORD])
    }
}

/// What every spawn uses, mapped at the first one and kept: the word a
/// child whose exec failed leaves its errno in (shared: the child has a
/// copy of everything else), and the script's environment: two slots for
/// IFPLUGD_PREVIOUS and IFPLUGD_CURRENT, then every inherited entry but
/// those, then NULL (a slot for each inherited entry, so none is dropped;
/// those we replace leave theirs NULL at the end). It never changes (the
/// daemon never sets a variable).
#[derive(Clone, Copy)]
struct SpawnArea {
    errno: *mut c_int,
    envp: *mut *const c_char,
}

static mut AREA: SpawnArea = SpawnArea {
    errno: ptr::null_mut(),
    envp: ptr::null_mut(),
};

impl SpawnArea {
    fn get() -> Result<SpawnArea, i32> {
        let word = core::mem::size_of::<usize>();
        // SAFETY: single-threaded; AREA is set once, to a mapping that is
        // never unmapped. `environ` is the C library's NULL-terminated
        // array of C strings, which nothing modifies.
        unsafe {
            let area = &mut *core::ptr::addr_of_mut!(AREA);
            if area.errno.is_null() {
                let inherited = || {
                    let mut p = sys::environ;
                    core::iter::from_fn(move || {
                        if p.is_null() || (*p).is_null() {
                            return None;
                        }
                        let entry = *p;
                        p = p.add(1);
                        Some(entry)
                    })
                };
                let len = 2 + inherited().count() + 1;
                let base = sys::map_shared(word + len * core::mem::size_of::<*const c_char>())
                    .map_err(|e| e.raw_os_error())?;
                // The mapping is zeroed: the slots after the last entry
                // are already NULL.
                let envp = base.cast::<u8>().add(word).cast::<*const c_char>();
                let mut at = envp.add(2);
                for entry in inherited().filter(|&e| !is_ours(e)) {
                    at.write(entry);
                    at = at.add(1);
                }
                *area = SpawnArea {
                    errno: base.cast(),
                    envp,
                };
            }
            Ok(*area)
        }
    }
}

/// vfork done safely: `clone(CLONE_VFORK)` without CLONE_VM, so the child
/// runs on a copy of our memory (it may write its stack freely) while we
/// wait until it has exec'd or exited. Then the shared word says which.
/// It is what vfork or posix_spawn would give us, through the one C
/// library call every libc exports (`syscall`); our signals are blocked,
/// never caught, so only the mask needs resetting in the child.
fn spawn(
    file: &CStr,
    argv: &[*const c_char],
    area: SpawnArea,
    #[cfg(feature = "script-log")] output: Option<&OwnedFd>,
) -> Result<Pid, i32> {
    let slot = area.errno;
    let envp = area.envp;
    let mask = sys::sigset(&[]);
    // SAFETY: the slot is a valid shared word; clone_copy forks (one
    // thread, no handlers); the child only resets its mask, execs and
    // reports, then ends with _exit.
    unsafe {
        slot.write_volatile(0);
        match sys::clone_copy(true)? {
            0 => {
                sys::sigprocmask(sys::SIG_SETMASK, &mask);
                // dup2 clears close-on-exec on 1 and 2 only: the pipe's own
                // descriptors close at the exec.
                #[cfg(feature = "script-log")]
                if let Some(fd) = output {
                    let _ = rustix::stdio::dup2_stdout(fd);
                    let _ = rustix::stdio::dup2_stderr(fd);
                }
                slot.write_volatile(execvp(file.to_bytes(), argv.as_ptr(), envp));
                sys::_exit(127)
            }
            pid => {
                let pid = Pid::from_raw(pid).ok_or(Errno::CHILD.raw_os_error())?;
                let errno = slot.read_volatile();
                if errno != 0 {
                    // Its exit is ours to collect now, not the main loop's.
                    let _ = waitpid(Some(pid), WaitOptions::empty());
                    return Err(errno);
                }
                Ok(pid)
            }
        }
    }
}

/// execvp with our environment: tries each place `file` (`argv[0]`) may
/// be (see `exec_path`) and returns the errno execvp would leave.
///
/// # Safety
/// `argv` and `envp` must be NULL-terminated arrays of C strings.
unsafe fn execvp(file: &[u8], argv: *const *const c_char, envp: *const *const c_char) -> i32 {
    match exec_path::unusable(file) {
        Some(Unusable::Empty) => return Errno::NOENT.raw_os_error(),
        Some(Unusable::TooLong) => return Errno::NAMETOOLONG.raw_os_error(),
        None => {}
    }
    // PATH as the daemon was started with, like getenv() in execvp.
    let mut path = exec_path::DEFAULT_PATH;
    // SAFETY: `environ` is the C library's NULL-terminated array of C
    // strings, which nothing modifies.
    unsafe {
        let mut p = sys::environ;
        while !p.is_null() && !(*p).is_null() {
            if starts_with(*p, b"PATH=") {
                path = CStr::from_ptr(p.read().add(5)).to_bytes();
                break;
            }
            p = p.add(1);
        }
    }
    let mut buf = [0u8; PATH_MAX + exec_path::NAME_MAX + 2];
    let (mut last, mut denied) = (Errno::NOENT, false);
    for (dir, name) in exec_path::candidates(file, path) {
        let Some(c_path) = exec_path::join(dir, name, &mut buf) else {
            continue;
        };
        // SAFETY: a C string path; argv and envp are NULL-terminated arrays
        // of C strings (the caller's promise). It returns only on failure.
        let e = unsafe { sys::execve(c_path.as_ptr().cast(), argv, envp) };
        last = Errno::from_raw_os_error(e);
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

/// A child that has ended, and how, without waiting; `None` when none has.
pub fn reap() -> Option<(Pid, ScriptOutcome)> {
    loop {
        match waitpid(None, WaitOptions::NOHANG) {
            Ok(Some((pid, status))) => return Some((pid, outcome(status))),
            Err(Errno::INTR) => {}
            // None ended (or there is no child at all).
            _ => return None,
        }
    }
}

fn outcome(status: WaitStatus) -> ScriptOutcome {
    if let Some(sig) = status.terminating_signal() {
        return ScriptOutcome::Killed(sig as u8);
    }
    ScriptOutcome::Exited(status.exit_status().unwrap_or(0) as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table holds `Status::as_str`'s words, NUL-terminated.
    #[test]
    fn words_are_the_statuses_words() {
        for s in [Status::Down, Status::Up, Status::Error] {
            let w = word(s);
            let len = w.iter().position(|&b| b == 0).unwrap();
            assert_eq!(&w[..len], s.as_str().as_bytes());
        }
        assert_eq!(&PREVIOUS[..], b"IFPLUGD_PREVIOUS=\0\0\0\0\0\0");
        assert_eq!(&CURRENT[..], b"IFPLUGD_CURRENT=\0\0\0\0\0\0");
    }
}
