//! `set_paused`: the admin stops or resumes `claim` and `claim_for`.
//! Vesting withdrawals and clawback are not affected.

use crate::{events::PausedChanged, instructions::admin_only::AdminOnly};
use anchor_lang::prelude::*;

#[inline(never)]
pub fn handler(ctx: Context<AdminOnly>, paused: bool) -> Result<()> {
    ctx.accounts.distributor.load_mut()?.paused = u8::from(paused);
    emit!(PausedChanged {
        distributor: ctx.accounts.distributor.key(),
        paused,
    });
    Ok(())
}
