//! The command line, with BusyBox's getopt semantics for the option string
//! `+ansfFi:r:It:u:d:m:pqlx:Mk`: bundled flags (`-ns`), attached values
//! (`-ieth0`), `--`, and a stop at the first non-option.
//!
//! Arguments are C strings of any bytes, as BusyBox takes them: the script
//! path, its extra argument and the interface name are handed on as they
//! came (each value is the tail of an argument, so it keeps its NUL and
//! needs no copy). Only numbers must be digits.
//!
//! Additions, none of which BusyBox's applet of the spec accepts: `-A`
//! (BusyBox 1.36's), `-P` (poll only, no netlink fast path), `-V`/`--version`
//! and `-h`/`--help`.
//!
//! With the `compat-options` feature, ifplugd 0.28's command line as well
//! (its `getopt_long` table and option string
//! `asni:r:t:T:u:d:hkbUDfFvm:pqwx:cISRzlMW`, as Debian's 0.28-19.5 builds
//! it): every long name, in both `--name=VALUE` and `--name VALUE` forms,
//! abbreviated as far as it stays unambiguous (glibc's rule: an exact name
//! wins, else one name must start with the text given), with glibc's
//! one-line complaints; the letters `-b -U -D -T -v -w -W -c -S -R -z`;
//! and ours, `--pid-dir DIR`. Bundling, `--` and the stop at the first
//! non-option stay BusyBox's (0.28's glibc would permute instead), and so
//! do flags given twice (set, where 0.28 toggles) and numbers (checked,
//! where 0.28 takes `atoi`'s).

use crate::delay::{secs_to_millis, Millis};
use crate::detect::ApiMode;
use crate::messages::WriteBytes;
use core::ffi::CStr;

pub use crate::kernel::IFNAME_MAX;

/// BusyBox's interface when no `-i` is given.
const DEFAULT_IFACE: &CStr = c"eth0";

/// Largest value `-t`, `-u` and `-d` accept: BusyBox's `xatoi_positive` range.
pub const NUMBER_MAX: u32 = i32::MAX as u32;

/// What the user asked for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options<'a> {
    /// `-a`: do not bring the interface up, at a probe or when it appears.
    pub no_auto: bool,
    /// `-A` (BusyBox 1.36): do not bring up an interface that appears.
    pub no_up_new: bool,
    /// `-n`: stay in the foreground.
    pub no_daemon: bool,
    /// `-s`: log to stderr, not syslog.
    pub no_syslog: bool,
    /// `-f`: a detection failure counts as down.
    pub ignore_fail: bool,
    /// `-F`: a detection failure counts as up (wins over `-f`).
    pub ignore_fail_positive: bool,
    /// `-i`: the interfaces, in the order given (never empty). Without the
    /// `multi` feature there is room for one: the last `-i` wins, as in
    /// BusyBox; with it, each `-i` adds one, and a value with pattern
    /// characters is a pattern (see [`crate::pattern`]).
    pub ifaces: Ifaces<'a>,
    /// `-r`: the action script.
    pub script: &'a CStr,
    /// `-I`: a failing script does not stop the daemon.
    pub ignore_retval: bool,
    /// `-t`: seconds between link checks.
    pub poll_secs: u32,
    /// `-u`: seconds a new "up" must last before the script runs.
    pub delay_up: u32,
    /// `-d`: seconds a new "down" must last before the script runs.
    pub delay_down: u32,
    /// `-m`: how the link is detected.
    pub api_mode: ApiMode,
    /// `-m` named no mode: BusyBox refuses it only after `-k` and the pid
    /// file, with the interface in the prefix, so the host does too.
    pub unknown_api_mode: Option<&'a [u8]>,
    /// `-p`: no "up" script at start-up.
    pub no_startup: bool,
    /// `-q`: no "down" script at shutdown.
    pub no_shutdown: bool,
    /// `-l`: run the script at start-up even when the link is down.
    pub initial_down: bool,
    /// `-x`: an extra argument for the script.
    pub extra_arg: Option<&'a CStr>,
    /// `-M`: follow the interface's existence through netlink.
    pub monitor: bool,
    /// `-k`: stop the running daemon.
    pub kill: bool,
    /// `-P`: BusyBox-style polling only, no netlink fast path.
    pub poll_only: bool,
    /// `-b`/`--no-beep` (0.28): accepted for its command lines and ignored:
    /// our targets have no PC speaker to beep with.
    #[cfg(feature = "compat-options")]
    pub no_beep: bool,
    /// `-U`/`--no-beep-up` (0.28): accepted and ignored, as `no_beep`.
    #[cfg(feature = "compat-options")]
    pub no_beep_up: bool,
    /// `-D`/`--no-beep-down` (0.28): accepted and ignored, as `no_beep`.
    #[cfg(feature = "compat-options")]
    pub no_beep_down: bool,
    /// `-T`/`--poll-utime` (0.28): microseconds added to `-t`'s period, in
    /// `0..=NUMBER_MAX` like `-t`. The period is [`Options::poll_millis`].
    #[cfg(feature = "compat-options")]
    pub poll_usecs: u32,
    /// `-w`/`--wait-on-fork` (0.28): without `-n`, the parent exits only
    /// once the daemon has done its first link check and start-up script,
    /// with 0.28's codes (2 link detected, 3 no link, 255 if the daemon
    /// died first; after 60 s it sends the child SIGTERM). Only with the
    /// feature `wait-on-fork`; always false without.
    pub wait_on_fork: bool,
    /// `-W`/`--wait-on-kill` (0.28): with `-k`, exit only once the daemon
    /// has (at most 5 s, as 0.28). Without `-k` it does nothing. The shim
    /// acts on it (feature `ctl`).
    #[cfg(feature = "ctl")]
    pub wait_on_kill: bool,
    /// `-c`, `-S`, `-R`, `-z` (0.28): ask the daemon of `-i` (found by its
    /// pid file in `pid_dir`) instead of starting one. `-k` comes first,
    /// as in 0.28: with `kill` set the shim kills and does not look here.
    /// The shim acts on it (feature `ctl`).
    #[cfg(feature = "ctl")]
    pub request: Option<Request>,
    /// `--pid-dir` (ours; no short letter, so that no later BusyBox or 0.28
    /// letter can clash): the pid file's directory, an absolute path of at
    /// most [`crate::pidfile::DIR_MAX`] bytes, for a daemon run as a user
    /// who may not write `/var/run`. Read it through [`Options::pid_dir`].
    #[cfg(feature = "compat-options")]
    pub pid_dir: &'a CStr,
}

/// What `-c`, `-S`, `-R` or `-z` asks the running daemon. When several
/// are given, the greatest in this order is the one asked, as in 0.28
/// (which signals for `-R`, else `-z`, else `-S`, and checks only when none
/// of them was given).
#[cfg(feature = "ctl")]
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Request {
    /// `-c`/`--check-running`: print `ifplugd process for device IFACE
    /// running as pid N.` and exit 0, or `ifplugd not running.` and exit
    /// 255 (0.28's lines and codes).
    CheckRunning,
    /// `-S`/`--suspend`: SIGUSR1 to the daemon, which then neither detects
    /// nor runs scripts until resumed (nested: a counter).
    Suspend,
    /// `-z`/`--info`: SIGHUP to the daemon, which logs one status line.
    Info,
    /// `-R`/`--resume`: SIGUSR2 to the daemon.
    Resume,
}

/// Most `-i` values one instance takes: one without `multi` (BusyBox's),
/// else enough for a router's ports; patterns cover the rest. The pid
/// file's name is built from them, so their number is bounded.
pub const MAX_IFACE_ARGS: usize = if cfg!(feature = "multi") { 8 } else { 1 };

/// The `-i` values.
pub type Ifaces<'a> = heapless::Vec<&'a CStr, MAX_IFACE_ARGS>;

/// The instance's name: the `-i` values joined by `,`.
pub type InstanceName = heapless::Vec<u8, INSTANCE_MAX>;

/// The longest instance name.
pub const INSTANCE_MAX: usize = MAX_IFACE_ARGS * (IFNAME_MAX + 1);

impl<'a> Options<'a> {
    /// The instance's name, for its pid file and its lines about the whole
    /// daemon: the `-i` values joined by `,`, in the order given. With one
    /// `-i` it is that interface's name, as BusyBox's.
    pub fn instance_name(&self) -> InstanceName {
        let mut name = InstanceName::new();
        for (i, iface) in self.ifaces.iter().enumerate() {
            if i > 0 {
                let _ = name.push(b',');
            }
            // Byte by byte: extend_from_slice's check and copy cost more.
            for &b in iface.to_bytes() {
                let _ = name.push(b);
            }
        }
        name
    }

