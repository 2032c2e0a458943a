//! `floodgate pause` / `floodgate unpause`: stop or resume claims (admin).

use super::{
    Ctx,
    target::{AdminReport, Target},
};
use floodgate_client::instructions as ix;

#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    #[command(flatten)]
    pub target: Target,
}

pub async fn run(args: &Args, ctx: &mut Ctx<'_>, paused: bool) -> anyhow::Result<AdminReport> {
    let (d, keys) = args.target.load_as_admin(ctx).await?;
    let mut signatures = Vec::new();
    if d.is_paused() != paused {
        let instruction = ix::set_paused(&keys, &ctx.payer.pubkey(), paused);
        signatures.push(ctx.send(&[instruction]).await?.to_string());
    }
    Ok(AdminReport {
        distributor: keys.address.to_string(),
        action: match (paused, signatures.is_empty()) {
            (true, false) => "claims paused",
            (true, true) => "claims were already paused",
            (false, false) => "claims resumed",
            (false, true) => "claims were not paused",
        }
        .into(),
        signatures,
    })
}
