//! `culprit templates`: placeholder until the template miner lands.

use super::Outcome;
use clap::Args;

#[derive(Debug, Args)]
pub struct TemplatesArgs {}

pub fn run(_args: TemplatesArgs) -> anyhow::Result<Outcome> {
    anyhow::bail!("`culprit templates` is not available in this build yet")
}