    /// Whether the daemon needs the netlink socket: for the fast path, for
    /// `-M`, and for patterns (the kernel's list of interfaces comes
    /// through it). BusyBox's `-P` alone polls without one.
    pub fn needs_netlink(&self) -> bool {
        !self.poll_only
            || self.monitor
            || (cfg!(feature = "multi")
                && self
                    .ifaces
                    .iter()
                    .any(|i| crate::pattern::is_pattern(i.to_bytes())))
    }

    /// The first interface's name as bytes: the only one unless `multi`.
    pub fn iface_name(&self) -> &'a [u8] {
        self.ifaces.first().map_or(&b"eth0"[..], |i| i.to_bytes())
    }

    /// The pid file's directory: `--pid-dir`'s, else BusyBox's `/var/run`.
    pub fn pid_dir(&self) -> &CStr {
        #[cfg(feature = "compat-options")]
        return self.pid_dir;
        #[cfg(not(feature = "compat-options"))]
        return crate::pidfile::DEFAULT_DIR;
    }

    /// Whether there is a poll period: [`Options::poll_millis`] is not 0
    /// (-t 0 and no -T: netlink only).
    pub fn polls(&self) -> bool {
        #[cfg(feature = "compat-options")]
        return self.poll_secs != 0 || self.poll_usecs != 0;
        #[cfg(not(feature = "compat-options"))]
        return self.poll_secs != 0;
    }

    /// The poll period in milliseconds: `-t`, plus `-T`'s microseconds
    /// rounded up, so that a period `-T` alone gives is never 0 (which
    /// would mean "netlink only"); at most [`crate::delay::MAX_WAIT`].
    pub fn poll_millis(&self) -> Millis {
        let ms = secs_to_millis(self.poll_secs);
        // At most 2^31 - 1 and 2^31 / 1000: the sum fits in 32 bits.
        #[cfg(feature = "compat-options")]
        let ms = (ms + self.poll_usecs.div_ceil(1000)).min(crate::delay::MAX_WAIT);
        ms
    }
}

impl Default for Options<'_> {
    fn default() -> Self {
        Options {
            no_auto: false,
            no_up_new: false,
            no_daemon: false,
            no_syslog: false,
            ignore_fail: false,
            ignore_fail_positive: false,
            ifaces: {
                let mut v = Ifaces::new();
                let _ = v.push(DEFAULT_IFACE);
                v
            },
            script: c"/etc/ifplugd/ifplugd.action",
            ignore_retval: false,
            poll_secs: 1,
            delay_up: 0,
            delay_down: 5,
            api_mode: ApiMode::Auto,
            unknown_api_mode: None,
            no_startup: false,
            no_shutdown: false,
            initial_down: false,
            extra_arg: None,
            monitor: false,
            kill: false,
            poll_only: false,
            #[cfg(feature = "compat-options")]
            no_beep: false,
            #[cfg(feature = "compat-options")]
            no_beep_up: false,
            #[cfg(feature = "compat-options")]
            no_beep_down: false,
            #[cfg(feature = "compat-options")]
            poll_usecs: 0,
            wait_on_fork: false,
            #[cfg(feature = "ctl")]
            wait_on_kill: false,
            #[cfg(feature = "ctl")]
            request: None,
            #[cfg(feature = "compat-options")]
            pid_dir: crate::pidfile::DEFAULT_DIR,
        }
    }
}

/// What the command line asks the program to do.
// Built once per run and matched at once: boxing the options would need an
// allocator.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Command<'a> {
    Run(Options<'a>),
    Help,
    Version,
}

