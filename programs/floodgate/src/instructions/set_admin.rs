//! `set_admin`: the admin hands the distributor to a new admin.

use crate::{events::AdminChanged, instructions::admin_only::AdminOnly};
use anchor_lang::prelude::*;

#[inline(never)]
pub fn handler(ctx: Context<AdminOnly>, new_admin: Pubkey) -> Result<()> {
    let mut distributor = ctx.accounts.distributor.load_mut()?;
    let old_admin = std::mem::replace(&mut distributor.admin, new_admin);
    emit!(AdminChanged {
        distributor: ctx.accounts.distributor.key(),
        old_admin,
        new_admin,
    });
    Ok(())
}
