//! The size report of the dist binaries (`cargo xtask size` runs it): per
//! target and build the file size against its budget, the loadable
//! sections, the bytes per crate and the largest symbols, and the per-symbol
//! difference to the committed baseline, printed as BusyBox's bloat-o-meter
//! prints it.
//!
//! usage: size-report --dist DIR --baseline DIR --budget FILE [--update-baseline]
//!                    [--openwrt DIR]
//!
//! Every target of DIR has two builds (`cargo xtask dist` makes both):
//! DIR/<triple>/ifplugd with the default features and
//! DIR/<triple>/ifplugd-applet, BusyBox's applet alone; each is stripped and
//! its symbols come from DIR/<triple>/unstripped/<same name>, the same link
//! before stripping. Both must be within their budgets.
//! `--openwrt target/openwrt` (as ci/openwrt.sh fills it, in the same
//! layout, default build only) adds the OpenWrt-style builds, each of which
//! must be within the default build's budget of its target.

mod baseline;
mod budget;
mod measure;
mod report;

use measure::Build;
use std::path::PathBuf;
use std::process::ExitCode;

struct Args {
    dist: PathBuf,
    baseline: PathBuf,
    budget: PathBuf,
    update_baseline: bool,
    openwrt: Option<PathBuf>,
}

fn parse_args() -> Result<Args, String> {
    let (mut dist, mut baseline, mut budget, mut update) = (None, None, None, false);
    let mut openwrt = None;
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || {
            it.next()
                .map(PathBuf::from)
                .ok_or(format!("{arg} needs a value"))
        };
        match arg.as_str() {
            "--dist" => dist = Some(value()?),
            "--baseline" => baseline = Some(value()?),
            "--budget" => budget = Some(value()?),
            "--update-baseline" => update = true,
            "--openwrt" => openwrt = Some(value()?),
            _ => return Err(format!("unknown argument `{arg}`")),
        }
    }
    Ok(Args {
        dist: dist.ok_or("--dist is required")?,
        baseline: baseline.ok_or("--baseline is required")?,
        budget: budget.ok_or("--budget is required")?,
        update_baseline: update,
        openwrt,
    })
}

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("size-report: error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Ok(false) when a build is over its budget.
fn run() -> Result<bool, String> {
    let args = parse_args()?;
    let budgets = budget::read(&args.budget)?;
    let defaults = measure::all(&args.dist, Build::Default)?;
    if defaults.is_empty() {
        return Err(format!(
            "no target built in {} (run `cargo xtask dist` first)",
            args.dist.display()
        ));
    }
    let applets = measure::all(&args.dist, Build::Applet)?;
    // Both builds of every target, or the check of one would be skipped.
    for (have, missing) in [(&defaults, &applets), (&applets, &defaults)] {
        for b in have.iter() {
            if !missing.iter().any(|m| m.triple == b.triple) {
                let build = if b.build == Build::Default {
                    Build::Applet
                } else {
                    Build::Default
                };
                return Err(format!(
                    "{} has no {} (run `cargo xtask dist --target {}`)",
                    args.dist.join(&b.triple).display(),
                    build.file(),
                    b.triple
                ));
            }
        }
    }
    let mut binaries: Vec<_> = defaults.into_iter().chain(applets).collect();
    binaries.sort_by(|a, b| (&a.triple, a.build).cmp(&(&b.triple, b.build)));
    let openwrt = match &args.openwrt {
        Some(dir) => measure::all(dir, Build::Default)?,
        None => Vec::new(),
    };
    // What OpenWrt users install is held to the default build's budget,
    // as the static dist binary is. (It once had to be no larger than the
    // static binary, when that carried musl's start-up and wrappers; now the
    // static one carries almost none of the C library, and the shared
    // build's dynamic linking, ~1-2 KB, makes it the larger.)
    let limit = |b: &measure::Binary| budgets.get(Build::Default, &b.triple);
    let mut text = report::summary(&binaries, &budgets);
    if !openwrt.is_empty() {
        text.push_str(&report::openwrt(&openwrt, limit));
    }
    for bin in &binaries {
        let file = baseline::path(&args.baseline, &bin.triple, bin.build);
        let old = baseline::read(&file)?;
        text.push_str(&report::target(bin, old.as_ref(), &file));
        if args.update_baseline {
            baseline::write(&file, bin.build, &bin.symbols)?;
        }
    }
    print!("{text}");
    let out = args.dist.join("size-report.md");
    std::fs::write(&out, &text).map_err(|e| format!("cannot write {}: {e}", out.display()))?;
    if args.update_baseline {
        eprintln!(
            "size-report: baselines of both builds updated in {}",
            args.baseline.display()
        );
    }

    let mut ok = true;
    for bin in &binaries {
        match budgets.get(bin.build, &bin.triple) {
            None => {
                ok = false;
                eprintln!(
                    "size-report: {} ({} build) has no budget in {}",
                    bin.triple,
                    bin.build.label(),
                    args.budget.display()
                );
            }
            Some(max) if bin.file_size > max => {
                ok = false;
                eprintln!(
                    "size-report: {} ({} build) is {} bytes, over its budget of {max} bytes ({})",
                    bin.triple,
                    bin.build.label(),
                    bin.file_size,
                    args.budget.display()
                );
            }
            Some(_) => {}
        }
    }
    for bin in &openwrt {
        match limit(bin) {
            Some(max) if bin.file_size <= max => {}
            Some(max) => {
                ok = false;
                eprintln!(
                    "size-report: the OpenWrt-style {} is {} bytes, over the default \
                     build's budget of {max} bytes",
                    bin.triple, bin.file_size
                );
            }
            None => {
                ok = false;
                eprintln!(
                    "size-report: the OpenWrt-style {} has no budget to compare with",
                    bin.triple
                );
            }
        }
    }
    Ok(ok)
}
