//! The signals the daemon acts on, as the host reads them from its
//! signalfd. Its own module so that `script` (a script stopped by one) and
//! `link` (what each one does) need not import each other.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// SIGINT or SIGTERM: the shutdown path, with the "down" script.
    Terminate,
    /// SIGQUIT: exit without the script.
    Quit,
    /// SIGHUP without `ctl` (ignored, as BusyBox does), or SIGPIPE.
    Hangup,
    /// SIGUSR1 (0.28's `-S`): one more level of suspension.
    #[cfg(feature = "ctl")]
    Suspend,
    /// SIGUSR2 (0.28's `-R`): one level less.
    #[cfg(feature = "ctl")]
    Resume,
    /// SIGHUP with `ctl` (0.28's `-z`): log each interface's status.
    #[cfg(feature = "ctl")]
    Info,
}
