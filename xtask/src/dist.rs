//! `cargo xtask dist`: the static, stripped release binaries per target,
//! two builds of each (see BUILDS): target/dist/<triple>/ifplugd with the
//! default features, which packages and qemu tests use, and
//! target/dist/<triple>/ifplugd-applet, `--no-default-features`: BusyBox's
//! applet alone, which the size report holds to its own budget.
//!
//! Route: nightly rustc with `-Z build-std` for every target (the ARM musl
//! targets have no prebuilt std on this rustup mirror, MIPS has none at all,
//! and immediate-abort panics need a core built with them anyway), zig
//! (through cargo-zigbuild) as the linker and the provider of musl.
//!
//! `--via cross` (dist/cross.rs) builds the same in a container with cross.

mod cross;

use crate::tools::{self, Cross};
use crate::{dist_dir, run, target_dir, Result, Target};
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

/// For every target:
/// - `+crt-static`: the MIPS musl targets link dynamically by default;
/// - `-Clink-self-contained=no`: zig brings crt1.o and libc.a, and build-std
///   targets have no self-contained objects to offer;
/// - immediate-abort: a panic is a trap, with no formatting machinery;
/// - no unwind tables: nothing unwinds, so .eh_frame is dead weight;
/// - a static, non-PIE executable: no relocations to carry or apply;
/// - no RELRO, no build id: each pads the file to a page boundary or adds
///   a section, for nothing on a router (lld shares code pages already);
/// - `ifplugd_small_mem`: our own byte-loop memcpy and memset
///   (target-linux/src/mem.rs), 650 B smaller than the C library's.
const RUSTFLAGS: &str = "-Ctarget-feature=+crt-static -Clink-self-contained=no \
     -Zunstable-options -Cpanic=immediate-abort -Cforce-unwind-tables=no \
     -Crelocation-model=static --cfg ifplugd_small_mem \
     -Clink-arg=-Wl,-z,norelro \
     -Clink-arg=-Wl,--build-id=none";

/// ARMv7 runs Thumb-2, which is about a quarter smaller than ARM code; the
/// C library stays in ARM mode and interworks.
///
/// With zig (`Linker::Zig`, and `Linker::ZigAt` in our cross image) every
/// target links with xtask/no-unwind.ld, which drops the unwind tables zig's
/// musl objects bring (3-4 KB of a loaded segment) and the .eh_frame_hdr
/// that indexes them. cross's stock GCC toolchains keep theirs: their
/// crtbegin.o may refer to .eh_frame.
pub fn rustflags(t: &Target, linker: Linker) -> String {
    let mut flags = RUSTFLAGS.to_string();
    let workspace = match linker {
        Linker::Zig => Some(crate::root()),
        Linker::ZigAt(dir) => Some(PathBuf::from(dir)),
        Linker::Cross => None,
    };
    if let Some(workspace) = workspace {
        let script = workspace.join("xtask/no-unwind.ld");
        flags.push_str(" -Clink-arg=-Wl,--no-eh-frame-hdr -Clink-arg=-Wl,-T,");
        flags.push_str(&script.display().to_string());
    }
    if t.triple.starts_with("armv7") {
        flags.push_str(" -Ctarget-feature=+thumb-mode");
    }
    if t.triple.starts_with("arm") || t.triple.starts_with("x86_64") {
        // LLVM outlines repeated instruction sequences into one copy only
        // on AArch64 unless asked: ARMv5/v6 -200 B, ARMv7 (Thumb-2) -90 B,
        // x86_64 -30..-50 B (2026-12-01, sz of each build).
        flags.push_str(" -Cllvm-args=-enable-machine-outliner=always");
    }
    {
        // Our own entry point (target-linux/src/start.rs), not musl's
        // start-up: -1.3 KB on x86_64, -1.6 KB on aarch64, -2.4 KB on MIPS.
        flags.push_str(" -Clink-arg=-Wl,-e,ifplugd_start");
    }
    if t.triple.starts_with("x86_64") {
        // Non-PIC x86_64 jump tables hold 8-byte addresses: compare chains
        // are smaller here (-640 B); on the other targets they are not.
        flags.push_str(" -Cllvm-args=-min-jump-table-entries=1000");
    }
    flags
}

/// Who links: zig (the default route), zig in our cross image (which sees
/// the workspace at the directory given), or cross's stock toolchains.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Linker {
    Zig,
    ZigAt(&'static str),
    Cross,
}

/// A build of the product: the file name it gets in a dist directory and
/// the Cargo arguments that select its features. Everything else (flags,
/// profile, linker) is the same for both.
pub struct Build {
    pub name: &'static str,
    pub cargo_args: &'static [&'static str],
}

/// The default build first: it is the one the other commands use.
pub const BUILDS: &[Build] = &[
    Build {
        name: "ifplugd",
        cargo_args: &[],
    },
    Build {
        name: "ifplugd-applet",
        cargo_args: &["--no-default-features"],
    },
];

pub fn command(targets: &[Target], via: Option<&str>) -> Result {
    match via {
        None => {
            let cross = tools::cross()?;
            for t in targets {
                build(&cross, t)?;
            }
            Ok(())
        }
        Some("cross") => cross::build(targets),
        Some(other) => Err(format!("unknown --via `{other}` (only `cross`)")),
    }
}

