//! [`HttpSource`]: drop-folder files from any static host over HTTP(S).

use floodgate_client::{ClientError, lookup::PageSource};
use std::{path::PathBuf, time::Duration};

/// A drop folder published at `base` (`https://host/drop`, no trailing slash needed).
#[derive(Debug, Clone)]
pub struct HttpSource {
    base: String,
    client: reqwest::blocking::Client,
}

impl HttpSource {
    pub fn new(base: &str) -> anyhow::Result<Self> {
        let client = reqwest::blocking::Client::builder()
            .timeout(Duration::from_secs(30))
            .build()?;
        Ok(Self {
            base: base.trim_end_matches('/').to_string(),
            client,
        })
    }
}

impl PageSource for HttpSource {
    fn read(&self, relative_path: &str) -> Result<Vec<u8>, ClientError> {
        let url = format!("{}/{relative_path}", self.base);
        let failed = |reason: String| ClientError::Io {
            path: PathBuf::from(&url),
            source: std::io::Error::other(reason),
        };
        let response = self
            .client
            .get(&url)
            .send()
            .map_err(|e| failed(e.to_string()))?;
        if !response.status().is_success() {
            return Err(failed(format!("HTTP {}", response.status())));
        }
        Ok(response
            .bytes()
            .map_err(|e| failed(e.to_string()))?
            .to_vec())
    }
}
