//! `cargo xtask dist --via cross`: the same static, stripped binaries as the
//! default route (both builds, `ifplugd` and `ifplugd-applet`), built by
//! cross (cross-rs) in a container, into target/dist-cross/<triple>/.
//!
//! cross's own images (ghcr.io/cross-rs/…) cannot be pulled on our machines,
//! so the xtask makes an image of its own on first use and caches it under
//! target/cross/ (`cargo clean` removes it):
//! 1. the base: Debian bookworm from `debootstrap --variant=minbase`, from
//!    the apt mirror the host already uses, imported as
//!    localhost/ifplugd-cross-base:bookworm (its tarball is kept too);
//! 2. on top, xtask/cross/Containerfile: zig and cargo-zigbuild, the default
//!    route's linker (wheels from PyPI, fetched by the host's pip), and gcc
//!    for build scripts; tagged by a hash of everything it is made from.
//!
//! cross mounts the host's nightly toolchain (with rust-src) into the
//! container, so nothing inside needs the Rust download servers, and the
//! crates come from the host's cargo cache (`cargo fetch` first; the
//! container builds offline).
//!
//! With podman (which the xtask installs when no engine answers), the
//! settings are xtask/cross/containers.conf (runc, cgroupfs, no default
//! ulimits: what runs on our machines) and the storage is under
//! target/cross/. A running docker daemon is used as it is.
//!
//! `IFPLUGD_CROSS_IMAGES=stock` leaves the images to cross instead (its
//! stock images and GCC toolchains, per Cross.toml): for packagers who can
//! pull them. That variant is not tested here.

use super::{install, rustflags, Linker, BUILDS};
use crate::tools::{self, ZIGBUILD, ZIGLANG};
use crate::{root, run, show, target_dir, Result, Target};
use std::ffi::OsString;
use std::fs;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// The crates.io release the xtask installs and Cross.toml is written for.
const CROSS_VERSION: &str = "0.2.5";
const BASE: &str = "localhost/ifplugd-cross-base:bookworm";
const SUITE: &str = "bookworm";
/// Where cross 0.2.5 mounts the workspace in the container.
const PROJECT_IN_CONTAINER: &str = "/project";
/// What cross prints when it runs cargo on the host instead of in a
/// container: that would be a default-route build under another name.
const HOST_FALLBACK: &str = "Falling back to `cargo` on the host";

/// One line for every way the route cannot run here.
fn no_engine(why: &str) -> String {
    format!(
        "--via cross: no container engine can run here ({why}); \
         the default route needs none: cargo xtask dist"
    )
}

/// target/cross/: the image's caches, podman's storage, cargo's output.
fn cache() -> PathBuf {
    target_dir().join("cross")
}

/// Where the cross route puts a target's binaries.
pub fn dist_dir(triple: &str) -> PathBuf {
    target_dir().join("dist-cross").join(triple)
}

pub fn build(targets: &[Target]) -> Result {
    let started = Instant::now();
    let stock = std::env::var("IFPLUGD_CROSS_IMAGES").is_ok_and(|v| v == "stock");
    let engine = Engine::find()?;
    // Our image first: when the engine cannot run a container, this is
    // where it shows, before anything else is installed.
    let image = if stock {
        println!("xtask: IFPLUGD_CROSS_IMAGES=stock: cross's own images, as Cross.toml says");
        None
    } else {
        Some(engine.image()?)
    };
    let host = tools::cross()?;
    let cross = cross_binary()?;
    fetch()?;
    let linker = if stock {
        Linker::Cross
    } else {
        Linker::ZigAt(PROJECT_IN_CONTAINER)
    };
    for t in targets {
        for b in BUILDS {
            let one = Instant::now();
            println!(
                "xtask: building {} ({}) with cross ({})",
                t.triple, b.name, engine.name
            );
            let mut cmd = Command::new(&cross);
            // The variables `cargo run` set for the xtask itself: cross hands
            // every CARGO_* variable to the container's cargo.
            for (key, _) in std::env::vars_os() {
                let key = key.to_string_lossy();
                if key == "CARGO" || key.starts_with("CARGO_") && key != "CARGO_HOME" {
                    cmd.env_remove(&*key);
                }
            }
            cmd.arg(format!("+{}", tools::NIGHTLY))
                .args(["build", "--release", "-p", "ifplugd", "--target", t.triple])
                .args(b.cargo_args)
                .args(["--config", "profile.release.strip=false"])
                .arg("--target-dir")
                .arg(cache().join("cargo"))
                // Not RUSTUP_TOOLCHAIN: with it `rustup toolchain list` marks
                // nightly `(active)`, which cross 0.2.5 does not parse; it then
                // "installs" nightly, i.e. updates the machine's toolchain.
                .env_remove("RUSTUP_TOOLCHAIN")
                .env("CARGO_NET_OFFLINE", "true")
                .env("CROSS_CONTAINER_ENGINE", &engine.program)
                .env("RUSTFLAGS", rustflags(t, linker))
                .envs(engine.env.iter().map(|(k, v)| (k, v)))
                .current_dir(root());
            if let Some(image) = &image {
                let var = t.triple.to_uppercase().replace('-', "_");
                cmd.env(format!("CROSS_TARGET_{var}_IMAGE"), image);
            }
            run_in_container(&mut cmd)?;
            let built = cache().join("cargo").join(t.triple).join("release/ifplugd");
            let bin = install(&host, t, &built, &dist_dir(t.triple), b.name)?;
            report(t, b.name, &bin, one)?;
        }
    }
    println!(
        "xtask: --via cross done in {:.0?}; compare: cargo xtask size --dist target/dist-cross",
        started.elapsed()
    );
    Ok(())
}

