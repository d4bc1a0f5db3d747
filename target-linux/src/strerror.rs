//! The texts of the errnos the daemon can meet, word for word as musl
//! (OpenWrt's and Buildroot's usual C library) has them. musl's whole
//! table costs 2.2 KB; this one covers what sockets, ioctls, netlink,
//! poll, fork, exec and the pid file can return. Any other errno is
//! logged by number. The numbers come from rustix, so they are right on
//! MIPS too, where many differ.

use rustix::io::Errno;

/// The numbers, as u16 (the largest, MIPS's EDQUOT, is 1133): half the
/// table where rustix's Errno is a C int (its libc backend).
const KNOWN: [u16; 41] = {
    let mut known = [0; 41];
    let mut i = 0;
    while i < known.len() {
        known[i] = ERRNOS[i].raw_os_error() as u16;
        i += 1;
    }
    known
};

const ERRNOS: [Errno; 41] = [
    Errno::PERM,
    Errno::NOENT,
    Errno::SRCH,
    Errno::INTR,
    Errno::IO,
    Errno::NXIO,
    Errno::TOOBIG,
    Errno::NOEXEC,
    Errno::BADF,
    Errno::CHILD,
    Errno::AGAIN,
    Errno::NOMEM,
    Errno::ACCESS,
    Errno::FAULT,
    Errno::BUSY,
    Errno::EXIST,
    Errno::NODEV,
    Errno::NOTDIR,
    Errno::ISDIR,
    Errno::INVAL,
    Errno::NFILE,
    Errno::MFILE,
    Errno::NOTTY,
    Errno::TXTBSY,
    Errno::NOSPC,
    Errno::ROFS,
    Errno::PIPE,
    Errno::NAMETOOLONG,
    Errno::NOSYS,
    Errno::LOOP,
    Errno::NOTSOCK,
    Errno::PROTONOSUPPORT,
    Errno::OPNOTSUPP,
    Errno::AFNOSUPPORT,
    Errno::ADDRINUSE,
    Errno::ADDRNOTAVAIL,
    Errno::NETDOWN,
    Errno::NOBUFS,
    Errno::TIMEDOUT,
    Errno::CONNREFUSED,
    Errno::DQUOT,
];

/// The texts of `KNOWN`, in its order, each ended by a NUL.
const TEXTS: &str = "Operation not permitted\0\
No such file or directory\0\
No such process\0\
Interrupted system call\0\
I/O error\0\
No such device or address\0\
Argument list too long\0\
Exec format error\0\
Bad file descriptor\0\
No child process\0\
Resource temporarily unavailable\0\
Out of memory\0\
Permission denied\0\
Bad address\0\
Resource busy\0\
File exists\0\
No such device\0\
Not a directory\0\
Is a directory\0\
Invalid argument\0\
Too many open files in system\0\
No file descriptors available\0\
Not a tty\0\
Text file busy\0\
No space left on device\0\
Read-only file system\0\
Broken pipe\0\
Filename too long\0\
Function not implemented\0\
Symbolic link loop\0\
Not a socket\0\
Protocol not supported\0\
Not supported\0\
Address family not supported by protocol\0\
Address in use\0\
Address not available\0\
Network is down\0\
No buffer space available\0\
Operation timed out\0\
Connection refused\0\
Quota exceeded\0";

/// musl's text for `errno`, if it is one we carry.
pub fn text(errno: i32) -> Option<&'static str> {
    // `-k -W` gave up waiting (0.28's errno for it).
    #[cfg(feature = "ctl")]
    if errno == Errno::TIME.raw_os_error() {
        return Some("Timer expired");
    }
    // One walk: the k-th text ends at the k-th NUL.
    let mut known = KNOWN.iter();
    let mut start = 0;
    for (i, &b) in TEXTS.as_bytes().iter().enumerate() {
        if b == 0 {
            if i32::from(*known.next()?) == errno {
                return TEXTS.get(start..i);
            }
            start = i + 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_number_has_its_text() {
        assert_eq!(TEXTS.split_terminator('\0').count(), KNOWN.len());
        assert_eq!(
            text(Errno::PERM.raw_os_error()),
            Some("Operation not permitted")
        );
        assert_eq!(text(Errno::NODEV.raw_os_error()), Some("No such device"));
        assert_eq!(text(Errno::OPNOTSUPP.raw_os_error()), Some("Not supported"));
        assert_eq!(text(Errno::DQUOT.raw_os_error()), Some("Quota exceeded"));
        assert_eq!(text(Errno::RANGE.raw_os_error()), None);
        assert_eq!(text(0), None);
    }
}
