//! `floodgate clawback`: once clawback has opened, move what is left in every shard's
//! vault to the clawback receiver (anyone may send it). Shards already clawed back or
//! absent are skipped, so it can be run again.

use super::{
    Ctx, common,
    target::{AdminReport, Target},
};
use anyhow::bail;
use floodgate_client::instructions as ix;

#[derive(clap::Args, Debug, Clone)]
pub struct Args {
    #[command(flatten)]
    pub target: Target,
}

pub async fn run(args: &Args, ctx: &mut Ctx<'_>) -> anyhow::Result<AdminReport> {
    let (d, keys) = args.target.load(ctx).await?;
    let now = ctx.chain.now().await?;
    if now < d.clawback_start_ts {
        bail!(
            "clawback opens at {} (now {})",
            common::show_time(d.clawback_start_ts),
            common::show_time(now)
        );
    }
    let shards = common::shards(ctx.chain, &keys, d.num_shards).await?;
    let mut signatures = Vec::new();
    for (s, shard) in shards.iter().enumerate() {
        if shard
            .state
            .as_ref()
            .is_some_and(|st| !st.header.is_clawed_back())
        {
            signatures.push(
                ctx.send(&[ix::clawback(&keys, s as u32)])
                    .await?
                    .to_string(),
            );
        }
    }
    Ok(AdminReport {
        distributor: keys.address.to_string(),
        action: format!(
            "{} shards clawed back to {}",
            signatures.len(),
            keys.clawback_receiver
        ),
        signatures,
    })
}
