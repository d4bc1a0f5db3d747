//! Reads the dist binaries: file size and loadable sections of the stripped
//! one, symbols (attributed to crates) of the unstripped one.

use object::{Object, ObjectSection, ObjectSymbol, SectionFlags, SectionKind, SymbolKind};
use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

/// The two builds `cargo xtask dist` makes of every target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Build {
    /// All default features: what packages ship.
    Default,
    /// `--no-default-features`: BusyBox's applet alone.
    Applet,
}

impl Build {
    /// Its file in a target's dist directory (and under `unstripped/`).
    pub fn file(self) -> &'static str {
        match self {
            Build::Default => "ifplugd",
            Build::Applet => "ifplugd-applet",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Build::Default => "default",
            Build::Applet => "applet",
        }
    }
}

pub struct Binary {
    pub triple: String,
    pub build: Build,
    pub file_size: u64,
    /// Loadable sections in address order: name, bytes, occupies file space.
    pub sections: Vec<(String, u64, bool)>,
    pub symbols: Vec<Symbol>,
}

pub struct Symbol {
    /// Demangled, without the hash.
    pub name: String,
    pub krate: &'static str,
    pub size: u64,
    /// In .bss: costs memory, not file bytes.
    pub bss: bool,
}

/// The `build` of every target directory of `dist` that has it.
pub fn all(dist: &Path, build: Build) -> Result<Vec<Binary>, String> {
    let mut triples: Vec<String> = match fs::read_dir(dist) {
        Ok(dir) => dir
            .filter_map(|e| e.ok())
            .filter(|e| e.path().join(build.file()).is_file())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    };
    triples.sort();
    triples
        .into_iter()
        .map(|t| binary(&dist.join(&t), t, build))
        .collect()
}

fn read(path: &Path) -> Result<Vec<u8>, String> {
    fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))
}

fn binary(dir: &Path, triple: String, build: Build) -> Result<Binary, String> {
    let stripped = read(&dir.join(build.file()))?;
    // The dist binary has no section headers left (see xtask's
    // drop_section_headers); its unstripped twin has the same sections.
    let unstripped = read(&dir.join("unstripped").join(build.file()))?;
    let file = object::File::parse(&*unstripped).map_err(|e| format!("{triple}: {e}"))?;
    let mut sections = Vec::new();
    for s in file.sections() {
        let SectionFlags::Elf { sh_flags } = s.flags() else {
            continue;
        };
        if sh_flags & u64::from(object::elf::SHF_ALLOC) != 0 {
            let name = s.name().unwrap_or("?").to_string();
            sections.push((name, s.size(), s.file_range().is_some()));
        }
    }
    sections.sort_by_key(|s| s.0 != ".text");
    let symbols = symbols(&unstripped).map_err(|e| format!("{triple}: {e}"))?;
    Ok(Binary {
        triple,
        build,
        file_size: stripped.len() as u64,
        sections,
        symbols,
    })
}

/// Defined code and data symbols, one per address (aliases folded).
fn symbols(data: &[u8]) -> Result<Vec<Symbol>, object::Error> {
    let file = object::File::parse(data)?;
    // Aliases (weak `foo` beside `__foo`, compiler-rt's `memcpy` beside
    // `compiler_rt.memcpy...`) share an address: count those bytes once.
    let mut at: BTreeMap<u64, Vec<object::Symbol<'_, '_>>> = BTreeMap::new();
    for sym in file.symbols() {
        let code_or_data = matches!(
            sym.kind(),
            SymbolKind::Text | SymbolKind::Data | SymbolKind::Tls | SymbolKind::Unknown
        );
        if code_or_data && sym.size() > 0 && sym.is_definition() {
            at.entry(sym.address()).or_default().push(sym);
        }
    }
    let mut out = Vec::new();
    for aliases in at.values() {
        let names: Vec<&str> = aliases.iter().map(|s| s.name().unwrap_or("?")).collect();
        // The strong, shortest name reads best (`memcpy`, not its alias).
        let best = aliases
            .iter()
            .zip(&names)
            .min_by_key(|(s, n)| (s.is_weak(), n.starts_with("compiler_rt."), n.len()))
            .map(|(_, n)| *n)
            .unwrap_or("?");
        let size = aliases.iter().map(|s| s.size()).max().unwrap_or(0);
        let (name, krate) = attribute(best, &names);
        let bss = aliases[0]
            .section_index()
            .and_then(|i| file.section_by_index(i).ok())
            .is_some_and(|s| {
                matches!(
                    s.kind(),
                    SectionKind::UninitializedData | SectionKind::UninitializedTls
                )
            });
        out.push(Symbol {
            name,
            krate,
            size,
            bss,
        });
    }
    Ok(out)
}

