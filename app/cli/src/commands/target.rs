//! `--drop DIR | --distributor ADDRESS`: which distributor an admin command acts on.

use super::{Ctx, common};
use crate::drop_location::DropLocation;
use anchor_lang::prelude::Pubkey;
use anyhow::{anyhow, bail};
use floodgate::state::Distributor;
use floodgate_client::instructions::DistributorKeys;

#[derive(clap::Args, Debug, Clone)]
#[group(required = true, multiple = false)]
pub struct Target {
    /// A drop folder (or its http(s) URL) whose manifest names the distributor.
    #[arg(long, value_name = "DIR|URL")]
    pub drop: Option<DropLocation>,
    /// The distributor's address.
    #[arg(long, value_name = "ADDRESS")]
    pub distributor: Option<Pubkey>,
}

impl Target {
    pub async fn address(&self) -> anyhow::Result<Pubkey> {
        match (&self.drop, self.distributor) {
            (_, Some(d)) => Ok(d),
            (Some(drop), None) => drop.manifest().await?.distributor.ok_or_else(|| {
                anyhow!("the manifest has no distributor yet: run `floodgate create` first")
            }),
            (None, None) => bail!("pass --drop or --distributor"),
        }
    }

    /// The distributor, read from the chain.
    pub async fn load(&self, ctx: &mut Ctx<'_>) -> anyhow::Result<(Distributor, DistributorKeys)> {
        let address = self.address().await?;
        common::distributor(ctx.chain, &address)
            .await?
            .ok_or_else(|| {
                anyhow!("distributor {address} does not exist on this cluster (check --url)")
            })
    }

    /// The distributor, read from the chain, after checking that the keypair is its admin.
    pub async fn load_as_admin(
        &self,
        ctx: &mut Ctx<'_>,
    ) -> anyhow::Result<(Distributor, DistributorKeys)> {
        let (d, keys) = self.load(ctx).await?;
        let me = solana_sdk::signature::Signer::pubkey(ctx.payer);
        if d.admin != me {
            bail!(
                "the keypair {me} is not the admin of {} (the admin is {}): pass --keypair",
                keys.address,
                d.admin
            );
        }
        Ok((d, keys))
    }
}

/// What an admin command reports.
#[derive(Debug, serde::Serialize)]
pub struct AdminReport {
    pub distributor: String,
    pub action: String,
    pub signatures: Vec<String>,
}

impl crate::output::Report for AdminReport {
    fn human(&self) -> String {
        format!(
            "{}: {} ({} transactions)",
            self.distributor,
            self.action,
            self.signatures.len()
        )
    }
}
