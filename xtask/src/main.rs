//! `cargo xtask`: the demo, cross builds, qemu tests, the size report, the
//! benchmark and the soak.
//!
//! Only std: the xtask must build on a fresh machine before anything else is
//! installed, and it must never share a dependency (and so a feature set)
//! with the no_std binary.

mod bench;
mod demo;
mod dist;
mod netns;
mod qemu;
mod size;
mod soak;
mod tools;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::sync::OnceLock;

const USAGE: &str = "\
usage: cargo xtask <command> [options]

commands:
  demo
      (root) the daemon on a throwaway veth pair in its own namespace
  bench [--changes N] [--idle-secs S]
      (N changes per run, half on and half off; default 400, idle 60 s)
      (root) reaction time and idle cost, netlink and polling modes;
      reaction beside another interface's 3 s script, and the memory of
      one process on 16 interfaces; writes target/bench/report.md
  soak [--flaps N]
      (root) N carrier flaps (default 100000): no leak, no lost call
  dist [--target T]... [--via cross]
      build the static release `ifplugd` into target/dist/<T>/ifplugd
      (default features) and target/dist/<T>/ifplugd-applet
      (--no-default-features: BusyBox's applet alone)
      (default: all targets; --via cross builds through cross in a container,
      into target/dist-cross/<T>/)
  qemu-test [--target T]... [--smoke-only] [--dist DIR]
      run the core's unit tests and a network-namespace smoke test of the
      dist binary under qemu-user (default: all targets; --smoke-only skips
      the unit tests; --dist target/dist-cross tests the cross route's)
  size [--update-baseline] [--dist DIR]
      size report of both builds of every target in target/dist
      (target/dist/size-report.md), checked against size-report/budget.toml
      (--dist: another dist tree; --update-baseline rewrites both builds'
      size-report/baseline/<T>.tsv and <T>.applet.tsv)

targets: mips-unknown-linux-musl mipsel-unknown-linux-musl
  armv7-unknown-linux-musleabihf arm-unknown-linux-musleabi
  aarch64-unknown-linux-musl x86_64-unknown-linux-musl";

/// A target the project ships, and what it takes to run it here.
#[derive(Clone, Copy, Debug)]
pub struct Target {
    pub triple: &'static str,
    /// The `qemu-<arch>-static` that runs its binaries.
    pub qemu_arch: &'static str,
    /// MIPS toolchains leave a `.pdr` section (~48 KB) behind Cargo's strip.
    pub mips: bool,
}

pub const TARGETS: &[Target] = &[
    Target {
        triple: "mips-unknown-linux-musl",
        qemu_arch: "mips",
        mips: true,
    },
    Target {
        triple: "mipsel-unknown-linux-musl",
        qemu_arch: "mipsel",
        mips: true,
    },
    Target {
        triple: "armv7-unknown-linux-musleabihf",
        qemu_arch: "arm",
        mips: false,
    },
    Target {
        triple: "arm-unknown-linux-musleabi",
        qemu_arch: "arm",
        mips: false,
    },
    Target {
        triple: "aarch64-unknown-linux-musl",
        qemu_arch: "aarch64",
        mips: false,
    },
    Target {
        triple: "x86_64-unknown-linux-musl",
        qemu_arch: "x86_64",
        mips: false,
    },
];

pub type Result<T = ()> = std::result::Result<T, String>;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match dispatch(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("xtask: error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn dispatch(args: &[String]) -> Result {
    let Some((command, rest)) = args.split_first() else {
        println!("{USAGE}");
        return Ok(());
    };
    // These take their own options.
    match command.as_str() {
        "demo" => {
            if !rest.is_empty() {
                return Err("demo takes no options".into());
            }
            return demo::run(&root());
        }
        "bench" => return bench::run(&root(), &bench::Config::parse(rest)?),
        "soak" => {
            let flaps = match rest {
                [] => 100_000,
                [flag, n] if flag == "--flaps" => n
                    .parse()
                    .map_err(|_| format!("--flaps needs a number, not `{n}`"))?,
                _ => return Err("usage: cargo xtask soak [--flaps N]".into()),
            };
            return soak::run(&root(), flaps);
        }
        _ => {}
    }
    let opts = Opts::parse(rest)?;
    match command.as_str() {
        "dist" => {
            opts.only(&["--target", "--via"])?;
            dist::command(&opts.targets()?, opts.via.as_deref())
        }
        "qemu-test" => {
            opts.only(&["--target", "--smoke-only", "--dist"])?;
            qemu::command(&opts.targets()?, opts.smoke_only)
        }
        "size" => {
            opts.only(&["--update-baseline", "--dist"])?;
            size::command(opts.update_baseline)
        }
        "help" | "-h" | "--help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(format!(
            "unknown command `{other}` (try `cargo xtask help`)"
        )),
    }
}

/// The options of all commands; each command accepts only its own.
#[derive(Default)]
struct Opts {
    targets: Vec<String>,
    via: Option<String>,
    update_baseline: bool,
    smoke_only: bool,
    given: Vec<&'static str>,
}

impl Opts {
    fn parse(args: &[String]) -> Result<Opts> {
        let mut opts = Opts::default();
        let mut it = args.iter();
        while let Some(arg) = it.next() {
            // Both `--target T` and `--target=T`.
            let (name, inline) = match arg.split_once('=') {
                Some((n, v)) => (n, Some(v.to_string())),
                None => (arg.as_str(), None),
            };
            let mut value = |name: &str| {
                inline
                    .clone()
                    .or_else(|| it.next().cloned())
                    .ok_or(format!("{name} needs a value"))
            };
            match name {
                "--target" => {
                    opts.targets.push(value(name)?);
                    opts.given.push("--target");
                }
                "--via" => {
                    opts.via = Some(value(name)?);
                    opts.given.push("--via");
                }
                "--update-baseline" => {
                    opts.update_baseline = true;
                    opts.given.push("--update-baseline");
                }
                "--smoke-only" => {
                    opts.smoke_only = true;
                    opts.given.push("--smoke-only");
                }
                "--dist" => {
                    let dir = root().join(value(name)?);
                    DIST.set(dir)
                        .map_err(|_| "--dist given twice".to_string())?;
                    opts.given.push("--dist");
                }
                _ => return Err(format!("unknown option `{arg}` (try `cargo xtask help`)")),
            }
        }
        Ok(opts)
    }

    fn only(&self, allowed: &[&str]) -> Result {
        match self.given.iter().find(|g| !allowed.contains(g)) {
            Some(g) => Err(format!("{g} does not apply to this command")),
            None => Ok(()),
        }
    }

    /// The targets asked for, or all of them.
    fn targets(&self) -> Result<Vec<Target>> {
        if self.targets.is_empty() {
            return Ok(TARGETS.to_vec());
        }
        self.targets.iter().map(|t| target(t)).collect()
    }
}

pub fn target(triple: &str) -> Result<Target> {
    TARGETS
        .iter()
        .find(|t| t.triple == triple)
        .copied()
        .ok_or(format!(
            "unknown target `{triple}` (see `cargo xtask help`)"
        ))
}

/// The workspace root: the xtask lives one level below it.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask has a parent directory")
        .to_path_buf()
}

