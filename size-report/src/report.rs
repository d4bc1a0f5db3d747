//! The Markdown of the report.

use crate::baseline::{self, Sizes};
use crate::budget::Budgets;
use crate::measure::Binary;
use std::collections::BTreeMap;
use std::path::Path;

/// How many of the largest symbols each target lists.
const TOP: usize = 20;

/// Two rows per target, its default and applet builds: file size against
/// budget, and the section groups.
pub fn summary(binaries: &[Binary], budgets: &Budgets) -> String {
    let mut out = String::from(
        "# Size report\n\n\
         Stripped static binaries of `cargo xtask dist`, two builds per target: `default` \
         (ifplugd, the default features) and `applet` (ifplugd-applet, \
         `--no-default-features`: BusyBox's applet alone), each against its own budget \
         (size-report/budget.toml); headroom is budget minus file; bytes.\n\n",
    );
    out.push_str(&header("budget", "other"));
    rows(&mut out, binaries, |b| budgets.get(b.build, &b.triple));
    out
}

/// The head of a table of `rows`, with the names of its limit column and
/// its last one.
fn header(limit: &str, other: &str) -> String {
    format!(
        "| target | build | file | {limit} | headroom | .text | .rodata | .eh_frame | .data | .bss | {other} |\n\
         |---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
    )
}

/// One table row per binary: its file size against `limit`, then its
/// section groups.
fn rows(out: &mut String, binaries: &[Binary], limit: impl Fn(&Binary) -> Option<u64>) {
    for b in binaries {
        let (limit, headroom) = match limit(b) {
            Some(max) if b.file_size > max => (
                max.to_string(),
                format!("{} **over**", max as i64 - b.file_size as i64),
            ),
            Some(max) => (max.to_string(), (max - b.file_size).to_string()),
            None => ("none".into(), "-".into()),
        };
        let [text, rodata, eh, data, bss, other] = groups(b);
        out.push_str(&format!(
            "| {} | {} | {} | {limit} | {headroom} | {text} | {rodata} | {eh} | {data} | {bss} | {other} |\n",
            b.triple,
            b.build.label(),
            b.file_size
        ));
    }
}

/// Bytes of .text, .rodata, unwind tables, data, .bss and the rest.
fn groups(b: &Binary) -> [u64; 6] {
    let mut groups = [0u64; 6];
    for (name, size, in_file) in &b.sections {
        let i = match name.as_str() {
            ".text" => 0,
            ".rodata" => 1,
            ".eh_frame" | ".eh_frame_hdr" => 2,
            // Page padding for RELRO, not data.
            ".relro_padding" => continue,
            _ if !in_file => 4,
            ".data" | ".data.rel.ro" | ".got" | ".init_array" | ".fini_array" | ".tdata"
            | ".sdata" => 3,
            _ => 5,
        };
        groups[i] += size;
    }
    groups
}

/// The OpenWrt-style binaries (shared musl, built by the package Makefile,
/// after sstrip), each against the limit `limit` gives it.
pub fn openwrt(binaries: &[Binary], limit: impl Fn(&Binary) -> Option<u64>) -> String {
    let mut out = String::from(
        "\n## OpenWrt-style builds\n\n\
         As target-linux/openwrt/ifplugd-rs/Makefile builds them (ci/openwrt.sh): \
         linked against the shared musl, after OpenWrt's sstrip; bytes. The limit is \
         the default build's budget of the same target, as for the static dist \
         binary.\n\n",
    );
    out.push_str(&header("limit", "other (dynamic linking)"));
    rows(&mut out, binaries, limit);
    out
}

/// A target's sections, crates, top symbols and baseline difference.
pub fn target(b: &Binary, old: Option<&Sizes>, baseline_file: &Path) -> String {
    let mut out = format!(
        "\n## {}, {} build ({})\n\nLoadable sections:",
        b.triple,
        b.build.label(),
        b.build.file()
    );
    for (name, size, _) in &b.sections {
        out.push_str(&format!(" {name} {size},"));
    }
    out.pop();
    out.push_str("\n\nSymbols in the file (.bss ones apart: they cost memory, not bytes):\n");
    out.push_str("\n| crate | bytes |\n|---|---:|\n");
    let mut crates: BTreeMap<&str, u64> = BTreeMap::new();
    for s in b.symbols.iter().filter(|s| !s.bss) {
        *crates.entry(s.krate).or_default() += s.size;
    }
    let mut crates: Vec<_> = crates.into_iter().collect();
    crates.sort_by_key(|c| std::cmp::Reverse(c.1));
    for (krate, size) in crates {
        out.push_str(&format!("| {krate} | {size} |\n"));
    }

    out.push_str(
        "
| largest symbols | crate | bytes |
|---|---|---:|
",
    );
    let mut symbols: Vec<_> = b.symbols.iter().filter(|s| !s.bss).collect();
    symbols.sort_by_key(|s| std::cmp::Reverse(s.size));
    for s in symbols.iter().take(TOP) {
        // A `|` in a symbol (closures) would break the table.
        out.push_str(&format!(
            "| `{}` | {} | {} |\n",
            s.name.replace('|', "\\|"),
            s.krate,
            s.size
        ));
    }

    let mut bss: Vec<_> = b.symbols.iter().filter(|s| s.bss).collect();
    bss.sort_by_key(|s| std::cmp::Reverse(s.size));
    out.push_str("\nLargest in .bss:");
    for s in bss.iter().take(5) {
        out.push_str(&format!(" `{}` {},", s.name, s.size));
    }
    out.pop();
    out.push('\n');

    let new = baseline::sizes(&b.symbols);
    match old {
        Some(old) => out.push_str(&format!(
            "\nAgainst {}:\n\n```text\n{}```\n",
            baseline_file.display(),
            baseline::diff(old, &new)
        )),
        None => out.push_str(&format!(
            "\nNo baseline in {} yet (`cargo xtask size --update-baseline` writes it).\n",
            baseline_file.display()
        )),
    }
    out
}
