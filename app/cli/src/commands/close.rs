//! `floodgate close`: close every clawed-back shard, then the distributor (admin); the
//! rent goes back to the admin. Resumable: closed shards are skipped.

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
    let (d, keys) = args.target.load_as_admin(ctx).await?;
    let shards = common::shards(ctx.chain, &keys, d.num_shards).await?;
    let open: Vec<u32> = (0..d.num_shards)
        .filter(|s| shards[*s as usize].state.is_some())
        .collect();
    if let Some(s) = open.iter().find(|s| {
        !shards[**s as usize]
            .state
            .as_ref()
            .is_some_and(|st| st.header.is_clawed_back())
    }) {
        bail!(
            "shard {s} is not clawed back: run `floodgate clawback` first (after {})",
            common::show_time(d.clawback_start_ts)
        );
    }
    let admin = ctx.payer.pubkey();
    let mut signatures = Vec::new();
    for s in &open {
        signatures.push(
            ctx.send(&[ix::close_shard(&keys, &admin, *s)])
                .await?
                .to_string(),
        );
    }
    signatures.push(
        ctx.send(&[ix::close_distributor(&keys, &admin)])
            .await?
            .to_string(),
    );
    Ok(AdminReport {
        distributor: keys.address.to_string(),
        action: format!(
            "{} shards and the distributor closed; rent returned to {admin}",
            open.len()
        ),
        signatures,
    })
}