/// Cargo's target directory, where the dist tree and the caches go.
pub fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => root().join(dir),
        None => root().join("target"),
    }
}

/// `--dist DIR`: the dist tree that qemu-test and size read.
static DIST: OnceLock<PathBuf> = OnceLock::new();

/// Where `dist` puts the binaries (target/dist), or the tree `--dist` names
/// (e.g. target/dist-cross, from `dist --via cross`).
pub fn dist_root() -> PathBuf {
    DIST.get()
        .cloned()
        .unwrap_or_else(|| target_dir().join("dist"))
}

/// Where a target's binaries are: dist_root()/<triple>.
pub fn dist_dir(triple: &str) -> PathBuf {
    dist_root().join(triple)
}

/// Says what it runs, runs it, and turns a failure into one line.
pub fn run(cmd: &mut Command) -> Result {
    println!("xtask: $ {}", show(cmd));
    let status = cmd
        .status()
        .map_err(|e| format!("cannot run `{}`: {e}", cmd.get_program().display()))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("`{}` failed ({status})", show(cmd)))
    }
}

/// Runs quietly and returns stdout, or None when it cannot run or fails.
pub fn output(cmd: &mut Command) -> Option<String> {
    let out = cmd.output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The command line, shortened to what a reader needs (no environment).
pub fn show(cmd: &Command) -> String {
    let mut s = cmd.get_program().to_string_lossy().into_owned();
    for a in cmd.get_args() {
        s.push(' ');
        s.push_str(&a.to_string_lossy());
    }
    s
}
