//! The signals the daemon acts on, as the host reads them from its
//! signalfd. Its own module so that `script` (a script stopped by one) and
//! `link` (what each one does) need not import each other.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Signal {
    /// SIGINT or SIGTERM: the shutdown path, with the "down" script.
    Terminate,
    /// SIGQUIT: exit without the script.
    Quit,
    /// SIGHUP: ignored, as BusyBox does.
    Hangup,
}