/// The container has no route to crates.io (nor the host's certificate
/// authorities): the crates of the workspace and of -Z build-std's std come
/// from the host's cargo cache, fetched here.
fn fetch() -> Result {
    let nightly = |program: &str| {
        let mut cmd = Command::new(program);
        cmd.env("RUSTUP_TOOLCHAIN", tools::NIGHTLY)
            .current_dir(root());
        cmd
    };
    let sysroot = crate::output(nightly("rustc").args(["--print", "sysroot"]))
        .ok_or("cannot ask nightly rustc for its sysroot")?;
    let library = Path::new(sysroot.trim()).join("lib/rustlib/src/rust/library/Cargo.toml");
    run(nightly("cargo").args(["fetch", "--locked", "--quiet"]))?;
    run(nightly("cargo")
        .args(["fetch", "--locked", "--quiet", "--manifest-path"])
        .arg(library))
}

/// The size of a cross build, and of the default route's same build if
/// there is one.
fn report(t: &Target, name: &str, bin: &Path, started: Instant) -> Result {
    let size = |p: &Path| fs::metadata(p).map(|m| m.len());
    let ours = size(bin).map_err(|e| format!("{}: {e}", bin.display()))?;
    let default = crate::dist_dir(t.triple).join(name);
    let other = match size(&default) {
        Ok(n) => format!("; default route {n} bytes ({})", default.display()),
        Err(_) => String::new(),
    };
    println!(
        "xtask: {} -> {} ({ours} bytes, static, {:.0?}{other})",
        t.triple,
        bin.display(),
        started.elapsed()
    );
    Ok(())
}

/// Runs cross with its stderr passed through, and fails when cross fell
/// back to the host's cargo instead of using the container.
fn run_in_container(cmd: &mut Command) -> Result {
    println!("xtask: $ {}", show(cmd));
    let mut child = cmd
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("cannot run `{}`: {e}", cmd.get_program().display()))?;
    let mut fell_back = false;
    if let Some(stderr) = child.stderr.take() {
        let mut out = std::io::stderr();
        for line in BufReader::new(stderr).split(b'\n') {
            let line = line.map_err(|e| e.to_string())?;
            fell_back |= String::from_utf8_lossy(&line).contains(HOST_FALLBACK);
            let _ = out.write_all(&line);
            let _ = out.write_all(b"\n");
        }
    }
    let status = child.wait().map_err(|e| e.to_string())?;
    if fell_back {
        return Err("cross built on the host, not in a container (see above)".into());
    }
    if !status.success() {
        return Err(format!("`{}` failed ({status})", show(cmd)));
    }
    Ok(())
}

/// cross itself, from crates.io into .tools/ (once: about 2.5 minutes).
fn cross_binary() -> Result<PathBuf> {
    let tools = root().join(".tools");
    let bin = tools.join("bin/cross");
    // What `cargo install` recorded (`cross --version` would build-check
    // the workspace's toolchain).
    let record = fs::read_to_string(tools.join(".crates.toml")).unwrap_or_default();
    let installed = record.contains(&format!("\"cross {CROSS_VERSION} (registry+"));
    if !installed || !bin.exists() {
        println!(
            "xtask: installing cross {CROSS_VERSION} into {} (cargo install; about 2.5 min, once)",
            tools.display()
        );
        run(Command::new("cargo")
            .args(["install", "--locked", "--quiet", "--force"])
            .args(["--version", CROSS_VERSION])
            .arg("--root")
            .arg(&tools)
            .arg("cross"))?;
    }
    Ok(bin)
}

