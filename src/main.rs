//! `stance`: the command-line tool. Argument parsing lives here; each
//! command is a small module in `cli/` over the library.

mod cli;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let args = cli::Cli::parse();
    match cli::run(args) {
        Ok(code) => code,
        Err(e) => {
            // Broken pipe (e.g. `stance score ... | head`) is not an error.
            if e.chain().any(is_broken_pipe) {
                return ExitCode::SUCCESS;
            }
            eprintln!("stance: error: {}", cli::stderr_safe(&format!("{e:#}")));
            ExitCode::from(2)
        }
    }
}

/// True if an error in the chain is a broken pipe, also when wrapped by the
/// JSON or CSV writer.
fn is_broken_pipe(e: &(dyn std::error::Error + 'static)) -> bool {
    use std::io::ErrorKind::BrokenPipe;
    if let Some(io) = e.downcast_ref::<std::io::Error>() {
        return io.kind() == BrokenPipe;
    }
    if let Some(j) = e.downcast_ref::<serde_json::Error>() {
        return j.io_error_kind() == Some(BrokenPipe);
    }
    if let Some(c) = e.downcast_ref::<csv::Error>() {
        return matches!(c.kind(), csv::ErrorKind::Io(io) if io.kind() == BrokenPipe);
    }
    false
}
