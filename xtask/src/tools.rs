//! The tools the cross builds need, installed on first use into `.tools/`
//! (gitignored) so that a fresh machine needs nothing but rustup, pip and
//! apt-get, and nothing lands outside the project but rustup components and
//! Debian packages.

use crate::{output, root, run, target_dir, Result};
use std::path::{Path, PathBuf};
use std::process::Command;

/// The toolchain for cross builds: `-Z build-std` and immediate-abort panics
/// are unstable. Pinned, as zig is: sizes move with the compiler (this one
/// gives 112 B less than 2026-05-19's on x86_64 and MIPS), and the budgets
/// must mean the same on every machine. rustup installs it on first use.
pub const NIGHTLY: &str = "nightly-2026-10-30";
/// Pinned so that sizes stay comparable with the committed baseline.
pub const ZIGLANG: &str = "0.17.1";
pub const ZIGBUILD: &str = "0.24.1";

/// What a cross build runs.
pub struct Cross {
    zig: PathBuf,
    zigbuild: PathBuf,
    /// The nightly toolchain's `cargo`: cargo-zigbuild runs `$CARGO`, which
    /// `cargo xtask` (stable) would otherwise point at stable.
    cargo: PathBuf,
    /// llvm-objcopy from the llvm-tools component: strips every target.
    pub objcopy: PathBuf,
}

fn tools_dir() -> PathBuf {
    root().join(".tools")
}

/// The nightly toolchain with rust-src and llvm-tools, zig and
/// cargo-zigbuild.
pub fn cross() -> Result<Cross> {
    let cargo = nightly()?;
    let (zig, zigbuild) = zig_and_zigbuild()?;
    let host = output(rustc().arg("-vV"))
        .and_then(|v| {
            v.lines()
                .find_map(|l| l.strip_prefix("host: ").map(str::to_string))
        })
        .ok_or("cannot ask nightly rustc for its host triple")?;
    let sysroot = output(rustc().args(["--print", "sysroot"]))
        .ok_or("cannot ask nightly rustc for its sysroot")?;
    let objcopy = Path::new(sysroot.trim())
        .join("lib/rustlib")
        .join(host)
        .join("bin/llvm-objcopy");
    if !objcopy.exists() {
        return Err(format!("{} is missing", objcopy.display()));
    }
    Ok(Cross {
        zig,
        zigbuild,
        cargo,
        objcopy,
    })
}

fn rustc() -> Command {
    let mut cmd = Command::new("rustc");
    cmd.env("RUSTUP_TOOLCHAIN", NIGHTLY);
    cmd
}

impl Cross {
    /// `cargo-zigbuild <sub>` on nightly, with zig's caches under target/
    /// so that CI reruns reuse zig's builds of musl and compiler-rt.
    pub fn zigbuild(&self, sub: &str) -> Command {
        let caches = target_dir();
        let mut cmd = Command::new(&self.zigbuild);
        cmd.arg(sub)
            .env("RUSTUP_TOOLCHAIN", NIGHTLY)
            .env("CARGO", &self.cargo)
            .env("CARGO_ZIGBUILD_ZIG_PATH", &self.zig)
            .env("CARGO_ZIGBUILD_CACHE_DIR", caches.join("zigbuild"))
            .env("ZIG_GLOBAL_CACHE_DIR", caches.join("zig-cache"))
            .env("ZIG_LOCAL_CACHE_DIR", caches.join("zig-cache"))
            // Our RUSTFLAGS must win; this one would override them.
            .env_remove("CARGO_ENCODED_RUSTFLAGS")
            .current_dir(root());
        cmd
    }
}

/// The nightly toolchain and its components; returns its `cargo`.
fn nightly() -> Result<PathBuf> {
    let which = || output(Command::new("rustup").args(["which", "--toolchain", NIGHTLY, "cargo"]));
    if which().is_none() {
        println!("xtask: installing the {NIGHTLY} toolchain (rustup)");
        run(Command::new("rustup").args(["toolchain", "install", NIGHTLY, "--profile", "minimal"]))
            .map_err(|e| format!("cannot install the {NIGHTLY} toolchain: {e}"))?;
    }
    let installed = output(Command::new("rustup").args([
        "component",
        "list",
        "--installed",
        "--toolchain",
        NIGHTLY,
    ]))
    .unwrap_or_default();
    // rust-src for -Z build-std; llvm-tools for llvm-objcopy.
    for (component, listed) in [("rust-src", "rust-src"), ("llvm-tools", "llvm-tools-")] {
        if !installed.lines().any(|l| l.starts_with(listed)) {
            println!("xtask: adding {component} to the {NIGHTLY} toolchain (rustup)");
            run(Command::new("rustup").args([
                "component",
                "add",
                component,
                "--toolchain",
                NIGHTLY,
            ]))
            .map_err(|e| format!("cannot add {component} to {NIGHTLY}: {e}"))?;
        }
    }
    which()
        .map(|p| PathBuf::from(p.trim()))
        .ok_or(format!("rustup has no cargo for {NIGHTLY}"))
}

/// zig and cargo-zigbuild, both from PyPI (`ziglang`, and `cargo-zigbuild`
/// as a prebuilt wheel: seconds, where `cargo install` takes minutes), with
/// `pip install --target` so that no venv is needed.
fn zig_and_zigbuild() -> Result<(PathBuf, PathBuf)> {
    let dir = tools_dir().join("python");
    let zig = dir.join("ziglang/zig");
    let zigbuild = dir.join("bin/cargo-zigbuild");
    if !zig.exists() || !zigbuild.exists() {
        println!(
            "xtask: installing zig {ZIGLANG} and cargo-zigbuild {ZIGBUILD} from PyPI into {}",
            dir.display()
        );
        run(Command::new("python3")
            .args(["-m", "pip", "install", "--quiet", "--upgrade"])
            .args(["--disable-pip-version-check", "--root-user-action=ignore"])
            .arg("--target")
            .arg(&dir)
            .arg(format!("ziglang=={ZIGLANG}"))
            .arg(format!("cargo-zigbuild=={ZIGBUILD}")))
        .map_err(|e| format!("cannot install zig and cargo-zigbuild with pip: {e}"))?;
    }
    Ok((zig, zigbuild))
}

/// A program on PATH.
pub fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|d| d.join(program).is_file()))
}

/// Debian packages for the programs named, installed if any is missing.
pub fn apt(needs: &[(&str, &str)]) -> Result {
    let missing: Vec<&str> = needs
        .iter()
        .filter(|(program, _)| !on_path(program))
        .map(|(_, package)| *package)
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    println!("xtask: installing {} (apt-get)", missing.join(" "));
    run(Command::new("apt-get").args(["update", "-qq"]))
        .and_then(|()| {
            run(Command::new("apt-get")
                .args(["install", "-y", "-qq", "--no-install-recommends"])
                .args(&missing)
                .env("DEBIAN_FRONTEND", "noninteractive"))
        })
        .map_err(|e| format!("cannot install {}: {e}", missing.join(" ")))
}
