//! Where the action script is looked for: execvp's rules, as musl has them
//! (BusyBox runs the script with execvp). A name holding a '/' is used as
//! it is; any other name is tried in each directory of PATH in turn.
//!
//! The host joins each candidate into a C string and calls execve; it goes
//! on to the next one only after ENOENT, ENOTDIR or EACCES, and reports
//! EACCES if any candidate gave it.

/// musl's search path when PATH is unset.
pub const DEFAULT_PATH: &[u8] = b"/usr/local/bin:/bin:/usr/bin";
/// Longest name searched for (NAME_MAX): longer ones fail at once.
pub const NAME_MAX: usize = 255;

/// The candidates for `file` under the search path `path` (PATH's value,
/// or [`DEFAULT_PATH`]). Empty when the name is empty or too long; the
/// host then fails with ENOENT or ENAMETOOLONG as execvp does.
pub fn candidates<'a>(file: &'a [u8], path: &'a [u8]) -> Candidates<'a> {
    let state = if unusable(file).is_some() {
        State::Done
    } else if has_slash(file) {
        State::AsIs
    } else {
        State::Path
    };
    Candidates {
        file,
        rest: path,
        state,
    }
}

/// Not `contains()`: that is memchr, ~150 bytes more in a binary counted
/// in bytes, for names of a few dozen.
#[allow(clippy::manual_contains)]
fn has_slash(name: &[u8]) -> bool {
    name.iter().any(|&b| b == b'/')
}

/// Why `file` yields no candidate at all, if it yields none.
pub fn unusable(file: &[u8]) -> Option<Unusable> {
    if file.is_empty() {
        Some(Unusable::Empty)
    } else if !has_slash(file) && file.len() > NAME_MAX {
        Some(Unusable::TooLong)
    } else {
        None
    }
}

/// Why a script name cannot be searched for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unusable {
    /// ENOENT.
    Empty,
    /// ENAMETOOLONG.
    TooLong,
}

#[derive(Clone, Copy, Debug)]
enum State {
    AsIs,
    Path,
    Done,
}

/// An iterator of `(directory, file)`; an empty directory means the name
/// alone (relative to the working directory), without a '/' between.
#[derive(Clone, Debug)]
pub struct Candidates<'a> {
    file: &'a [u8],
    rest: &'a [u8],
    state: State,
}

impl<'a> Iterator for Candidates<'a> {
    type Item = (&'a [u8], &'a [u8]);

    fn next(&mut self) -> Option<Self::Item> {
        match self.state {
            State::Done => None,
            State::AsIs => {
                self.state = State::Done;
                Some((&[], self.file))
            }
            State::Path => {
                let (dir, rest) = match self.rest.iter().position(|&b| b == b':') {
                    Some(i) => (&self.rest[..i], &self.rest[i + 1..]),
                    None => {
                        self.state = State::Done;
                        (self.rest, &[][..])
                    }
                };
                self.rest = rest;
                Some((dir, self.file))
            }
        }
    }
}

/// `dir/file` (or `file` when `dir` is empty) with a NUL, in `buf`;
/// `None` when it does not fit (execvp skips such a directory).
pub fn join<'b>(dir: &[u8], file: &[u8], buf: &'b mut [u8]) -> Option<&'b [u8]> {
    let slash = usize::from(!dir.is_empty());
    let len = dir.len() + slash + file.len();
    let out = buf.get_mut(..len + 1)?;
    let (d, rest) = out.split_at_mut(dir.len());
    d.copy_from_slice(dir);
    let (s, rest) = rest.split_at_mut(slash);
    s.fill(b'/');
    let (f, nul) = rest.split_at_mut(file.len());
    f.copy_from_slice(file);
    nul.fill(0);
    Some(out)
}

/// The value of `name` in one `NAME=value` environment entry.
pub fn env_value<'a>(entry: &'a [u8], name: &[u8]) -> Option<&'a [u8]> {
    entry
        .strip_prefix(name)
        .and_then(|rest| rest.strip_prefix(b"="))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn all<'a>(file: &'a [u8], path: &'a [u8]) -> heapless::Vec<(&'a [u8], &'a [u8]), 8> {
        candidates(file, path).take(8).collect()
    }

    #[test]
    fn a_name_with_a_slash_is_used_as_it_is() {
        let got = all(b"/etc/ifplugd/ifplugd.action", b"/bin:/usr/bin");
        assert_eq!(got[..], [(&b""[..], &b"/etc/ifplugd/ifplugd.action"[..])]);
        let got = all(b"./run", b"/bin");
        assert_eq!(got[..], [(&b""[..], &b"./run"[..])]);
    }

    #[test]
    fn a_bare_name_is_tried_in_each_directory_in_order() {
        let got = all(b"act", b"/a:/b/c:/d");
        let dirs: heapless::Vec<&[u8], 8> = got.iter().map(|c| c.0).collect();
        assert_eq!(dirs[..], [&b"/a"[..], b"/b/c", b"/d"]);
        assert!(got.iter().all(|c| c.1 == b"act"));
    }

    #[test]
    fn empty_path_entries_mean_the_working_directory() {
        let got = all(b"act", b":/a::");
        let dirs: heapless::Vec<&[u8], 8> = got.iter().map(|c| c.0).collect();
        assert_eq!(dirs[..], [&b""[..], b"/a", b"", b""]);
        let mut buf = [0u8; 16];
        assert_eq!(join(b"", b"act", &mut buf), Some(&b"act\0"[..]));
        assert_eq!(all(b"act", b"").len(), 1);
    }

    #[test]
    fn empty_and_overlong_names_have_no_candidate() {
        assert_eq!(all(b"", b"/bin").len(), 0);
        assert_eq!(unusable(b""), Some(Unusable::Empty));
        let long = [b'x'; NAME_MAX + 1];
        assert_eq!(all(&long, b"/bin").len(), 0);
        assert_eq!(unusable(&long), Some(Unusable::TooLong));
        assert_eq!(all(&long[..NAME_MAX], b"/bin").len(), 1);
        assert_eq!(unusable(&long[..NAME_MAX]), None);
        // With a '/', only the kernel's own limits apply.
        let mut long_path = [b'x'; NAME_MAX + 2];
        long_path[0] = b'/';
        assert_eq!(all(&long_path, b"/bin").len(), 1);
    }

    #[test]
    fn join_writes_a_c_string_or_nothing() {
        let mut buf = [0xffu8; 12];
        assert_eq!(
            join(b"/usr/bin", b"ab", &mut buf),
            Some(&b"/usr/bin/ab\0"[..])
        );
        let mut small = [0u8; 11];
        assert_eq!(join(b"/usr/bin", b"ab", &mut small), None);
    }

    #[test]
    fn env_value_needs_the_whole_name_and_an_equals_sign() {
        assert_eq!(env_value(b"PATH=/bin", b"PATH"), Some(&b"/bin"[..]));
        assert_eq!(env_value(b"PATH=", b"PATH"), Some(&b""[..]));
        assert_eq!(env_value(b"PATHS=/x", b"PATH"), None);
        assert_eq!(env_value(b"PATH", b"PATH"), None);
        assert_eq!(env_value(b"XPATH=/x", b"PATH"), None);
    }
}
