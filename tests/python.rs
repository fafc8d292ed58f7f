//! The Python package (`python/`), built and tested from `cargo test`.
//!
//! Creates a virtual environment under the target directory
//! (`target/python-venv`, reused while it works and its pinned packages,
//! `python/requirements-test.txt`, are unchanged), installs the pins,
//! builds a wheel of the package with maturin into the same target
//! directory and profile as this test (so the stance crate's dependencies
//! compiled for the extension stay there between runs), installs it and
//! runs pytest on `python/tests/` against the `stance` binary this
//! `cargo test` built. Fails, never skips, when Python 3 (with `venv` and
//! `pip`) is missing: `.ci/run` installs them.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

mod common;

fn run(what: &str, cmd: &mut Command) -> Output {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{what}: cannot run {cmd:?}: {e}"));
    if !out.status.success() {
        panic!(
            "{what} failed ({}):\n--- stdout\n{}\n--- stderr\n{}",
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    out
}

/// The target directory this test was built in (`target/` unless
/// CARGO_TARGET_DIR says otherwise), from the binary's path
/// (`<target>/<profile>/stance`), with the profile's name.
fn target_dir() -> (PathBuf, String) {
    let bin = Path::new(env!("CARGO_BIN_EXE_stance"));
    let profile_dir = bin.parent().expect("binary in a profile directory");
    let profile = match profile_dir.file_name().unwrap().to_string_lossy().as_ref() {
        // The dev profile builds into `debug/`.
        "debug" => "dev".to_string(),
        other => other.to_string(),
    };
    (profile_dir.parent().unwrap().to_path_buf(), profile)
}

fn python3() -> String {
    let python = std::env::var("STANCE_PYTHON").unwrap_or_else(|_| "python3".into());
    let ok = Command::new(&python)
        .args(["-c", "import sys, venv; assert sys.version_info >= (3, 9)"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        ok,
        "{python} (3.9 or later, with the venv module) is needed to test the Python package: \
         install python3 and python3-venv (Debian), or set STANCE_PYTHON"
    );
    python
}

#[test]
fn python_package_builds_and_passes_pytest() {
    let repo = common::repo("");
    let (target, profile) = target_dir();
    let venv = target.join("python-venv");
    let py = venv.join("bin").join("python");
    let requirements = repo.join("python/requirements-test.txt");
    let pins = std::fs::read_to_string(&requirements).expect("python/requirements-test.txt");
    let stamp = venv.join("stance-requirements.txt");

    // Reuse the environment while its interpreter runs and it holds exactly
    // these pins; else make it anew.
    let valid = std::fs::read_to_string(&stamp).is_ok_and(|s| s == pins)
        && Command::new(&py)
            .args(["-c", "import maturin, pytest, numpy, pandas"])
            .output()
            .is_ok_and(|o| o.status.success());
    if !valid {
        let python = python3();
        run(
            "creating the virtual environment",
            Command::new(&python)
                .args(["-m", "venv", "--clear"])
                .arg(&venv),
        );
        run(
            "pip install -r python/requirements-test.txt",
            Command::new(&py)
                .args([
                    "-m",
                    "pip",
                    "install",
                    "--disable-pip-version-check",
                    "-q",
                    "-r",
                ])
                .arg(&requirements),
        );
        std::fs::write(&stamp, &pins).unwrap();
    }

    // A wheel, built as a user's `pip install ./python` builds it (but in
    // this target directory and profile, with the lock file as it is).
    let wheels = target.join("python-wheels");
    let _ = std::fs::remove_dir_all(&wheels);
    run(
        "maturin build",
        Command::new(venv.join("bin").join("maturin"))
            .args(["build", "--locked", "--profile", &profile, "-m"])
            .arg(repo.join("python/Cargo.toml"))
            .arg("--target-dir")
            .arg(&target)
            .arg("--interpreter")
            .arg(&py)
            .arg("--out")
            .arg(&wheels)
            .env("VIRTUAL_ENV", &venv),
    );
    let wheel = std::fs::read_dir(&wheels)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|e| e == "whl"))
        .expect("maturin wrote no wheel");
    run(
        "pip install the wheel",
        Command::new(&py)
            .args([
                "-m",
                "pip",
                "install",
                "--disable-pip-version-check",
                "-q",
                "--no-deps",
                "--force-reinstall",
            ])
            .arg(&wheel),
    );

    let out = run(
        "pytest python/tests",
        Command::new(&py)
            .args([
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "python/tests",
            ])
            .current_dir(&repo)
            .env("STANCE_BIN", env!("CARGO_BIN_EXE_stance"))
            .env("MPLBACKEND", "Agg"),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    // pytest's own summary, e.g. "25 passed in 4.80s", shown with --nocapture.
    println!("{stdout}");
    assert!(
        stdout.contains(" passed") && !stdout.contains(" failed"),
        "pytest ran no test:\n{stdout}"
    );
}
