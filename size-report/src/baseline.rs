//! The committed per-symbol sizes that a report is compared with, one file
//! per target and build (size-report/baseline/<triple>.tsv for the default
//! build, <triple>.applet.tsv for the applet): one `symbol<TAB>bytes` line
//! per symbol.

use crate::measure::{Build, Symbol};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub type Sizes = BTreeMap<String, u64>;

pub fn path(dir: &Path, triple: &str, build: Build) -> PathBuf {
    match build {
        Build::Default => dir.join(format!("{triple}.tsv")),
        Build::Applet => dir.join(format!("{triple}.applet.tsv")),
    }
}

/// Symbol sizes by name; same-named symbols (statics of different C files,
/// say) are added up.
pub fn sizes(symbols: &[Symbol]) -> Sizes {
    let mut sizes = Sizes::new();
    for s in symbols {
        *sizes.entry(s.name.clone()).or_default() += s.size;
    }
    sizes
}

/// None when there is no baseline yet.
pub fn read(path: &Path) -> Result<Option<Sizes>, String> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(None);
    };
    let mut sizes = Sizes::new();
    for (n, line) in text.lines().enumerate() {
        if line.starts_with('#') || line.is_empty() {
            continue;
        }
        let parsed = line
            .rsplit_once('\t')
            .and_then(|(name, size)| Some((name, size.parse::<u64>().ok()?)));
        let Some((name, size)) = parsed else {
            return Err(format!(
                "{}:{}: expected `symbol<TAB>bytes`",
                path.display(),
                n + 1
            ));
        };
        *sizes.entry(name.to_string()).or_default() += size;
    }
    Ok(Some(sizes))
}

pub fn write(path: &Path, build: Build, symbols: &[Symbol]) -> Result<(), String> {
    let mut text = format!(
        "# symbol<TAB>bytes of the unstripped dist binary unstripped/{}; \
         `cargo xtask size --update-baseline`\n",
        build.file()
    );
    for (name, size) in sizes(symbols) {
        text.push_str(&format!("{name}\t{size}\n"));
    }
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    }
    std::fs::write(path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// bloat-o-meter's lines: a summary, then `function old new delta` for
/// every symbol that changed, largest growth first.
pub fn diff(old: &Sizes, new: &Sizes) -> String {
    let mut rows: Vec<(&str, u64, u64)> = Vec::new();
    for (name, &o) in old {
        let n = new.get(name).copied().unwrap_or(0);
        if n != o {
            rows.push((name, o, n));
        }
    }
    for (name, &n) in new {
        if !old.contains_key(name) {
            rows.push((name, 0, n));
        }
    }
    let delta = |r: &(&str, u64, u64)| r.2 as i64 - r.1 as i64;
    rows.sort_by_key(|r| (-delta(r), r.0.to_string()));
    let added = rows.iter().filter(|r| r.1 == 0).count();
    let removed = rows.iter().filter(|r| r.2 == 0).count();
    let grew = rows.iter().filter(|r| r.1 != 0 && r.2 > r.1).count();
    let shrank = rows.iter().filter(|r| r.2 != 0 && r.2 < r.1).count();
    let up: i64 = rows.iter().map(delta).filter(|d| *d > 0).sum();
    let down: i64 = rows.iter().map(delta).filter(|d| *d < 0).sum();
    let mut out = format!(
        "add/remove: {added}/{removed} grow/shrink: {grew}/{shrank} up/down: {up}/{down} ({})\n",
        up + down
    );
    out.push_str(&format!(
        "{:<60} {:>7} {:>7} {:>7}\n",
        "function", "old", "new", "delta"
    ));
    for r in &rows {
        out.push_str(&format!(
            "{:<60} {:>7} {:>7} {:>+7}\n",
            r.0,
            r.1,
            r.2,
            delta(r)
        ));
    }
    let before: u64 = old.values().sum();
    let after: u64 = new.values().sum();
    let pct = if before == 0 {
        0.0
    } else {
        (after as f64 - before as f64) * 100.0 / before as f64
    };
    out.push_str(&format!(
        "Total: Before={before}, After={after}, chg {pct:+.2}%\n"
    ));
    out
}
