//! `floodgate set-clawback-receiver`: where clawed-back tokens go (a token account of
//! the mint).

use super::{
    Ctx,
    target::{AdminReport, Target},
};
use anchor_lang::prelude::Pubkey;
use anyhow::{anyhow, ensure};
use floodgate_client::{chain::token_account_mint, instructions as ix};

#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    #[command(flatten)]
    pub target: Target,
    /// The new receiver: a token account of the mint.
    #[arg(long, value_name = "TOKEN_ACCOUNT")]
    pub receiver: Pubkey,
}

pub async fn run(args: &Args, ctx: &mut Ctx<'_>) -> anyhow::Result<AdminReport> {
    let (d, keys) = args.target.load_as_admin(ctx).await?;
    let account = ctx.chain.account(&args.receiver).await?.ok_or_else(|| {
        anyhow!(
            "{} does not exist: create a token account of {} first",
            args.receiver,
            d.mint
        )
    })?;
    ensure!(
        token_account_mint(&account.data) == Some(d.mint),
        "{} is not a token account of mint {}",
        args.receiver,
        d.mint
    );
    let instruction = ix::set_clawback_receiver(&keys, &ctx.payer.pubkey(), &args.receiver);
    let signature = ctx.send(&[instruction]).await?;
    Ok(AdminReport {
        distributor: keys.address.to_string(),
        action: format!("clawback receiver is now {}", args.receiver),
        signatures: vec![signature.to_string()],
    })
}
