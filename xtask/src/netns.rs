//! Throwaway network namespaces and small process helpers shared by the
//! demo and the benchmark. Nothing here touches an interface outside a
//! namespace it created.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus};
use std::time::{Duration, Instant};

/// SIGTERM to a daemon started under `ip netns exec` (which execs it, so
/// the child's pid is the daemon's), then its exit status if it ends within
/// `limit`; after that it is killed and the answer is `None`.
pub fn terminate(child: &mut Child, limit: Duration) -> Option<ExitStatus> {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    let _ = child.wait();
    None
}

pub struct Namespace {
    pub name: String,
}

impl Namespace {
    /// `ip netns add ifplugd-<what>-<pid>`.
    pub fn create(what: &str) -> Result<Namespace, String> {
        let name = format!("ifplugd-{what}-{}", std::process::id());
        run_cmd("ip", &["netns", "add", &name])?;
        Ok(Namespace { name })
    }

    /// Starts `bin args` inside the namespace with stderr piped and stdout
    /// inherited (the demo's script prints there). `ip netns exec` execs it,
    /// so the child's pid is the program's own.
    pub fn spawn(&self, bin: &Path, args: &[&str]) -> Result<std::process::Child, String> {
        Command::new("ip")
            .args(["netns", "exec", &self.name])
            .arg(bin)
            .args(args)
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .map_err(|e| format!("ip netns exec: {e}"))
    }

    pub fn ip(&self, args: &[&str]) -> Result<(), String> {
        let mut all = vec!["-n", &self.name];
        all.extend_from_slice(args);
        run_cmd("ip", &all)
    }
}

impl Drop for Namespace {
    fn drop(&mut self) {
        let _ = run_cmd("ip", &["netns", "del", &self.name]);
        println!("removed namespace {}", self.name);
    }
}

pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn create(what: &str) -> Result<TempDir, String> {
        let dir = std::env::temp_dir().join(format!("ifplugd-{what}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        Ok(TempDir(dir))
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub fn chmod_x(path: &Path) -> Result<(), String> {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755))
        .map_err(|e| format!("{}: {e}", path.display()))
}

pub fn run_cmd(cmd: &str, args: &[&str]) -> Result<(), String> {
    let out = Command::new(cmd)
        .args(args)
        .output()
        .map_err(|e| format!("{cmd}: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "{cmd} {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr).trim()
        ))
    }
}

pub fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| o.stdout.starts_with(b"0\n"))
        .unwrap_or(false)
}

pub fn which(cmd: &str) -> Option<PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|p| p.join(cmd))
            .find(|p| p.is_file())
    })
}

/// Installs a Debian package if `cmd` is missing (we run as root).
pub fn ensure_apt(cmd: &str, package: &str) -> Result<(), String> {
    if which(cmd).is_some() {
        return Ok(());
    }
    println!("installing {package} (apt-get) ...");
    let _ = Command::new("apt-get").args(["update", "-qq"]).status();
    let ok = Command::new("apt-get")
        .args(["install", "-y", "-qq", package])
        .env("DEBIAN_FRONTEND", "noninteractive")
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if ok && which(cmd).is_some() {
        Ok(())
    } else {
        Err(format!("could not install {package}, which provides {cmd}"))
    }
}
