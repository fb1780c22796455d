//! `kmo user add`: accounts from the command line.

use std::io::{self, BufRead};

use anyhow::Context as _;
use clap::{Args, Subcommand};

use crate::clock::today_brussels;
use crate::wallet::DbLocation;

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user. The password is read from the first line of standard input (never from
    /// the command line, where other users of the machine could see it).
    Add(UserAddArgs),
}

#[derive(Debug, Args)]
pub struct UserAddArgs {
    #[arg(long)]
    pub email: String,
    #[arg(long)]
    pub name: String,
    /// enterprise, provider, agency or quality_chamber.
    #[arg(long)]
    pub role: String,
    /// For a provider user: the provider's key.
    #[arg(long)]
    pub provider: Option<String>,
}

pub fn run(location: &DbLocation, command: &UserCommand) -> anyhow::Result<u8> {
    match command {
        UserCommand::Add(args) => {
            let mut password = String::new();
            io::stdin()
                .lock()
                .read_line(&mut password)
                .context("reading the password from standard input")?;
            crate::wallet::user_add(
                location,
                args,
                password.trim_end_matches(['\r', '\n']),
                today_brussels()?,
            )
        }
    }
}