/// Why a command line was refused. Each names the text at fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionError<'a> {
    /// An option letter we do not know (getopt: "unrecognized option").
    Unknown(&'a [u8]),
    /// A long option we do not know: the argument, whole.
    UnknownLong(&'a [u8]),
    /// An option that takes a value came last.
    MissingValue(&'a [u8]),
    /// Not an unsigned decimal number.
    InvalidNumber(&'a [u8]),
    /// A number above [`NUMBER_MAX`].
    OutOfRange(&'a [u8]),
    /// Empty, longer than IFNAMSIZ-1, or holding `/`, or `.`/`..`.
    BadInterface(&'a [u8]),
    /// `-P -t 0`: polling without a period would spin (BusyBox's does).
    PollZero,
    /// More `-i` values than [`MAX_IFACE_ARGS`].
    TooManyInterfaces,
    /// The start of more than one long name: the argument, whole.
    #[cfg(feature = "compat-options")]
    AmbiguousLong(&'a [u8]),
    /// This long option (its full name, without `--`) takes a value and
    /// came last.
    #[cfg(feature = "compat-options")]
    LongMissingValue(&'static [u8]),
    /// This long option (its full name) takes no value and was given one.
    #[cfg(feature = "compat-options")]
    LongValueRefused(&'static [u8]),
    /// `--pid-dir` not absolute, or longer than [`crate::pidfile::DIR_MAX`].
    #[cfg(feature = "compat-options")]
    BadPidDir(&'a [u8]),
}

impl OptionError<'_> {
    /// BusyBox exits with 1 for every command-line error.
    pub const fn exit_code(&self) -> u8 {
        1
    }

    /// getopt's own complaints are followed by the usage text in BusyBox.
    /// With `compat-options` a long option's complaint is glibc's single
    /// line, as 0.28 prints it, without the (long) usage.
    pub const fn shows_usage(&self) -> bool {
        #[cfg(not(feature = "compat-options"))]
        return matches!(
            self,
            OptionError::Unknown(_) | OptionError::UnknownLong(_) | OptionError::MissingValue(_)
        );
        #[cfg(feature = "compat-options")]
        return matches!(self, OptionError::Unknown(_) | OptionError::MissingValue(_));
    }

    /// The error's text, naming the argument at fault as it came.
    pub fn write<W: WriteBytes + ?Sized>(&self, f: &mut W) -> Result<(), W::Error> {
        // The text from a table (its own function, as `Message::lead`),
        // the argument from one load: not both in a compare per error.
        let text = self.text().as_bytes();
        let arg = match *self {
            OptionError::PollZero | OptionError::TooManyInterfaces => &[][..],
            OptionError::Unknown(s)
            | OptionError::UnknownLong(s)
            | OptionError::MissingValue(s)
            | OptionError::InvalidNumber(s)
            | OptionError::OutOfRange(s)
            | OptionError::BadInterface(s) => s,
            #[cfg(feature = "compat-options")]
            OptionError::AmbiguousLong(s) | OptionError::BadPidDir(s) => s,
            #[cfg(feature = "compat-options")]
            OptionError::LongMissingValue(s) | OptionError::LongValueRefused(s) => s,
        };
        let at = text.iter().position(|&b| b == b'%').unwrap_or(text.len());
        f.write_bytes(text.get(..at).unwrap_or_default())?;
        f.write_bytes(arg)?;
        f.write_bytes(text.get(at + 1..).unwrap_or_default())
    }

    /// Each error's text, with the argument where its `%` is (or none):
    /// one string to load per error, not the parts before and after.
    #[inline(never)]
    fn text(&self) -> &'static str {
        match self {
            #[cfg(not(feature = "compat-options"))]
            OptionError::Unknown(_) | OptionError::UnknownLong(_) => "unrecognized option: %",
            #[cfg(feature = "compat-options")]
            OptionError::Unknown(_) => "unrecognized option: %",
            // glibc's texts, as 0.28 prints them.
            #[cfg(feature = "compat-options")]
            OptionError::UnknownLong(_) => "unrecognized option '%'",
            // glibc's shorter form (its fallback when it cannot list the
            // possibilities): the list costs 256 bytes of code here.
            #[cfg(feature = "compat-options")]
            OptionError::AmbiguousLong(_) => "option '%' is ambiguous",
            #[cfg(feature = "compat-options")]
            OptionError::LongMissingValue(_) => "option '--%' requires an argument",
            #[cfg(feature = "compat-options")]
            OptionError::LongValueRefused(_) => "option '--%' doesn't allow an argument",
            #[cfg(feature = "compat-options")]
            OptionError::BadPidDir(_) => {
                "invalid pid file directory '%' (an absolute path of at most 200 bytes)"
            }
            OptionError::MissingValue(_) => "option requires an argument: %",
            OptionError::InvalidNumber(_) => "invalid number '%'",
            OptionError::OutOfRange(_) => "number % is not in 0..2147483647 range",
            OptionError::BadInterface(_) => "invalid interface name '%'",
            OptionError::PollZero => "-t 0 needs the netlink fast path: drop -P",
            OptionError::TooManyInterfaces => "too many -i (at most 8): use a pattern",
        }
    }
}

/// Letters that take a value, as in BusyBox's option string (and `-T`,
/// 0.28's).
const fn takes_value(c: u8) -> bool {
    #[cfg(feature = "compat-options")]
    if c == b'T' {
        return true;
    }
    matches!(c, b'i' | b'r' | b't' | b'u' | b'd' | b'm' | b'x')
}

/// The flag letters, each standing for the bit of its position while
/// [`parse`] reads them. A letter this build does not take is 0, which no
/// argument holds (they are C strings). `-w` is 0.28's, accepted with its
/// command line; it acts only in a build with wait-on-fork. The requests
/// `-c -S -z -R` come last, in 0.28's order of precedence.
const FLAGS: [u8; 22] = {
    let compat = cfg!(feature = "compat-options");
    let ctl = cfg!(feature = "ctl");
    let wait = cfg!(any(feature = "wait-on-fork", feature = "compat-options"));
    [
        b'a',
        b'A',
        b'n',
        b's',
        b'f',
        b'F',
        b'I',
        b'p',
        b'q',
        b'l',
        b'M',
        b'k',
        b'P',
        only(compat, b'b'),
        only(compat, b'U'),
        only(compat, b'D'),
        only(wait, b'w'),
        only(ctl, b'W'),
        only(ctl, b'c'),
        only(ctl, b'S'),
        only(ctl, b'z'),
        only(ctl, b'R'),
    ]
};

/// `c`, or 0 when this build does not take it.
const fn only(on: bool, c: u8) -> u8 {
    if on {
        c
    } else {
        0
    }
}

/// Where the requests' bits start in [`FLAGS`].
#[cfg(feature = "ctl")]
const REQUESTS_AT: u32 = mask(b'c').trailing_zeros();

// `REQUEST_OF` reads the four bits from `REQUESTS_AT` on, in this order.
#[cfg(feature = "ctl")]
const _: () = assert!(
    mask(b'S') == mask(b'c') << 1 && mask(b'z') == mask(b'c') << 2 && mask(b'R') == mask(b'c') << 3
);

/// The request asked, by the bits of `-c -S -z -R` (in that order): the
/// greatest given.
#[cfg(feature = "ctl")]
const REQUEST_OF: [Option<Request>; 16] = {
    use Request::{CheckRunning as C, Info as I, Resume as R, Suspend as S};
    [
        None,
        Some(C),
        Some(S),
        Some(S),
        Some(I),
        Some(I),
        Some(I),
        Some(I),
        Some(R),
        Some(R),
        Some(R),
        Some(R),
        Some(R),
        Some(R),
        Some(R),
        Some(R),
    ]
};

/// The bit of flag letter `c` (0 if it is none).
const fn mask(c: u8) -> u32 {
    let mut at = 0;
    while at < FLAGS.len() {
        if FLAGS[at] == c {
            return 1 << at;
        }
        at += 1;
    }
    0
}

/// Parses the arguments after the program name.
// Not inlined into main, as measured, where that wins: with `multi`
// (the default build and all features), outlined it saves 144 B on MIPS
// and 64 on aarch64, but costs x86_64 144 and the applet 336 on MIPS.
#[cfg_attr(all(feature = "multi", not(target_arch = "x86_64")), inline(never))]
pub fn parse<'a, I>(args: I) -> Result<Command<'a>, OptionError<'a>>
where
    I: IntoIterator<Item = &'a CStr>,
{
    let mut o = Options::default();
    // The first -i replaces the default eth0.
    o.ifaces.clear();
    let mut args = args.into_iter();
    let mut flags = 0u32;
    while let Some(arg) = args.next() {
        // A long option's value is set here; a flag goes on as its letter
        // would ("--monitor" as "-M"), through BusyBox's loop below.
        #[cfg(feature = "compat-options")]
        let bytes = match parse_long(&mut o, arg, &mut args)? {
            Long::Not => arg.to_bytes(),
            Long::Flag(short) => short,
            Long::Done => continue,
        };
        #[cfg(not(feature = "compat-options"))]
        let bytes = arg.to_bytes();
        match bytes {
            b"--" => break,
            #[cfg(not(feature = "compat-options"))]
            b"--help" => return Ok(Command::Help),
            #[cfg(not(feature = "compat-options"))]
            b"--version" => return Ok(Command::Version),
            #[cfg(not(feature = "compat-options"))]
            [b'-', b'-', _, ..] => return Err(OptionError::UnknownLong(bytes)),
            // '+' in the option string: the first non-option ends the
            // options.
            [b'-', _, ..] => {}
            _ => break,
        }
        let mut i = 1;
        while let Some(&c) = bytes.get(i) {
            i += 1;
            if takes_value(c) {
                // The rest of this word, or else the next word, is the value.
                let value = match tail(arg, i) {
                    Some(rest) => rest,
                    None => args
                        .next()
                        .ok_or(OptionError::MissingValue(letter(bytes, i - 1)))?,
                };
                set_value(&mut o, c, value)?;
                break;
            }
            // A flag: its bit, set in `flags` (one compare loop over a
            // table, not a compare and a store for each letter).
            if let Some(at) = FLAGS.iter().position(|&l| l == c) {
                flags |= 1 << at;
                continue;
            }
            match c {
                #[cfg(feature = "compat-options")]
                b'v' => return Ok(Command::Version),
                b'V' => return Ok(Command::Version),
                b'h' => return Ok(Command::Help),
                _ => return Err(OptionError::Unknown(letter(bytes, i - 1))),
            }
        }
    }
    o.set_flags(flags);
    if o.ifaces.is_empty() {
        let _ = o.ifaces.push(DEFAULT_IFACE);
    }
    for iface in &o.ifaces {
        check_iface(iface.to_bytes())?;
    }
    // No period: -t 0, and no -T either. (Not `poll_millis() == 0`: that
    // costs the BusyBox build 288 bytes on x86_64.)
    if o.poll_only && !o.polls() {
        return Err(OptionError::PollZero);
    }
    Ok(Command::Run(o))
}

impl Options<'_> {
    /// The flags [`parse`] gathered, as [`FLAGS`]' bits. Inlined: not
    /// inlined, x86_64 saves 32 B with all features but MIPS loses 80 and
    /// x86_64's default build 240.
    #[inline(always)]
    fn set_flags(&mut self, flags: u32) {
        let on = |mask: u32| flags & mask != 0;
        self.no_auto = on(const { mask(b'a') });
        self.no_up_new = on(const { mask(b'A') });
        self.no_daemon = on(const { mask(b'n') });
        self.no_syslog = on(const { mask(b's') });
        self.ignore_fail = on(const { mask(b'f') });
        self.ignore_fail_positive = on(const { mask(b'F') });
        self.ignore_retval = on(const { mask(b'I') });
        self.no_startup = on(const { mask(b'p') });
        self.no_shutdown = on(const { mask(b'q') });
        self.initial_down = on(const { mask(b'l') });
        self.monitor = on(const { mask(b'M') });
        self.kill = on(const { mask(b'k') });
        self.poll_only = on(const { mask(b'P') });
        #[cfg(feature = "compat-options")]
        {
            self.no_beep = on(const { mask(b'b') });
            self.no_beep_up = on(const { mask(b'U') });
            self.no_beep_down = on(const { mask(b'D') });
        }
        self.wait_on_fork = on(const { mask(b'w') });
        #[cfg(feature = "ctl")]
        {
            self.wait_on_kill = on(const { mask(b'W') });
            // The greatest request given: the highest of their bits.
            self.request = REQUEST_OF[(flags >> REQUESTS_AT) as usize & 15];
        }
    }
}

/// Each long option's short form (`-a`, or `--` for none) and name, read
/// from [`USAGE`], which lists every one as `-a, --no-auto` (`--pid-dir`
/// alone): the names are stored once. The order is the usage text's, not
/// 0.28's table's; only glibc's list of an ambiguous name's possibilities
/// shows it, and we print the short form without one.
#[cfg(feature = "compat-options")]
fn long_options() -> impl Iterator<Item = (&'static [u8], &'static [u8])> {
    let text = USAGE.as_bytes();
    (2..text.len()).filter_map(move |at| {
        let rest = text.get(at..)?.strip_prefix(b"--")?;
        let len = rest.iter().position(|&b| b <= b' ')?;
        let short = match text.get(at - 2..at) {
            Some(b", ") => text.get(at - 4..at - 2)?,
            _ => b"--",
        };
        Some((short, rest.get(..len)?))
    })
}

/// The name part of a long option: after `--`, up to the first `=`.
#[cfg(feature = "compat-options")]
fn long_name(arg: &[u8]) -> &[u8] {
    let body = arg.get(2..).unwrap_or_default();
    body.split(|&b| b == b'=').next().unwrap_or_default()
}

/// What [`parse_long`] made of an argument.
#[cfg(feature = "compat-options")]
enum Long {
    /// Not a long option: for BusyBox's loop.
    Not,
    /// A flag: its short form (`-M`), for BusyBox's loop.
    Flag(&'static [u8]),
    /// An option with its value, set.
    Done,
}

/// One `--name[=value]` argument, as glibc's `getopt_long` reads it: a
/// value is set here (from after `=`, or else the next argument); a flag
/// goes back as its short form.
#[cfg(feature = "compat-options")]
fn parse_long<'a, I>(
    o: &mut Options<'a>,
    arg: &'a CStr,
    args: &mut I,
) -> Result<Long, OptionError<'a>>
where
    I: Iterator<Item = &'a CStr>,
{
    let bytes = arg.to_bytes();
    let [b'-', b'-', _, ..] = bytes else {
        return Ok(Long::Not);
    };
    let given = long_name(bytes);
    // An exact name wins over longer ones it starts ("--no-beep"), else
    // it must start exactly one.
    let mut found = None;
    let mut starts = 0;
    for (short, name) in long_options() {
        if name == given {
            found = Some((short, name));
            starts = 1;
            break;
        }
        if name.starts_with(given) {
            found = Some((short, name));
            starts += 1;
        }
    }
    let (short, name) = match (found, starts) {
        (Some(found), 1) => found,
        (None, _) => return Err(OptionError::UnknownLong(bytes)),
        _ => return Err(OptionError::AmbiguousLong(bytes)),
    };
    // After "--", the name and "=": the value, maybe empty ("--run=").
    let inline =
        (bytes.len() > 2 + given.len()).then(|| tail(arg, 3 + given.len()).unwrap_or_default());
    let letter = short.get(1).copied().filter(|&c| c != b'-');
    if letter.is_none_or(takes_value) {
        let value = match inline {
            Some(value) => value,
            None => args.next().ok_or(OptionError::LongMissingValue(name))?,
        };
        match letter {
            Some(c) => set_value(o, c, value)?,
            None => o.pid_dir = check_pid_dir(value)?,
        }
        return Ok(Long::Done);
    }
    if inline.is_some() {
        return Err(OptionError::LongValueRefused(name));
    }
    Ok(Long::Flag(short))
}

/// An absolute path short enough for the pid file's buffer.
#[cfg(feature = "compat-options")]
fn check_pid_dir(dir: &CStr) -> Result<&CStr, OptionError<'_>> {
    let bytes = dir.to_bytes();
    if bytes.first() == Some(&b'/') && bytes.len() <= crate::pidfile::DIR_MAX {
        Ok(dir)
    } else {
        Err(OptionError::BadPidDir(bytes))
    }
}

/// `arg` from byte `at` on, if anything is left: a C string still.
fn tail(arg: &CStr, at: usize) -> Option<&CStr> {
    let rest = arg.to_bytes_with_nul().get(at..)?;
    if rest.len() < 2 {
        return None;
    }
    CStr::from_bytes_with_nul(rest).ok()
}

/// The option letter at byte `at`, whole when it is a UTF-8 sequence (its
/// length from its first byte), else that one byte.
fn letter(arg: &[u8], at: usize) -> &[u8] {
    let len = match arg.get(at) {
        Some(0xf0..) => 4,
        Some(0xe0..) => 3,
        Some(0xc0..) => 2,
        _ => 1,
    };
    arg.get(at..arg.len().min(at + len)).unwrap_or(b"?")
}

fn set_value<'a>(o: &mut Options<'a>, c: u8, value: &'a CStr) -> Result<(), OptionError<'a>> {
    let bytes = value.to_bytes();
    match c {
        b'i' => {
            if MAX_IFACE_ARGS == 1 {
                o.ifaces.clear();
            }
            o.ifaces
                .push(value)
                .map_err(|_| OptionError::TooManyInterfaces)?;
        }
        b'r' => o.script = value,
        b'm' => match ApiMode::from_name(bytes) {
            Some(mode) => {
                o.api_mode = mode;
                o.unknown_api_mode = None;
            }
            None => o.unknown_api_mode = Some(bytes),
        },
        b'x' => o.extra_arg = Some(value),
        // The numbers, with one call of `number` for all: a call each cost
        // 40 bytes.
        _ => {
            let field = match c {
                b't' => &mut o.poll_secs,
                #[cfg(feature = "compat-options")]
                b'T' => &mut o.poll_usecs,
                b'u' => &mut o.delay_up,
                b'd' => &mut o.delay_down,
                _ => return Ok(()),
            };
            *field = number(bytes)?;
        }
    }
    Ok(())
}

/// An unsigned decimal in `0..=NUMBER_MAX`, as BusyBox's `xatoi_positive`:
/// no sign, no spaces, no suffix.
pub fn number(text: &[u8]) -> Result<u32, OptionError<'_>> {
    if text.is_empty() {
        return Err(OptionError::InvalidNumber(text));
    }
    let mut n: u32 = 0;
    for &b in text {
        if !b.is_ascii_digit() {
            return Err(OptionError::InvalidNumber(text));
        }
        n = n
            .checked_mul(10)
            .and_then(|n| n.checked_add(u32::from(b - b'0')))
            .filter(|&n| n <= NUMBER_MAX)
            .ok_or(OptionError::OutOfRange(text))?;
    }
    Ok(n)
}

/// A name the kernel could hold and that is safe inside a pid file's path.
fn check_iface(name: &[u8]) -> Result<(), OptionError<'_>> {
    let bad = name.is_empty()
        || name.len() > IFNAME_MAX
        || name == b"."
        || name == b".."
        || name.iter().any(|&b| b == b'/' || b.is_ascii_whitespace());
    if bad {
        Err(OptionError::BadInterface(name))
    } else {
        Ok(())
    }
}

/// The usage text, BusyBox's wording plus our additions.
// ci/packaging.sh checks the first USAGE here against the man page.
#[cfg(not(feature = "compat-options"))]
pub const USAGE: &str = "\
Usage: ifplugd [OPTIONS]

Network interface plug detection daemon

\t-n\t\tRun in foreground
\t-s\t\tDon't log to syslog
\t-i IFACE\tInterface
\t-f/-F\t\tTreat link detection error as link down/link up
\t\t\t(otherwise exit on error)
\t-a\t\tDon't up interface at each link probe
\t-A\t\tDon't up newly appeared interface
\t-M\t\tMonitor creation/destruction of interface
\t\t\t(otherwise it must exist)
\t-r PROG\t\tScript to run
\t-x ARG\t\tExtra argument for script
\t-I\t\tDon't exit on nonzero exit code from script
\t-p\t\tDon't run \"up\" script on startup
\t-q\t\tDon't run \"down\" script on exit
\t-l\t\tAlways run script on startup
\t-t SECS\t\tPoll time in seconds (0: netlink events only)
\t-u SECS\t\tDelay before running script after link up
\t-d SECS\t\tDelay after link down
\t-m MODE\t\tAPI mode (mii, priv, ethtool, wlan, iff, auto)
\t-k\t\tKill running daemon
\t-P\t\tPoll only: no netlink fast path (BusyBox timing)
\t-V, --version\tShow version
\t-h, --help\tShow this help
";

/// The usage text with 0.28's options: BusyBox's wording where both have
/// an option, 0.28's for the rest, and the long names.
#[cfg(feature = "compat-options")]
pub const USAGE: &str = "\
Usage: ifplugd [OPTIONS]

Network interface plug detection daemon

\t-n, --no-daemon\t\tRun in foreground
\t-s, --no-syslog\t\tDon't log to syslog
\t-i, --iface IFACE\tInterface
\t-f, --ignore-fail\tTreat link detection error as link down
\t-F, --ignore-fail-positive
\t\t\t\tTreat link detection error as link up
\t\t\t\t(otherwise exit on error)
\t-a, --no-auto\t\tDon't up interface at each link probe
\t-A\t\t\tDon't up newly appeared interface
\t-M, --monitor\t\tMonitor creation/destruction of interface
\t\t\t\t(otherwise it must exist)
\t-r, --run PROG\t\tScript to run
\t-x, --extra-arg ARG\tExtra argument for script
\t-I, --ignore-retval\tDon't exit on nonzero exit code from script
\t-p, --no-startup\tDon't run \"up\" script on startup
\t-q, --no-shutdown\tDon't run \"down\" script on exit
\t-l, --initial-down\tAlways run script on startup
\t-t, --poll-time SECS\tPoll time in seconds (0: netlink events only)
\t-T, --poll-utime USECS\tPoll time in microseconds, added to -t
\t-u, --delay-up SECS\tDelay before running script after link up
\t-d, --delay-down SECS\tDelay after link down
\t-m, --api-mode MODE\tAPI mode (mii, priv, ethtool, wlan, iff, auto)
\t-k, --kill\t\tKill running daemon
\t-W, --wait-on-kill\tWhen run with -k, wait until the daemon died
\t-w, --wait-on-fork\tWait until daemon fork finished
\t-c, --check-running\tCheck if a daemon is currently running
\t-S, --suspend\t\tSuspend running daemon
\t-R, --resume\t\tResume running daemon
\t-z, --info\t\tWrite status of running daemon to syslog
\t-b, --no-beep\t\tAccepted, no effect (no PC speaker)
\t-U, --no-beep-up\tAccepted, no effect
\t-D, --no-beep-down\tAccepted, no effect
\t-P\t\t\tPoll only: no netlink fast path (BusyBox timing)
\t--pid-dir DIR\t\tPid file's directory (/var/run)
\t-V, -v, --version\tShow version
\t-h, --help\t\tShow this help
";

#[cfg(test)]
mod tests {
    use super::*;

    extern crate std;
    use std::boxed::Box;
    use std::ffi::CString;
    use std::vec::Vec;

    /// The arguments as the C start-up code hands them: NUL-terminated.
    fn c_args(args: &[&[u8]]) -> Vec<&'static CStr> {
        args.iter()
            .map(|a| &*Box::leak(CString::new(*a).unwrap().into_boxed_c_str()))
            .collect()
    }

    fn parse_bytes(args: &[&[u8]]) -> Result<Command<'static>, OptionError<'static>> {
        parse(c_args(args))
    }

    fn run(args: &[&str]) -> Options<'static> {
        let raw: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        match parse_bytes(&raw) {
            Ok(Command::Run(o)) => o,
            other => panic!("{args:?} gave {other:?}"),
        }
    }

    fn err(args: &[&str]) -> OptionError<'static> {
        let raw: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
        match parse_bytes(&raw) {
            Err(e) => e,
            other => panic!("{args:?} gave {other:?}"),
        }
    }

    #[test]
    fn defaults_match_busybox() {
        let o = run(&[]);
        assert_eq!(o.ifaces[..], [c"eth0"]);
        assert_eq!(o.script, c"/etc/ifplugd/ifplugd.action");
        assert_eq!((o.poll_secs, o.delay_up, o.delay_down), (1, 0, 5));
        assert_eq!(o.api_mode, ApiMode::Auto);
        assert!(!o.no_daemon && !o.monitor && !o.kill && o.extra_arg.is_none());
    }

    #[test]
    fn bundled_flags_and_values() {
        let o = run(&["-nsi", "wan0", "-t5", "-u", "2", "-d0", "-MIpql", "-xextra"]);
        assert!(o.no_daemon && o.no_syslog && o.monitor && o.ignore_retval);
        assert!(o.no_startup && o.no_shutdown && o.initial_down);
        assert_eq!(o.ifaces[..], [c"wan0"]);
        assert_eq!((o.poll_secs, o.delay_up, o.delay_down), (5, 2, 0));
        assert_eq!(o.extra_arg, Some(c"extra"));
        let o = run(&["-ieth1", "-afFk", "-r", "/bin/s", "-P"]);
        assert_eq!(o.ifaces[..], [c"eth1"]);
        assert!(o.no_auto && o.ignore_fail && o.ignore_fail_positive && o.kill && o.poll_only);
        assert_eq!(o.script, c"/bin/s");
    }

    #[test]
    fn value_may_look_like_an_option() {
        assert_eq!(run(&["-x", "-n"]).extra_arg, Some(c"-n"));
        assert!(!run(&["-x", "-n"]).no_daemon);
    }

    #[test]
    fn stops_at_double_dash_and_first_non_option() {
        let o = run(&["-n", "--", "-s"]);
        assert!(o.no_daemon && !o.no_syslog);
        let o = run(&["-n", "word", "-s"]);
        assert!(o.no_daemon && !o.no_syslog);
        // A lone "-" is a non-option too.
        assert!(!run(&["-", "-s"]).no_syslog);
    }

    #[test]
    fn last_value_wins() {
        assert_eq!(run(&["-t", "3", "-t", "7"]).poll_secs, 7);
    }

    #[cfg(not(feature = "multi"))]
    #[test]
    fn last_interface_wins_without_multi() {
        assert_eq!(run(&["-i", "a", "-ib"]).ifaces[..], [c"b"]);
        assert_eq!(run(&["-i", "a", "-ib"]).instance_name(), b"b");
    }

    #[test]
    fn netlink_when_needed() {
        assert!(run(&[]).needs_netlink());
        assert!(!run(&["-P"]).needs_netlink());
        assert!(run(&["-P", "-M"]).needs_netlink());
        assert_eq!(
            run(&["-P", "-i", "lan*"]).needs_netlink(),
            cfg!(feature = "multi")
        );
    }

    #[cfg(feature = "multi")]
    #[test]
    fn each_interface_counts_with_multi() {
        assert_eq!(run(&["-i", "a", "-ilan*"]).ifaces[..], [c"a", c"lan*"]);
        assert_eq!(run(&["-i", "a", "-ilan*"]).instance_name(), b"a,lan*");
        let eight: Vec<&str> = (0..8).flat_map(|_| ["-i", "abcdefghijklmno"]).collect();
        assert_eq!(run(&eight).instance_name().len(), 8 * 16 - 1);
        let nine: Vec<&str> = (0..9).flat_map(|_| ["-i", "x"]).collect();
        assert_eq!(err(&nine), OptionError::TooManyInterfaces);
        assert_eq!(
            err(&["-i", "a", "-i", "b/c"]),
            OptionError::BadInterface(b"b/c")
        );
    }

    #[test]
    fn api_mode_by_first_letter() {
        for (text, mode) in [
            ("auto", ApiMode::Auto),
            ("ethtool", ApiMode::Ethtool),
            ("mii", ApiMode::Mii),
            ("priv", ApiMode::Private),
            ("private", ApiMode::Private),
            ("wlan", ApiMode::Wlan),
            ("iff", ApiMode::Iff),
            ("e", ApiMode::Ethtool),
        ] {
            assert_eq!(run(&["-m", text]).api_mode, mode, "{text}");
        }
        // Refused later, by the host, after -k and the pid file.
        assert_eq!(run(&["-m", "zzz"]).unknown_api_mode, Some(&b"zzz"[..]));
        assert_eq!(run(&["-m", ""]).unknown_api_mode, Some(&b""[..]));
        assert_eq!(run(&["-m", "zzz", "-m", "iff"]).unknown_api_mode, None);
        assert_eq!(
            run(&["-m", "iff", "-m", "zzz"]).unknown_api_mode,
            Some(&b"zzz"[..])
        );
        // Only the first letter counts, whatever follows.
        assert_eq!(
            parse_bytes(&[b"-m", b"e\xff"]),
            Ok(Command::Run(Options {
                api_mode: ApiMode::Ethtool,
                ..Options::default()
            }))
        );
    }

    #[test]
    fn numbers() {
        assert_eq!(number(b"0"), Ok(0));
        assert_eq!(number(b"2147483647"), Ok(NUMBER_MAX));
        assert_eq!(
            number(b"2147483648"),
            Err(OptionError::OutOfRange(b"2147483648"))
        );
        assert_eq!(
            number(b"99999999999999999999"),
            Err(OptionError::OutOfRange(b"99999999999999999999"))
        );
        for bad in ["", "-1", "+1", " 1", "1s", "0x10", "abc", "1\u{e9}"] {
            let bad = bad.as_bytes();
            assert_eq!(number(bad), Err(OptionError::InvalidNumber(bad)));
        }
        assert_eq!(err(&["-t", "abc"]), OptionError::InvalidNumber(b"abc"));
        assert_eq!(err(&["-u-3"]), OptionError::InvalidNumber(b"-3"));
        assert_eq!(
            parse_bytes(&[b"-d", b"1\xff"]),
            Err(OptionError::InvalidNumber(b"1\xff"))
        );
    }

    #[test]
    fn errors() {
        assert_eq!(err(&["-y"]), OptionError::Unknown(b"y"));
        assert_eq!(err(&["-nä"]), OptionError::Unknown("ä".as_bytes()));
        assert_eq!(err(&["-€n"]), OptionError::Unknown("€".as_bytes()));
        assert_eq!(
            err(&["-n\u{1f600}"]),
            OptionError::Unknown("\u{1f600}".as_bytes())
        );
        assert_eq!(parse_bytes(&[b"-\xff"]), Err(OptionError::Unknown(b"\xff")));
        assert_eq!(
            parse_bytes(&[b"-n\xe2"]),
            Err(OptionError::Unknown(b"\xe2"))
        );
        assert_eq!(err(&["-i"]), OptionError::MissingValue(b"i"));
        assert_eq!(err(&["--foo"]), OptionError::UnknownLong(b"--foo"));
        assert!(err(&["-y"]).shows_usage());
        assert!(!err(&["-t", "x"]).shows_usage());
        assert_eq!(err(&["-t", "x"]).exit_code(), 1);
    }

    #[test]
    fn interface_names() {
        assert_eq!(
            run(&["-i", "abcdefghijklmno"]).ifaces[..],
            [c"abcdefghijklmno"]
        );
        for bad in ["abcdefghijklmnop", "", "a/b", ".", "..", "a b"] {
            assert_eq!(err(&["-i", bad]), OptionError::BadInterface(bad.as_bytes()));
        }
        // Linux takes any other bytes, and so do we.
        assert_eq!(run(&["-i", "eth0:1"]).ifaces[..], [c"eth0:1"]);
        let o = parse_bytes(&[b"-i", b"\xe9th0", b"-r", b"/etc/caf\xe9", b"-x\xff"]);
        let Ok(Command::Run(o)) = o else {
            panic!("{o:?}")
        };
        assert_eq!(o.iface_name(), b"\xe9th0");
        assert_eq!(o.script.to_bytes(), b"/etc/caf\xe9");
        assert_eq!(o.extra_arg.map(CStr::to_bytes), Some(&b"\xff"[..]));
    }

    #[test]
    fn poll_zero_needs_netlink() {
        assert_eq!(run(&["-t", "0"]).poll_secs, 0);
        assert_eq!(err(&["-P", "-t0"]), OptionError::PollZero);
    }

    #[test]
    fn help_and_version() {
        assert_eq!(parse([c"--help"]), Ok(Command::Help));
        assert_eq!(parse([c"-h"]), Ok(Command::Help));
        assert_eq!(parse([c"-V"]), Ok(Command::Version));
        assert_eq!(parse([c"-n", c"--version"]), Ok(Command::Version));
    }

    #[test]
    fn error_texts() {
        let text = |e: OptionError<'_>| {
            let mut s = crate::messages::Line::<64>::new();
            e.write(&mut s).unwrap();
            s.as_bytes().to_vec()
        };
        assert_eq!(
            text(OptionError::OutOfRange(b"9999999999")),
            b"number 9999999999 is not in 0..2147483647 range"
        );
        assert_eq!(
            text(OptionError::InvalidNumber(b"1\xff")),
            b"invalid number '1\xff'"
        );
        assert_eq!(text(OptionError::Unknown(b"z")), b"unrecognized option: z");
    }

    #[test]
    fn pid_dir_defaults_to_var_run() {
        assert_eq!(run(&[]).pid_dir(), c"/var/run");
        assert_eq!(run(&["-t", "2"]).poll_millis(), 2000);
        assert_eq!(run(&["-t", "0"]).poll_millis(), 0);
        // Any int, as BusyBox; the wait is at most 24.8 days.
        assert_eq!(run(&["-t", "2147483647"]).poll_secs, NUMBER_MAX);
        assert_eq!(
            run(&["-t", "2147483647"]).poll_millis(),
            crate::delay::MAX_WAIT
        );
    }

    /// Without `compat-options` the command line is BusyBox's: no long
    /// options but our two, no abbreviations, none of 0.28's letters.
    #[cfg(not(feature = "compat-options"))]
    #[test]
    fn busybox_command_line_only() {
        for long in [
            "--iface=eth1",
            "--no-daemon",
            "--hel",
            "--vers",
            "--pid-dir=/run",
        ] {
            assert_eq!(err(&[long]), OptionError::UnknownLong(long.as_bytes()));
            assert!(err(&[long]).shows_usage());
        }
        for letter in ["b", "U", "D", "T", "v", "w", "W", "c", "S", "R", "z"] {
            // Other features' letters (wait-on-fork's -w, ctl's) are theirs.
            let taken = (letter == "w" && cfg!(feature = "wait-on-fork"))
                || ("WcSRz".contains(letter) && cfg!(feature = "ctl"));
            if taken {
                continue;
            }
            let arg = std::format!("-{letter}");
            assert_eq!(err(&[&arg]), OptionError::Unknown(letter.as_bytes()));
        }
        assert!(!USAGE.contains("--iface"));
        assert_eq!(parse([c"--help"]), Ok(Command::Help));
        assert_eq!(parse([c"--version"]), Ok(Command::Version));
    }

    #[cfg(feature = "compat-options")]
    mod compat {
        use super::*;

        fn text(e: OptionError<'_>) -> std::string::String {
            let mut s = crate::messages::Line::<1024>::new();
            e.write(&mut s).unwrap();
            std::string::String::from_utf8(s.as_bytes().to_vec()).unwrap()
        }

        /// Each option, given every way 0.28 takes it: its letter, its long
        /// name alone, `--name=VALUE` and `--name VALUE`. Each must set
        /// what `check` looks at, and the ways must agree.
        #[test]
        fn every_long_option_every_form() {
            type Check = fn(&Options<'static>) -> bool;
            let flags: &[(&str, &str, Check)] = &[
                ("a", "no-auto", |o| o.no_auto),
                ("n", "no-daemon", |o| o.no_daemon),
                ("s", "no-syslog", |o| o.no_syslog),
                ("b", "no-beep", |o| o.no_beep),
                ("U", "no-beep-up", |o| o.no_beep_up),
                ("D", "no-beep-down", |o| o.no_beep_down),
                ("f", "ignore-fail", |o| {
                    o.ignore_fail && !o.ignore_fail_positive
                }),
                ("F", "ignore-fail-positive", |o| {
                    o.ignore_fail_positive && !o.ignore_fail
                }),
                ("I", "ignore-retval", |o| o.ignore_retval),
                ("w", "wait-on-fork", |o| o.wait_on_fork),
                ("W", "wait-on-kill", |o| o.wait_on_kill),
                ("p", "no-startup", |o| o.no_startup),
                ("q", "no-shutdown", |o| o.no_shutdown),
                ("k", "kill", |o| o.kill),
                ("c", "check-running", |o| {
                    o.request == Some(Request::CheckRunning)
                }),
                ("S", "suspend", |o| o.request == Some(Request::Suspend)),
                ("R", "resume", |o| o.request == Some(Request::Resume)),
                ("z", "info", |o| o.request == Some(Request::Info)),
                ("l", "initial-down", |o| o.initial_down),
                ("M", "monitor", |o| o.monitor),
            ];
            for &(letter, name, check) in flags {
                let short = run(&[&std::format!("-{letter}")]);
                let long = run(&[&std::format!("--{name}")]);
                assert!(check(&short), "-{letter}");
                assert!(!check(&run(&[])), "{name} is not a default");
                assert_eq!(short, long, "-{letter} and --{name}");
                assert_eq!(
                    err(&[&std::format!("--{name}=x")]),
                    OptionError::LongValueRefused(
                        long_options().find(|l| l.1 == name.as_bytes()).unwrap().1
                    )
                );
            }
            let values: &[(&str, &str, &str, Check)] = &[
                ("i", "iface", "wan0", |o| o.ifaces[..] == [c"wan0"]),
                ("r", "run", "/bin/s", |o| o.script == c"/bin/s"),
                ("t", "poll-time", "7", |o| o.poll_secs == 7),
                ("T", "poll-utime", "250000", |o| o.poll_usecs == 250_000),
                ("u", "delay-up", "3", |o| o.delay_up == 3),
                ("d", "delay-down", "4", |o| o.delay_down == 4),
                ("m", "api-mode", "mii", |o| o.api_mode == ApiMode::Mii),
                ("x", "extra-arg", "extra", |o| o.extra_arg == Some(c"extra")),
                ("", "pid-dir", "/run/ifplugd", |o| {
                    o.pid_dir() == c"/run/ifplugd"
                }),
                // A value that looks like an option is still the value.
                ("x", "extra-arg", "--monitor", |o| {
                    o.extra_arg == Some(c"--monitor") && !o.monitor
                }),
            ];
            for &(letter, name, value, check) in values {
                let eq = run(&[&std::format!("--{name}={value}")]);
                let next = run(&[&std::format!("--{name}"), value]);
                assert!(check(&eq), "--{name}={value}");
                assert!(!check(&run(&[])), "{name} is not a default");
                assert_eq!(eq, next, "--{name}=V and --{name} V");
                if !letter.is_empty() {
                    assert_eq!(eq, run(&[&std::format!("-{letter}"), value]), "-{letter}");
                    assert_eq!(eq, run(&[&std::format!("-{letter}{value}")]), "-{letter}V");
                }
                assert_eq!(
                    err(&[&std::format!("--{name}")]),
                    OptionError::LongMissingValue(name.as_bytes())
                );
            }
            assert_eq!(parse([c"--help"]), Ok(Command::Help));
            assert_eq!(parse([c"--version"]), Ok(Command::Version));
            assert_eq!(parse([c"-v"]), Ok(Command::Version));
            assert_eq!(parse([c"-nv"]), Ok(Command::Version));
            assert_eq!(err(&["--help=x"]), OptionError::LongValueRefused(b"help"));
            // The table is 0.28's (Debian's) and --pid-dir: nothing left out.
            let mut names: Vec<&[u8]> = long_options().map(|l| l.1).collect();
            let mut expected: Vec<&[u8]> = NAMES_0_28.iter().map(|n| n.as_bytes()).collect();
            names.sort_unstable();
            expected.sort_unstable();
            assert_eq!(names, expected);
            assert!(long_options().any(|l| l == (&b"--"[..], &b"pid-dir"[..])));
            assert!(long_options().any(|l| l == (&b"-a"[..], &b"no-auto"[..])));
        }

        /// Every letter of 0.28's option string (Debian's 0.28-19.5):
        /// `asni:r:t:T:u:d:hkbUDfFvm:pqwx:cISRzlMW`.
        #[test]
        fn every_letter_of_0_28() {
            let spec = b"asni:r:t:T:u:d:hkbUDfFvm:pqwx:cISRzlMW";
            for (i, &c) in spec.iter().enumerate() {
                if c == b':' {
                    continue;
                }
                let arg = std::format!("-{}", c as char);
                let has_value = spec.get(i + 1) == Some(&b':');
                assert_eq!(has_value, takes_value(c), "{arg}");
                let value = match c {
                    b'i' => "eth1",
                    b'm' => "auto",
                    b'r' | b'x' => "/x",
                    _ => "1",
                };
                let args: Vec<&str> = if has_value {
                    [&*arg, value].into()
                } else {
                    [&*arg].into()
                };
                let raw: Vec<&[u8]> = args.iter().map(|a| a.as_bytes()).collect();
                assert!(parse_bytes(&raw).is_ok(), "{arg}");
                // And each has a long name in the table, with its letter.
                let short = std::format!("-{}", c as char);
                assert!(
                    long_options().any(|l| l.0 == short.as_bytes()),
                    "{arg} has no long name"
                );
            }
        }

        /// 0.28's long names in its table's order (Debian's, with `-U`, `-D`
        /// and `-T`), as glibc lists an ambiguous name's possibilities; ours,
        /// `--pid-dir`, last.
        const NAMES_0_28: [&str; 31] = [
            "no-auto",
            "no-daemon",
            "no-syslog",
            "no-beep",
            "no-beep-up",
            "no-beep-down",
            "ignore-fail",
            "ignore-fail-positive",
            "ignore-retval",
            "iface",
            "run",
            "poll-time",
            "poll-utime",
            "delay-up",
            "delay-down",
            "api-mode",
            "wait-on-fork",
            "wait-on-kill",
            "no-startup",
            "no-shutdown",
            "help",
            "kill",
            "check-running",
            "version",
            "extra-arg",
            "suspend",
            "resume",
            "info",
            "initial-down",
            "monitor",
            "pid-dir",
        ];

        #[test]
        fn abbreviations() {
            assert!(run(&["--no-d"]).no_daemon);
            assert!(run(&["--mon"]).monitor);
            assert!(run(&["--k"]).kill);
            assert_eq!(run(&["--ru", "/bin/s"]).script, c"/bin/s");
            assert_eq!(run(&["--if=eth1"]).ifaces[..], [c"eth1"]);
            assert_eq!(run(&["--delay-u=3"]).delay_up, 3);
            assert_eq!(run(&["--poll-u", "5"]).poll_usecs, 5);
            assert_eq!(run(&["--pi=/run"]).pid_dir(), c"/run");
            assert_eq!(run(&["--api=e"]).api_mode, ApiMode::Ethtool);
            assert_eq!(run(&["--ex", "e"]).extra_arg, Some(c"e"));
            assert_eq!(run(&["--che"]).request, Some(Request::CheckRunning));
            assert_eq!(run(&["--su"]).request, Some(Request::Suspend));
            assert_eq!(run(&["--res"]).request, Some(Request::Resume));
            assert_eq!(run(&["--inf"]).request, Some(Request::Info));
            assert!(run(&["--ini"]).initial_down);
            assert_eq!(parse([c"--h"]), Ok(Command::Help));
            assert_eq!(parse([c"--vers"]), Ok(Command::Version));
            // An exact name wins over the longer names it starts.
            let o = run(&["--ignore-fail"]);
            assert!(o.ignore_fail && !o.ignore_fail_positive);
            assert!(run(&["--ignore-fail-p"]).ignore_fail_positive);
            let o = run(&["--no-beep"]);
            assert!(o.no_beep && !o.no_beep_up && !o.no_beep_down);
            // A refused value names the whole name, not the abbreviation.
            assert_eq!(err(&["--mon=x"]), OptionError::LongValueRefused(b"monitor"));
            assert_eq!(err(&["--ru"]), OptionError::LongMissingValue(b"run"));
        }

        /// Texts as Debian's 0.28-19.5 (glibc 2.36) printed them, in a
        /// namespace, after its "ifplugd: ".
        #[test]
        fn ambiguous() {
            for arg in [
                "--de", "--de=3", "--no", "--i", "--in", "--r", "--p", "--po", "--=x",
            ] {
                assert_eq!(
                    err(&[arg]),
                    OptionError::AmbiguousLong(arg.as_bytes()),
                    "{arg}"
                );
                assert!(!err(&[arg]).shows_usage());
            }
            assert_eq!(
                err(&["--no-beep-"]),
                OptionError::AmbiguousLong(b"--no-beep-")
            );
            // glibc 2.36 goes on "; possibilities: '--delay-up' '--delay-down'";
            // the line up to there is the same.
            assert_eq!(text(err(&["--de"])), "option '--de' is ambiguous");
            assert_eq!(text(err(&["--de=3"])), "option '--de=3' is ambiguous");
            // Which names each starts, as 0.28 lists them (and ours, where
            // it starts the same); in its table's order, which ours, read
            // from the usage text, need not keep (see `long_options`).
            let starting = |given: &str| -> Vec<&str> {
                let mut names: Vec<&str> = long_options()
                    .filter(|(_, n)| n.starts_with(given.as_bytes()))
                    .map(|(_, n)| std::str::from_utf8(n).unwrap())
                    .collect();
                let in_0_28_order = |n: &&str| NAMES_0_28.iter().position(|m| m == n);
                names.sort_by_key(in_0_28_order);
                names
            };
            assert_eq!(starting("de"), ["delay-up", "delay-down"]);
            assert_eq!(
                starting("no"),
                [
                    "no-auto",
                    "no-daemon",
                    "no-syslog",
                    "no-beep",
                    "no-beep-up",
                    "no-beep-down",
                    "no-startup",
                    "no-shutdown"
                ]
            );
            assert_eq!(
                starting("i"),
                [
                    "ignore-fail",
                    "ignore-fail-positive",
                    "ignore-retval",
                    "iface",
                    "info",
                    "initial-down"
                ]
            );
            assert_eq!(starting("p"), ["poll-time", "poll-utime", "pid-dir"]);
            assert_eq!(starting("").len(), 31);
        }

        #[test]
        fn errors() {
            for (args, e, t) in [
                (
                    &["--foo"][..],
                    OptionError::UnknownLong(b"--foo"),
                    "unrecognized option '--foo'",
                ),
                (
                    &["--foo=bar"],
                    OptionError::UnknownLong(b"--foo=bar"),
                    "unrecognized option '--foo=bar'",
                ),
                (
                    &["--ifacex"],
                    OptionError::UnknownLong(b"--ifacex"),
                    "unrecognized option '--ifacex'",
                ),
                (
                    &["--monitor=x"],
                    OptionError::LongValueRefused(b"monitor"),
                    "option '--monitor' doesn't allow an argument",
                ),
                (
                    &["--kill="],
                    OptionError::LongValueRefused(b"kill"),
                    "option '--kill' doesn't allow an argument",
                ),
                (
                    &["--version=1"],
                    OptionError::LongValueRefused(b"version"),
                    "option '--version' doesn't allow an argument",
                ),
                (
                    &["-n", "--iface"],
                    OptionError::LongMissingValue(b"iface"),
                    "option '--iface' requires an argument",
                ),
            ] {
                assert_eq!(err(args), e, "{args:?}");
                assert_eq!(text(e), t);
                assert!(!e.shows_usage() && e.exit_code() == 1);
            }
            // Values are checked as the letters' are.
            assert_eq!(err(&["--poll-time=x"]), OptionError::InvalidNumber(b"x"));
            assert_eq!(
                err(&["--poll-utime", "-1"]),
                OptionError::InvalidNumber(b"-1")
            );
            assert_eq!(
                err(&["-T", "2147483648"]),
                OptionError::OutOfRange(b"2147483648")
            );
            assert_eq!(err(&["--iface="]), OptionError::BadInterface(b""));
            assert_eq!(err(&["--iface=a/b"]), OptionError::BadInterface(b"a/b"));
            assert_eq!(run(&["--run="]).script, c"");
            assert_eq!(run(&["--api-mode=zzz"]).unknown_api_mode, Some(&b"zzz"[..]));
            // Short letters keep BusyBox's texts and usage.
            assert_eq!(err(&["-T"]), OptionError::MissingValue(b"T"));
            assert!(err(&["-y"]).shows_usage());
            // Any bytes: named as they came.
            assert_eq!(
                parse_bytes(&[b"--\xff"]),
                Err(OptionError::UnknownLong(b"--\xff"))
            );
            let o = parse_bytes(&[b"--run=/etc/caf\xe9", b"--iface", b"\xe9th0"]);
            let Ok(Command::Run(o)) = o else {
                panic!("{o:?}")
            };
            assert_eq!(o.script.to_bytes(), b"/etc/caf\xe9");
            assert_eq!(o.iface_name(), b"\xe9th0");
        }

        #[test]
        fn pid_dir() {
            assert_eq!(run(&[]).pid_dir(), crate::pidfile::DEFAULT_DIR);
            assert_eq!(run(&["--pid-dir", "/"]).pid_dir(), c"/");
            for bad in ["", "run", "./run", "~/run"] {
                assert_eq!(
                    err(&["--pid-dir", bad]),
                    OptionError::BadPidDir(bad.as_bytes())
                );
            }
            assert_eq!(
                text(OptionError::BadPidDir(b"run")),
                "invalid pid file directory 'run' (an absolute path of at most 200 bytes)"
            );
            assert_eq!(crate::pidfile::DIR_MAX, 200, "the text above says so");
            let longest = std::format!("/{}", "d".repeat(crate::pidfile::DIR_MAX - 1));
            let o = run(&["--pid-dir", &longest, "-i", "abcdefghijklmno"]);
            let path = crate::pidfile::path(o.pid_dir().to_bytes(), o.iface_name()).unwrap();
            assert!(path.ends_with(b"/ifplugd.abcdefghijklmno.pid\0"));
            let too_long = std::format!("{longest}d");
            assert_eq!(
                err(&["--pid-dir", &too_long]),
                OptionError::BadPidDir(too_long.as_bytes())
            );
        }

        #[test]
        fn stops_at_double_dash_and_first_non_option() {
            let o = run(&["--no-daemon", "--", "--no-syslog"]);
            assert!(o.no_daemon && !o.no_syslog);
            let o = run(&["--no-daemon", "word", "--monitor", "--foo"]);
            assert!(o.no_daemon && !o.monitor);
            // "--" as a value is the value, not the end.
            let o = run(&["--iface", "--", "-s"]);
            assert_eq!(o.ifaces[..], [c"--"]);
            assert!(o.no_syslog);
            // Help and version end the parse, as -h and -V do.
            assert_eq!(parse([c"--he", c"--foo"]), Ok(Command::Help));
        }

        #[test]
        fn mixed_with_short_bundles() {
            let o = run(&[
                "-ns",
                "--iface=wan0",
                "-MT500",
                "--delay-up",
                "2",
                "-wW",
                "--run",
                "/bin/s",
                "-kx",
                "e",
                "--no-beep",
                "-UD",
                "--pid-dir=/run",
            ]);
            assert!(o.no_daemon && o.no_syslog && o.monitor && o.wait_on_fork && o.wait_on_kill);
            assert!(o.kill && o.no_beep && o.no_beep_up && o.no_beep_down);
            assert_eq!(o.ifaces[..], [c"wan0"]);
            assert_eq!((o.poll_usecs, o.delay_up), (500, 2));
            assert_eq!((o.script, o.extra_arg), (c"/bin/s", Some(c"e")));
            assert_eq!(o.pid_dir(), c"/run");
            // Last value wins, whichever form gave it.
            assert_eq!(run(&["-t3", "--poll-time=9", "--poll-t", "4"]).poll_secs, 4);
        }

        #[cfg(feature = "multi")]
        #[test]
        fn each_iface_counts_in_any_form() {
            assert_eq!(
                run(&["-i", "a", "--iface=b", "--if", "lan*"]).ifaces[..],
                [c"a", c"b", c"lan*"]
            );
        }

        /// When several are asked, the one 0.28 would send.
        #[test]
        fn requests() {
            for (args, r) in [
                (&["-c"][..], Request::CheckRunning),
                (&["-c", "-S"], Request::Suspend),
                (&["-S", "-c"], Request::Suspend),
                (&["-Sz"], Request::Info),
                (&["-zS"], Request::Info),
                (&["-R", "-S", "-z", "-c"], Request::Resume),
                (&["-cSzR"], Request::Resume),
            ] {
                assert_eq!(run(args).request, Some(r), "{args:?}");
            }
            assert_eq!(run(&[]).request, None);
            // -k is a field of its own; the shim puts it first.
            let o = run(&["-k", "-S"]);
            assert!(o.kill && o.request == Some(Request::Suspend));
        }

        #[test]
        fn poll_period() {
            assert_eq!(run(&[]).poll_millis(), 1000);
            assert_eq!(run(&["-t1", "-T250000"]).poll_millis(), 1250);
            assert_eq!(
                run(&["-t0", "-T500"]).poll_millis(),
                1,
                "rounded up, never 0"
            );
            assert_eq!(run(&["-t0", "-T1000"]).poll_millis(), 1);
            assert_eq!(run(&["-t0", "-T1001"]).poll_millis(), 2);
            assert_eq!(run(&["-t", "0", "-P", "-T", "1"]).poll_millis(), 1);
            assert_eq!(err(&["-P", "-t0", "-T0"]), OptionError::PollZero);
            let max = std::format!("{NUMBER_MAX}");
            // Clamped to the longest wait, 24.8 days.
            assert_eq!(
                run(&["-t", &max, "-T", &max]).poll_millis(),
                crate::delay::MAX_WAIT
            );
            assert_eq!(
                run(&["-t", "2147483", "-T", "647000"]).poll_millis(),
                crate::delay::MAX_WAIT
            );
            assert_eq!(
                run(&["-t", "2147483", "-T", "647001"]).poll_millis(),
                crate::delay::MAX_WAIT
            );
            assert_eq!(
                run(&["-t", "2147483", "-T", "646000"]).poll_millis(),
                crate::delay::MAX_WAIT - 1
            );
            assert_eq!(
                run(&["-t", "0", "-T", &max]).poll_millis(),
                NUMBER_MAX.div_ceil(1000)
            );
        }

        #[test]
        fn usage_lists_every_option() {
            for (short, name) in long_options() {
                let name = std::str::from_utf8(name).unwrap();
                assert!(USAGE.contains(&std::format!("--{name}")), "--{name}");
                if short != b"--" {
                    let short = std::str::from_utf8(short).unwrap();
                    let listed = [std::format!("\t{short}"), std::format!(", {short},")];
                    assert!(listed.iter().any(|l| USAGE.contains(&**l)), "{short}");
                }
            }
            for ours in ["-A", "-P", "-V"] {
                assert!(USAGE.contains(ours));
            }
            for line in USAGE.lines() {
                let width: usize =
                    line.chars()
                        .fold(0, |w, c| if c == '\t' { (w / 8 + 1) * 8 } else { w + 1 });
                assert!(width <= 80, "{line:?}");
            }
        }
    }

    #[cfg(feature = "ctl")]
    #[test]
    fn ctl_letters() {
        let o = run(&["-S"]);
        assert_eq!(o.request, Some(Request::Suspend));
        assert!(!o.wait_on_kill);
        assert_eq!(run(&["-R"]).request, Some(Request::Resume));
        assert_eq!(run(&["-z"]).request, Some(Request::Info));
        assert_eq!(run(&["-i", "x"]).request, None);
        // 0.28: -R before -z before -S, whatever the order given.
        assert_eq!(run(&["-zS"]).request, Some(Request::Info));
        assert_eq!(run(&["-R", "-S", "-z"]).request, Some(Request::Resume));
        let o = run(&["-kW"]);
        assert!(o.kill && o.wait_on_kill);
    }
}
