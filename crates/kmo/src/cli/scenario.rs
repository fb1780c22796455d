//! `kmo scenario run`: the scenario language of lifecycle.md.

use std::io::{self, Read};

use anyhow::Context as _;
use clap::{Args, Subcommand, ValueEnum};

use super::Cli;

#[derive(Debug, Subcommand)]
pub enum ScenarioCommand {
    /// Run the scenarios on standard input, each from an empty platform on a fresh database
    /// (a temporary SQLite file, or a fresh schema of the PostgreSQL --database-url).
    Run(ScenarioArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ModeArg {
    State,
    Final,
}

#[derive(Debug, Args)]
pub struct ScenarioArgs {
    /// `state`: one line per command with the state; `final`: the state after each scenario.
    #[arg(long, value_enum, default_value = "state")]
    pub mode: ModeArg,
    /// Verify the `expect` lines and print `N/M scenarios pass`; exit 1 when any fails.
    #[arg(long)]
    pub check: bool,
}

pub fn run(cli: &Cli, command: &ScenarioCommand) -> anyhow::Result<u8> {
    match command {
        ScenarioCommand::Run(args) => {
            let mut input = String::new();
            io::stdin()
                .lock()
                .read_to_string(&mut input)
                .context("reading the scenarios from standard input")?;
            let mode = match args.mode {
                ModeArg::State => kmo_sim::scenario::Mode::State,
                ModeArg::Final => kmo_sim::scenario::Mode::Final,
            };
            crate::wallet::scenario_run(&input, cli.database_url.as_deref(), mode, args.check)
        }
    }
}
