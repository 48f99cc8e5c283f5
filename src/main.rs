use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = newsdesk::cli::Cli::parse();
    newsdesk::cli::run(cli)
}
