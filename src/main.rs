//! The `culprit` binary: parses arguments, runs the command, maps the result to an exit code.
//!
//! Exit codes: 0 success; 1 and 3 are command-specific (see README); 2 usage or input error
//! (including a run that completed but could not read some input). A closed stdout (`| head`)
//! is a success.

use clap::Parser;
use culprit::cli::{self, Outcome};
use std::process::ExitCode;

// mimalloc instead of glibc malloc: every log line allocates and frees a few small strings on
// two threads, and glibc's free/consolidate path was a quarter of `analyze`'s CPU time.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn is_broken_pipe(err: &anyhow::Error) -> bool {
    err.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn main() -> ExitCode {
    let cli = match cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match cli::run(cli) {
        Ok(Outcome::Success) => ExitCode::SUCCESS,
        Ok(Outcome::Partial) => ExitCode::from(2),
        Ok(Outcome::Code(c)) => ExitCode::from(c),
        Err(err) if is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("culprit: error: {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  caused by: {cause}");
            }
            ExitCode::from(2)
        }
    }
}
