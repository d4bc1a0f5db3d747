//! size-report/budget.toml: `triple = max_bytes` lines, under
//! `[max_file_size]` for the default build and `[applet_max_file_size]` for
//! the applet build. Read by hand: a TOML crate for a dozen lines is not
//! worth a dependency.

use crate::measure::Build;
use std::collections::BTreeMap;
use std::path::Path;

/// The largest file size allowed per build and target.
#[derive(Debug, Default)]
pub struct Budgets(BTreeMap<(Build, String), u64>);

impl Budgets {
    pub fn get(&self, build: Build, triple: &str) -> Option<u64> {
        self.0.get(&(build, triple.to_string())).copied()
    }
}

/// The section that holds a build's budgets.
fn section(name: &str) -> Option<Build> {
    match name {
        "max_file_size" => Some(Build::Default),
        "applet_max_file_size" => Some(Build::Applet),
        _ => None,
    }
}

pub fn read(path: &Path) -> Result<Budgets, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    parse(&text).map_err(|(n, e)| format!("{}:{n}: {e}", path.display()))
}

/// Errors carry the line number.
fn parse(text: &str) -> Result<Budgets, (usize, String)> {
    let mut budgets = Budgets::default();
    let mut build = None;
    for (n, line) in text.lines().enumerate() {
        let n = n + 1;
        let line = line.split('#').next().unwrap_or("").trim();
        if line.is_empty() {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            // A misspelt section would otherwise leave a build unchecked.
            build = Some(section(name.trim()).ok_or((
                n,
                format!("unknown section [{name}] (max_file_size, applet_max_file_size)"),
            ))?);
            continue;
        }
        let build = build.ok_or((n, "a budget outside any section".to_string()))?;
        let bad = || (n, "expected `triple = bytes`".to_string());
        let (key, value) = line.split_once('=').ok_or_else(bad)?;
        let value: u64 = value.trim().replace('_', "").parse().map_err(|_| bad())?;
        let key = key.trim().trim_matches('"').to_string();
        budgets.0.insert((build, key), value);
    }
    Ok(budgets)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_sections() {
        let b = parse(
            "# comment\n[max_file_size]\nx86_64-unknown-linux-musl = 28_672 # 28 KiB\n\
             \n[applet_max_file_size]\n\"x86_64-unknown-linux-musl\" = 24576\n",
        )
        .unwrap();
        assert_eq!(
            b.get(Build::Default, "x86_64-unknown-linux-musl"),
            Some(28_672)
        );
        assert_eq!(
            b.get(Build::Applet, "x86_64-unknown-linux-musl"),
            Some(24_576)
        );
        assert_eq!(b.get(Build::Applet, "mips-unknown-linux-musl"), None);
    }

    #[test]
    fn errors_name_the_line() {
        assert_eq!(parse("x = 1\n").unwrap_err().0, 1);
        assert_eq!(parse("[max_file_size]\n[max_size]\n").unwrap_err().0, 2);
        assert_eq!(parse("[max_file_size]\nx = ten\n").unwrap_err().0, 2);
        assert_eq!(parse("[max_file_size]\nx\n").unwrap_err().0, 2);
    }
}
