//! size-report/budget.toml: `triple = max_bytes` lines under
//! `[max_file_size]`. Read by hand: a TOML crate for five lines is not worth
//! a dependency.

use std::collections::BTreeMap;
use std::path::Path;

pub fn read(path: &Path) -> Result<BTreeMap<String, u64>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut budgets = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() || line.starts_with('[') {
            continue;
        }
        let bad = || format!("{}:{}: expected `triple = bytes`", path.display(), n + 1);
        let (key, value) = line.split_once('=').ok_or_else(bad)?;
        let value: u64 = value.trim().replace('_', "").parse().map_err(|_| bad())?;
        budgets.insert(key.trim().trim_matches('"').to_string(), value);
    }
    Ok(budgets)
}