/// A container engine that runs, and what it needs to run here.
struct Engine {
    /// docker or podman, as cross's CROSS_CONTAINER_ENGINE names it.
    program: String,
    name: &'static str,
    /// For podman: its settings and storage (CONTAINERS_CONF, …).
    env: Vec<(OsString, OsString)>,
}

impl Engine {
    /// A docker daemon that answers, else podman (installed if missing)
    /// with our settings. CROSS_CONTAINER_ENGINE chooses, as for cross.
    fn find() -> Result<Engine> {
        let asked = std::env::var("CROSS_CONTAINER_ENGINE").ok();
        let docker = asked.clone().unwrap_or_else(|| "docker".into());
        let wants_docker = asked.as_deref().is_some_and(|e| e.contains("docker"));
        if asked.is_none() || wants_docker {
            let answers = Command::new(&docker)
                .arg("info")
                .output()
                .is_ok_and(|o| o.status.success());
            if answers {
                return Ok(Engine {
                    program: docker,
                    name: "docker",
                    env: Vec::new(),
                });
            }
            if wants_docker {
                return Err(no_engine(&format!("`{docker} info` does not answer")));
            }
        }
        let program = asked.unwrap_or_else(|| "podman".into());
        if program == "podman" {
            tools::apt(&[("podman", "podman"), ("runc", "runc")]).map_err(|e| no_engine(&e))?;
        }
        let engine = Engine::podman(program)?;
        let info = engine
            .cmd()
            .arg("info")
            .output()
            .map_err(|e| no_engine(&format!("cannot run {}: {e}", engine.program)))?;
        if !info.status.success() {
            let err = String::from_utf8_lossy(&info.stderr);
            let last = err.lines().rev().find(|l| !l.trim().is_empty());
            return Err(no_engine(&format!(
                "`{} info` fails: {}",
                engine.program,
                last.unwrap_or("no message")
            )));
        }
        Ok(engine)
    }

    /// Podman with xtask/cross/containers.conf and its storage in
    /// target/cross/ (graphroot and runroot).
    fn podman(program: String) -> Result<Engine> {
        let dir = cache();
        fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
        let storage = dir.join("storage.conf");
        let text = format!(
            "# Written by `cargo xtask dist --via cross`.\n[storage]\ndriver = \"overlay\"\n\
             graphroot = \"{}\"\nrunroot = \"{}\"\n",
            dir.join("storage").display(),
            dir.join("run").display()
        );
        fs::write(&storage, text)
            .map_err(|e| format!("cannot write {}: {e}", storage.display()))?;
        Ok(Engine {
            program,
            name: "podman",
            env: vec![
                (
                    "CONTAINERS_CONF".into(),
                    root().join("xtask/cross/containers.conf").into(),
                ),
                ("CONTAINERS_STORAGE_CONF".into(), storage.into()),
            ],
        })
    }

    fn cmd(&self) -> Command {
        let mut cmd = Command::new(&self.program);
        cmd.envs(self.env.iter().map(|(k, v)| (k, v)));
        cmd
    }

    fn has(&self, image: &str) -> bool {
        self.cmd()
            .args(["image", "inspect", image])
            .output()
            .is_ok_and(|o| o.status.success())
    }

