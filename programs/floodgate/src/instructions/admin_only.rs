//! Accounts of the admin settings that touch nothing but the distributor.

use crate::{errors::FloodgateError, state::Distributor};
use anchor_lang::prelude::*;

#[derive(Accounts)]
pub struct AdminOnly<'info> {
    /// The distributor's current admin.
    pub admin: Signer<'info>,

    #[account(mut, has_one = admin @ FloodgateError::Unauthorized)]
    pub distributor: AccountLoader<'info, Distributor>,
}
