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
