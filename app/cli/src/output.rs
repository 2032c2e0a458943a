//! How results are shown: human text or JSON, token and SOL amounts.

use clap::ValueEnum;

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Human,
    Json,
}

/// Lamports as SOL with 9 decimals, trailing zeros trimmed.
pub fn sol(lamports: u64) -> String {
    floodgate_client::allocation::format_amount(lamports, 9)
}

/// A progress bar on stderr (hidden when stderr is not a terminal or for JSON output).
pub fn progress(len: u64, message: &'static str, format: OutputFormat) -> indicatif::ProgressBar {
    let bar = if format == OutputFormat::Json {
        indicatif::ProgressBar::hidden()
    } else {
        indicatif::ProgressBar::new(len)
    };
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{msg:>18} [{bar:40}] {pos}/{len} {per_sec} eta {eta}",
        )
        .expect("static template")
        .progress_chars("=> "),
    );
    bar.set_message(message);
    bar
}

/// What a command reports: JSON for `--output json`, text otherwise.
pub trait Report: serde::Serialize {
    /// The human-readable text.
    fn human(&self) -> String;

    /// Prints to stdout in `format`.
    fn print(&self, format: OutputFormat) -> anyhow::Result<()> {
        match format {
            OutputFormat::Json => println!("{}", serde_json::to_string_pretty(self)?),
            OutputFormat::Human => println!("{}", self.human()),
        }
        Ok(())
    }
}

/// Base units as token units with the mint's decimals.
pub fn tokens(base_units: u64, decimals: u8) -> String {
    floodgate_client::allocation::format_amount(base_units, decimals)
}

/// A unix time as RFC 3339 (UTC).
pub fn show_time_opt(ts: i64) -> String {
    crate::commands::common::show_time(ts)
}