    /// Our build image, made (and cached) on first use.
    fn image(&self) -> Result<String> {
        self.base()?;
        // A container that runs: the one check that proves the engine works.
        self.cmd()
            .args(["run", "--rm", BASE, "true"])
            .output()
            .map_err(|e| e.to_string())
            .and_then(|o| {
                o.status.success().then_some(()).ok_or_else(|| {
                    let err = String::from_utf8_lossy(&o.stderr);
                    err.lines().last().unwrap_or("no message").to_string()
                })
            })
            .map_err(|e| no_engine(&format!("`{} run` fails: {e}", self.program)))?;
        let recipe = root().join("xtask/cross");
        let files = ["Containerfile", "zigcc"];
        let mut hash = Fnv::default();
        for f in files {
            let path = recipe.join(f);
            hash.add(&fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?);
        }
        hash.add(format!("{BASE} {ZIGLANG} {ZIGBUILD}").as_bytes());
        let tag = format!("localhost/ifplugd-cross:{:016x}", hash.0);
        if self.has(&tag) {
            println!("xtask: build image {tag} (cached in {})", cache().display());
            return Ok(tag);
        }
        let started = Instant::now();
        let context = cache().join("context");
        let _ = fs::remove_dir_all(&context);
        fs::create_dir_all(context.join("wheels")).map_err(|e| e.to_string())?;
        for f in files {
            fs::copy(recipe.join(f), context.join(f)).map_err(|e| format!("{f}: {e}"))?;
        }
        println!(
            "xtask: making the build image {tag} from xtask/cross/Containerfile \
             (about 1 min, once)"
        );
        run(Command::new("python3")
            .args(["-m", "pip", "download", "--quiet", "--no-deps"])
            .args(["--only-binary=:all:", "--disable-pip-version-check", "-d"])
            .arg(context.join("wheels"))
            .arg(format!("ziglang=={ZIGLANG}"))
            .arg(format!("cargo-zigbuild=={ZIGBUILD}")))?;
        run(self
            .cmd()
            .args(["build", "--tag", &tag, "--build-arg"])
            .arg(format!("BASE={BASE}"))
            .arg("--file")
            .arg(context.join("Containerfile"))
            .arg(&context))?;
        println!("xtask: build image made in {:.0?}", started.elapsed());
        Ok(tag)
    }

    /// The Debian base image, from debootstrap's tarball (made once).
    fn base(&self) -> Result {
        if self.has(BASE) {
            return Ok(());
        }
        let tar = cache().join(format!("{SUITE}-minbase.tar"));
        if !tar.exists() {
            tools::apt(&[("debootstrap", "debootstrap")])?;
            let mirror = apt_mirror();
            let started = Instant::now();
            println!(
                "xtask: first use of --via cross: making a Debian {SUITE} base image with \
                 debootstrap from {mirror} (about 1.5 min, once; then the build image, \
                 about 1 min, and cross, about 2.5 min)"
            );
            let rootfs = cache().join("rootfs");
            let _ = fs::remove_dir_all(&rootfs);
            run(Command::new("debootstrap")
                .args(["--variant=minbase", SUITE])
                .arg(&rootfs)
                .arg(&mirror))?;
            let part = tar.with_extension("tar.part");
            run(Command::new("tar")
                .arg("-C")
                .arg(&rootfs)
                .arg("-cf")
                .arg(&part)
                .arg("."))?;
            fs::rename(&part, &tar).map_err(|e| e.to_string())?;
            fs::remove_dir_all(&rootfs).map_err(|e| e.to_string())?;
            println!("xtask: debootstrap done in {:.0?}", started.elapsed());
        }
        run(self.cmd().arg("import").arg(&tar).arg(BASE))
    }
}

/// The Debian mirror apt uses here (deb822 `URIs:` or one-line `deb`),
/// not the security archive; Debian's own when none is found.
/// IFPLUGD_DEBIAN_MIRROR overrides it.
fn apt_mirror() -> String {
    if let Ok(m) = std::env::var("IFPLUGD_DEBIAN_MIRROR") {
        return m;
    }
    let mut files = vec![PathBuf::from("/etc/apt/sources.list")];
    if let Ok(dir) = fs::read_dir("/etc/apt/sources.list.d") {
        let mut more: Vec<PathBuf> = dir.filter_map(|e| e.ok().map(|e| e.path())).collect();
        more.sort();
        files.extend(more);
    }
    for file in files {
        let Ok(text) = fs::read_to_string(&file) else {
            continue;
        };
        for line in text.lines().map(str::trim) {
            let uri = if let Some(rest) = line.strip_prefix("URIs:") {
                rest.split_whitespace().next()
            } else if let Some(rest) = line.strip_prefix("deb ") {
                // `deb [options] URI suite …`
                rest.split_whitespace().find(|w| w.contains("://"))
            } else {
                None
            };
            if let Some(uri) = uri.filter(|u| u.contains("://") && !u.contains("security")) {
                return uri.to_string();
            }
        }
    }
    "http://deb.debian.org/debian".into()
}

/// FNV-1a, 64 bits: the image's tag from its recipe.
struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv {
    fn add(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Fnv;

    #[test]
    fn fnv_matches_the_reference_values() {
        let hash = |s: &str| {
            let mut h = Fnv::default();
            h.add(s.as_bytes());
            h.0
        };
        assert_eq!(hash(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(hash("a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(hash("foobar"), 0x8594_4171_f739_67e8);
    }
}
