//! `culprit patterns`: placeholder until the signature library lands.

use super::Outcome;
use clap::Args;

#[derive(Debug, Args)]
pub struct PatternsArgs {}

pub fn run(_args: PatternsArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`culprit patterns` is not available in this build yet")
}
