//! `cargo xtask size`: runs the size-report tool on target/dist (both
//! builds of every target; `--update-baseline` rewrites both baselines).
//!
//! size-report is its own package so that its dependencies (object,
//! rustc-demangle) stay out of the xtask and, built on its own with `-p`,
//! never meet the no_std binary's.

use crate::{dist_root, root, run, Result};
use std::process::Command;

pub fn command(update_baseline: bool) -> Result {
    // The same cargo that runs the xtask (host toolchain, stable).
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut cmd = Command::new(cargo);
    cmd.args(["run", "--quiet", "-p", "size-report", "--"])
        .arg("--dist")
        .arg(dist_root())
        .args(["--baseline", "size-report/baseline"])
        .args(["--budget", "size-report/budget.toml"])
        .current_dir(root());
    if update_baseline {
        cmd.arg("--update-baseline");
    }
    run(&mut cmd).map_err(|_| "size report failed (see above)".into())
}
