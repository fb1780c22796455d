//! `kmo config print-default`: the settings.

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the default settings as TOML (every key can also be set as KMO_<SECTION>__<KEY>).
    PrintDefault,
}

pub fn run(command: &ConfigCommand) -> u8 {
    match command {
        ConfigCommand::PrintDefault => {
            print!("{}", kmo_http::settings::Settings::default_toml());
            0
        }
    }
}