/// Builds one target into target/dist/<triple>/: for each of BUILDS the
/// stripped binary, and `unstripped/<name>` with its symbols for the size
/// report. Returns the default build's path.
pub fn build(cross: &Cross, t: &Target) -> Result<PathBuf> {
    for b in BUILDS {
        println!("xtask: building {} ({})", t.triple, b.name);
        let started = Instant::now();
        run(cross
            .zigbuild("build")
            .args(["--release", "-p", "ifplugd", "--target", t.triple])
            .args(b.cargo_args)
            .args(["-Z", "build-std=core,alloc"])
            // Keep the symbols; we strip the copy ourselves.
            .args(["--config", "profile.release.strip=false"])
            .env("RUSTFLAGS", rustflags(t, Linker::Zig)))?;
        // Cargo leaves the last build here; it keeps both builds' artifacts
        // (features are part of their hash), so neither rebuilds the other.
        let built = target_dir().join(t.triple).join("release/ifplugd");
        let dist = install(cross, t, &built, &dist_dir(t.triple), b.name)?;
        let size = fs::metadata(&dist).map_err(|e| e.to_string())?.len();
        println!(
            "xtask: {} -> {} ({size} bytes, static, {:.0?})",
            t.triple,
            dist.display(),
            started.elapsed()
        );
    }
    Ok(dist_dir(t.triple).join(BUILDS[0].name))
}

/// Copies `built` into `dir` (a target's dist directory) as `unstripped/name`
/// and, stripped, as `name`; checks it is static. Returns the stripped one.
fn install(cross: &Cross, t: &Target, built: &Path, dir: &Path, name: &str) -> Result<PathBuf> {
    let unstripped = dir.join("unstripped").join(name);
    let stripped = dir.join(name);
    fs::create_dir_all(dir.join("unstripped")).map_err(|e| e.to_string())?;
    fs::copy(built, &unstripped).map_err(|e| format!("cannot copy {}: {e}", built.display()))?;
    let mut strip = Command::new(&cross.objcopy);
    strip.arg("--strip-all");
    if t.mips {
        // Procedure descriptors: debugging aid nobody on a router reads.
        strip.args(["--remove-section", ".pdr"]);
    }
    run(strip.arg(&unstripped).arg(&stripped))?;
    drop_section_headers(&stripped)?;
    is_static(&stripped)?;
    Ok(stripped)
}

/// The few ELF header fields we read and write, in either width and byte
/// order.
struct Elf {
    data: Vec<u8>,
    wide: bool,
    big: bool,
}

impl Elf {
    fn read(path: &Path) -> Result<Elf> {
        let data = fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        if data.get(..6).is_none_or(|m| &m[..4] != b"\x7fELF") {
            return Err(format!("{} is not an ELF file", path.display()));
        }
        let (wide, big) = (data[4] == 2, data[5] == 2);
        Ok(Elf { data, wide, big })
    }

    fn get(&self, at: usize, len: usize) -> Result<u64> {
        let b = self
            .data
            .get(at..at + len)
            .ok_or("ELF file cut short".to_string())?;
        let mut v = 0u64;
        for i in 0..len {
            let byte = if self.big { b[i] } else { b[len - 1 - i] };
            v = v << 8 | u64::from(byte);
        }
        Ok(v)
    }

    fn set(&mut self, at: usize, len: usize, v: u64) {
        for i in 0..len {
            let shift = 8 * if self.big { len - 1 - i } else { i };
            self.data[at + i] = (v >> shift) as u8;
        }
    }

    /// Program headers: (p_type, p_offset, p_filesz).
    fn segments(&self) -> Result<Vec<(u64, u64, u64)>> {
        let (phoff, phentsize, phnum) = if self.wide {
            (self.get(0x20, 8)?, self.get(0x36, 2)?, self.get(0x38, 2)?)
        } else {
            (self.get(0x1c, 4)?, self.get(0x2a, 2)?, self.get(0x2c, 2)?)
        };
        (0..phnum)
            .map(|i| {
                let ph = (phoff + i * phentsize) as usize;
                Ok(if self.wide {
                    (
                        self.get(ph, 4)?,
                        self.get(ph + 8, 8)?,
                        self.get(ph + 0x20, 8)?,
                    )
                } else {
                    (
                        self.get(ph, 4)?,
                        self.get(ph + 4, 4)?,
                        self.get(ph + 0x10, 4)?,
                    )
                })
            })
            .collect()
    }
}

/// Fails unless the ELF file has neither an interpreter nor a dynamic
/// section: what `file` calls "statically linked".
pub fn is_static(path: &Path) -> Result {
    let elf = Elf::read(path)?;
    // PT_DYNAMIC = 2, PT_INTERP = 3.
    if elf.segments()?.iter().any(|s| s.0 == 2 || s.0 == 3) {
        return Err(format!("{} is dynamically linked", path.display()));
    }
    Ok(())
}

/// What OpenWrt's `sstrip` does to every binary it packages: drop the
/// section header table and all that lies past the last loaded byte. The
/// kernel loads an executable by its program headers alone.
fn drop_section_headers(path: &Path) -> Result {
    let mut elf = Elf::read(path)?;
    let (header, ph) = if elf.wide { (64, 56) } else { (52, 32) };
    let segments = elf.segments()?;
    let phoff = if elf.wide {
        elf.get(0x20, 8)?
    } else {
        elf.get(0x1c, 4)?
    };
    let mut end = header.max(phoff + ph * segments.len() as u64);
    for &(p_type, offset, filesz) in &segments {
        if p_type == 1 {
            // PT_LOAD
            end = end.max(offset + filesz);
        }
    }
    // e_shoff, e_shentsize, e_shnum, e_shstrndx.
    if elf.wide {
        elf.set(0x28, 8, 0);
        elf.set(0x3a, 6, 0);
    } else {
        elf.set(0x20, 4, 0);
        elf.set(0x2e, 6, 0);
    }
    elf.data.truncate(end as usize);
    fs::write(path, &elf.data).map_err(|e| format!("cannot write {}: {e}", path.display()))
}
