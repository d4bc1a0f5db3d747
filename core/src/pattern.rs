//! `-i` patterns: shell wildcards over interface names, as `fnmatch(3)`
//! with no flags matches them: `*` any run of bytes, `?` one byte, `[…]` one
//! byte of a set (`[!…]` or `[^…]` not of it, `a-z` ranges), `\` quotes the
//! next byte. Interface names hold no `/`, so file-name flags change nothing.

/// Whether `text` has a wildcard: only then is an `-i` value a pattern.
pub fn is_pattern(text: &[u8]) -> bool {
    text.iter().any(|&b| matches!(b, b'*' | b'?' | b'['))
}

/// Whether `name` matches `pattern`. Linear backtracking over the last `*`
/// only, so no input costs more than `pattern.len() * name.len()` steps.
pub fn matches(pattern: &[u8], name: &[u8]) -> bool {
    let (mut p, mut n) = (0, 0);
    // Where to resume after the last `*`: pattern after it, name position.
    let mut star: Option<(usize, usize)> = None;
    loop {
        if let Some(&c) = pattern.get(p) {
            if c == b'*' {
                p += 1;
                star = Some((p, n));
                continue;
            }
            if let Some(&b) = name.get(n) {
                if let Some(len) = one(&pattern[p..], b) {
                    p += len;
                    n += 1;
                    continue;
                }
            }
        } else if n == name.len() {
            return true;
        }
        // A mismatch: let the last `*` take one more byte, if there is one.
        match star {
            Some((sp, sn)) if sn < name.len() => {
                star = Some((sp, sn + 1));
                p = sp;
                n = sn + 1;
            }
            _ => return false,
        }
    }
}

/// Matches the pattern element at the start of `pat` (not `*`) against one
/// byte: `Some(length of the element)` if it matches.
fn one(pat: &[u8], b: u8) -> Option<usize> {
    match pat.first()? {
        b'?' => Some(1),
        b'[' => match bracket(pat, b) {
            Some((true, len)) => Some(len),
            Some((false, _)) => None,
            // No closing `]`: the `[` is an ordinary byte, as in fnmatch.
            None => (b == b'[').then_some(1),
        },
        b'\\' if pat.len() > 1 => (pat[1] == b).then_some(2),
        &c => (c == b).then_some(1),
    }
}

/// A `[…]` set at the start of `pat`: whether `b` is in it, and the set's
/// length; `None` if it never closes.
fn bracket(pat: &[u8], b: u8) -> Option<(bool, usize)> {
    let mut i = 1;
    let negate = matches!(pat.get(i), Some(b'!' | b'^'));
    if negate {
        i += 1;
    }
    let mut found = false;
    let mut first = true;
    loop {
        let mut lo = *pat.get(i)?;
        if lo == b']' && !first {
            return Some((found != negate, i + 1));
        }
        first = false;
        if lo == b'\\' {
            i += 1;
            lo = *pat.get(i)?;
        }
        i += 1;
        let mut hi = lo;
        if pat.get(i) == Some(&b'-') && pat.get(i + 1).is_some_and(|&c| c != b']') {
            hi = *pat.get(i + 1)?;
            if hi == b'\\' {
                i += 1;
                hi = *pat.get(i + 1)?;
            }
            i += 2;
        }
        if lo <= b && b <= hi {
            found = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    extern crate std;

    #[test]
    fn wildcards() {
        assert!(matches(b"lan*", b"lan1"));
        assert!(matches(b"lan*", b"lan"));
        assert!(!matches(b"lan*", b"wan1"));
        assert!(matches(b"*", b""));
        assert!(matches(b"eth?", b"eth0"));
        assert!(!matches(b"eth?", b"eth10"));
        assert!(matches(b"*.10", b"eth0.10"));
        assert!(matches(b"a*b*c", b"axxbyyc"));
        assert!(!matches(b"a*b*c", b"axxbyy"));
        assert!(matches(b"lan1", b"lan1"));
        assert!(!matches(b"lan1", b"lan12"));
    }

    #[test]
    fn sets() {
        assert!(matches(b"lan[1-3]", b"lan2"));
        assert!(!matches(b"lan[1-3]", b"lan4"));
        assert!(matches(b"lan[!1-3]", b"lan4"));
        assert!(matches(b"lan[^1]", b"lan2"));
        assert!(matches(b"x[]]", b"x]"));
        assert!(matches(b"x[a-]", b"x-"));
        assert!(matches(b"x[", b"x["));
        assert!(!matches(b"x[ab", b"xa"));
        assert!(matches(b"\\*", b"*"));
        assert!(!matches(b"\\*", b"a"));
    }

    #[test]
    fn pattern_characters() {
        assert!(is_pattern(b"lan*") && is_pattern(b"eth?") && is_pattern(b"e[0]"));
        assert!(!is_pattern(b"eth0") && !is_pattern(b"eth0.10"));
    }

    #[test]
    fn never_explodes() {
        // Backtracking over every star would take 2^40 steps here.
        let pat: std::vec::Vec<u8> = b"*a".repeat(40);
        assert!(!matches(&pat, &[b'a'; 39]));
    }
}
