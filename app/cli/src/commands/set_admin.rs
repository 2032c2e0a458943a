//! `floodgate set-admin`: hand the distributor to another admin.

use super::{
    Ctx,
    target::{AdminReport, Target},
};
use anchor_lang::prelude::Pubkey;
use floodgate_client::instructions as ix;

#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    #[command(flatten)]
    pub target: Target,
    /// The new admin.
    #[arg(long, value_name = "ADDRESS")]
    pub new_admin: Pubkey,
}

pub async fn run(args: &Args, ctx: &mut Ctx<'_>) -> anyhow::Result<AdminReport> {
    let (_, keys) = args.target.load_as_admin(ctx).await?;
    let instruction = ix::set_admin(&keys, &ctx.payer.pubkey(), &args.new_admin);
    let signature = ctx.send(&[instruction]).await?;
    Ok(AdminReport {
        distributor: keys.address.to_string(),
        action: format!("admin is now {}", args.new_admin),
        signatures: vec![signature.to_string()],
    })
}