/// The crate a symbol comes from: Rust symbols by the first path in their
/// demangled name, C symbols by name (ours, compiler-rt's, or musl's).
fn attribute(raw: &str, aliases: &[&str]) -> (String, &'static str) {
    if let Ok(d) = rustc_demangle::try_demangle(raw) {
        let name = format!("{d:#}");
        let krate = first_path(&name).map_or("other", known_crate);
        return (name, krate);
    }
    // Unnamed constants: their names change with every build, so they are
    // counted together to keep the baseline stable.
    if raw.starts_with("$anon.") || raw.starts_with("anon.") {
        return ("<anonymous Rust constants>".into(), "rust consts");
    }
    if raw.starts_with("$.str") || raw.starts_with(".L.str") {
        return ("<C string literals>".into(), "musl");
    }
    let krate = if OURS.contains(&raw) {
        "ifplugd"
    } else if aliases
        .iter()
        .any(|a| a.starts_with("compiler_rt.") || BUILTIN_PREFIXES.iter().any(|p| a.starts_with(p)))
    {
        "compiler_builtins"
    } else {
        "musl"
    };
    (raw.to_string(), krate)
}

/// `#[no_mangle]` items of the binary.
const OURS: &[&str] = &["main", "rust_eh_personality"];

/// Names of the integer and soft-float helpers of compiler-rt and
/// compiler_builtins (which share them).
const BUILTIN_PREFIXES: &[&str] = &[
    "__aeabi_",
    "__udiv",
    "__umod",
    "__div",
    "__mod",
    "__mul",
    "__ashl",
    "__ashr",
    "__lshr",
    "__clz",
    "__ctz",
    "__popcount",
    "__ffs",
    "__bswap",
    "__add",
    "__sub",
    "__neg",
    "__cmp",
    "__ucmp",
    "__eq",
    "__ne",
    "__lt",
    "__le",
    "__gt",
    "__ge",
    "__unord",
    "__fix",
    "__float",
    "__extend",
    "__trunc",
    "__powi",
    "__sync_",
    "__atomic_",
];

/// The first `ident::` of a demangled path: `<ifplugd::X as core::Y>::f`
/// gives `ifplugd`, `<[u8] as core::Z>::f` gives `core`.
fn first_path(name: &str) -> Option<&str> {
    let bytes = name.as_bytes();
    let mut start = None;
    for (i, &b) in bytes.iter().enumerate() {
        let ident = b.is_ascii_alphanumeric() || b == b'_';
        match (ident, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                if name[i..].starts_with("::") {
                    return Some(&name[s..i]);
                }
                start = None;
            }
            _ => {}
        }
    }
    None
}

/// Interned crate names, so a symbol carries a `&'static str`.
fn known_crate(name: &str) -> &'static str {
    const CRATES: &[&str] = &[
        "core",
        "alloc",
        "compiler_builtins",
        "rustix",
        "heapless",
        "ufmt",
        "ufmt_write",
        "ifplugd_core",
        "ifplugd",
        "libc",
        "linux_raw_sys",
        "bitflags",
    ];
    CRATES
        .iter()
        .copied()
        .find(|c| *c == name)
        .unwrap_or("other")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crates_of_paths() {
        assert_eq!(
            first_path("<ifplugd::System as ifplugd_core::link::Host>::probe"),
            Some("ifplugd")
        );
        assert_eq!(first_path("<[u8] as core::fmt::Debug>::fmt"), Some("core"));
        assert_eq!(first_path("core::str::converts::from_utf8"), Some("core"));
        assert_eq!(first_path("main"), None);
    }

    #[test]
    fn c_symbols() {
        assert_eq!(attribute("main", &["main"]).1, "ifplugd");
        assert_eq!(
            attribute("__udivdi3", &["__udivdi3"]).1,
            "compiler_builtins"
        );
        assert_eq!(
            attribute("memcpy", &["memcpy", "compiler_rt.memcpy.memcpyFast"]).1,
            "compiler_builtins"
        );
        assert_eq!(attribute("posix_spawn", &["posix_spawn"]).1, "musl");
    }
}
