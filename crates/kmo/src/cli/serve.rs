//! `kmo serve`: the platform's server.

use std::path::PathBuf;

use clap::Args;

use super::Cli;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address and port to listen on (default 127.0.0.1:8080); port 0 picks a free port and
    /// prints the address it bound.
    #[arg(long)]
    pub listen: Option<String>,
    /// Fill an empty database with the demo first (as `kmo demo`; nothing happens when the
    /// database is in use).
    #[arg(long)]
    pub demo: bool,
    /// A TOML settings file (see `kmo config print-default`).
    #[arg(long, env = "KMO_CONFIG")]
    pub config: Option<PathBuf>,
}

pub fn run(cli: &Cli, args: &ServeArgs) -> anyhow::Result<u8> {
    crate::serve::serve(cli.database_url.as_deref(), cli.data_dir.as_deref(), args)
}
