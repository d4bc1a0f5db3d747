//! The process's arguments, as the C strings they are: the core parses
//! them, and the values it keeps (script, interface, extra argument) go to
//! the script as they came.

use core::ffi::{c_char, c_int, CStr};

/// The arguments after the program name, as the C strings they are.
#[derive(Clone, Copy)]
pub struct Args {
    argv: *const *const c_char,
    at: usize,
    end: usize,
}

impl Args {
    /// # Safety
    /// `argv` must hold `argc` NUL-terminated strings that live for ever.
    pub unsafe fn new(argc: c_int, argv: *const *const c_char) -> Args {
        Args {
            argv,
            at: 1,
            end: usize::try_from(argc).unwrap_or(0),
        }
    }

    /// argv[0] (empty if there is none): `ifplugstatus` dispatches on it.
    #[cfg(feature = "ifplugstatus")]
    pub fn program(&self) -> &'static [u8] {
        if self.end == 0 {
            return b"";
        }
        // SAFETY: argc >= 1, so argv[0] is a valid C string living for ever.
        unsafe { CStr::from_ptr(*self.argv) }.to_bytes()
    }
}

impl Iterator for Args {
    type Item = &'static CStr;
    fn next(&mut self) -> Option<&'static CStr> {
        if self.at >= self.end {
            return None;
        }
        // SAFETY: at < argc, so argv[at] is a valid C string living for
        // ever (the process's own arguments).
        let arg = unsafe { CStr::from_ptr(*self.argv.add(self.at)) };
        self.at += 1;
        Some(arg)
    }
}
