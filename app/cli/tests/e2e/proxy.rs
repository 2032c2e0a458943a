//! A fault-injecting HTTP proxy on loopback, between the CLI and the validator's
//! JSON-RPC: what a public RPC provider does on a bad day. Each request gets the fault
//! its [`Plan`] draws for it, or none:
//!
//! - [`Fault::Latency`]: answered after a delay;
//! - [`Fault::CutOff`]: forwarded (so a transaction reaches the validator), then the
//!   connection is closed half-way through the answer;
//! - [`Fault::TooManyRequests`]: HTTP 429 with `Retry-After: 1`, not forwarded;
//! - [`Fault::BadGateway`], [`Fault::Unavailable`]: HTTP 502 or 503, not forwarded;
//! - [`Fault::Lagging`]: a node behind the cluster: `getLatestBlockhash` gets an answer
//!   seconds old (a stale, still valid blockhash), `getSignatureStatuses` knows no
//!   signature yet, and every other method answers "minimum context slot not reached".

use serde_json::{Value, json};
use std::{
    io::{BufRead, BufReader, Read, Write},
    net::{TcpListener, TcpStream},
    sync::{
        Arc, Mutex,
        atomic::{AtomicBool, AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    Latency(Duration),
    CutOff,
    TooManyRequests,
    BadGateway,
    Unavailable,
    Lagging,
}

/// Which requests get a fault: `percent` of them, drawn from a seeded sequence so a run
/// can be repeated.
#[derive(Clone, Copy, Debug)]
pub struct Plan {
    pub fault: Fault,
    pub percent: u64,
    pub seed: u64,
}

/// What the proxy did.
#[derive(Debug, Default)]
pub struct Stats {
    pub requests: AtomicU64,
    pub faults: AtomicU64,
}

pub struct Proxy {
    pub url: String,
    pub stats: Arc<Stats>,
    stop: Arc<AtomicBool>,
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Answers of `getLatestBlockhash` and when they were given: what a lagging node serves.
type Blockhashes = Mutex<Vec<(Instant, Value)>>;

impl Proxy {
    /// A proxy of the JSON-RPC endpoint `upstream` (`http://HOST:PORT`) under `plan`.
    pub fn start(upstream: &str, plan: Plan) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let upstream = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        let stats = Arc::new(Stats::default());
        let stop = Arc::new(AtomicBool::new(false));
        let blockhashes: Arc<Blockhashes> = Arc::default();
        let (s, halt) = (stats.clone(), stop.clone());
        std::thread::spawn(move || {
            while !halt.load(Ordering::Relaxed) {
                let Ok((client, _)) = listener.accept() else {
                    std::thread::sleep(Duration::from_millis(2));
                    continue;
                };
                let (upstream, s, b) = (upstream.clone(), s.clone(), blockhashes.clone());
                std::thread::spawn(move || {
                    let _ = serve(client, &upstream, plan, &s, &b);
                });
            }
        });
        Self { url, stats, stop }
    }
}

/// The `n`-th draw of a seeded sequence, in 0..100.
fn draw(seed: u64, n: u64) -> u64 {
    // SplitMix64.
    let mut z = seed.wrapping_add(n.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    (z ^ (z >> 31)) % 100
}

/// One HTTP/1.1 request: its body (the proxy only sees JSON-RPC POSTs).
fn read_request(reader: &mut BufReader<TcpStream>) -> std::io::Result<Option<Vec<u8>>> {
    let mut length = 0;
    let mut first = true;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        if first && line.trim().is_empty() {
            continue;
        }
        first = false;
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((name, value)) = line.split_once(':')
            && name.eq_ignore_ascii_case("content-length")
        {
            length = value.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body)?;
    Ok(Some(body))
}

/// `body` POSTed to `upstream`: the status and the answer's body.
fn forward(upstream: &str, body: &[u8]) -> std::io::Result<(u16, Vec<u8>)> {
    let mut stream = TcpStream::connect(upstream)?;
    write!(
        stream,
        "POST / HTTP/1.1\r\nHost: {upstream}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )?;
    stream.write_all(body)?;
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer)?;
    let split = answer
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or(std::io::ErrorKind::InvalidData)?;
    let head = String::from_utf8_lossy(&answer[..split]).to_string();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or(std::io::ErrorKind::InvalidData)?;
    let mut rest = answer[split + 4..].to_vec();
    if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        rest = unchunk(&rest);
    }
    Ok((status, rest))
}

/// The body of a chunked transfer.
fn unchunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(end) = data.windows(2).position(|w| w == b"\r\n") {
        let size =
            usize::from_str_radix(String::from_utf8_lossy(&data[..end]).trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = end + 2;
        out.extend_from_slice(&data[start..(start + size).min(data.len())]);
        data = &data[(start + size + 2).min(data.len())..];
    }
    out
}

fn respond(client: &mut TcpStream, status: u16, extra: &str, body: &[u8]) -> std::io::Result<()> {
    let reason = match status {
        200 => "OK",
        429 => "Too Many Requests",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Error",
    };
    write!(
        client,
        "HTTP/1.1 {status} {reason}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n{extra}\r\n",
        body.len()
    )?;
    client.write_all(body)
}

/// `request`'s answer as a lagging node gives it.
fn lagging(
    upstream: &str,
    request: &Value,
    body: &[u8],
    blockhashes: &Blockhashes,
) -> std::io::Result<Vec<u8>> {
    let id = request["id"].clone();
    let answer = match request["method"].as_str() {
        Some("getLatestBlockhash") => {
            let (_, fresh) = forward(upstream, body)?;
            let fresh: Value = serde_json::from_slice(&fresh).unwrap_or(Value::Null);
            let mut seen = blockhashes.lock().unwrap();
            seen.push((Instant::now(), fresh.clone()));
            // The oldest answer of the last 20 s: up to 50 slots behind, still valid.
            seen.retain(|(at, _)| at.elapsed() < Duration::from_secs(20));
            let mut stale = seen[0].1.clone();
            stale["id"] = id;
            stale
        }
        Some("getSignatureStatuses") => {
            let n = request["params"][0].as_array().map_or(0, Vec::len);
            json!({"jsonrpc": "2.0", "id": id,
                   "result": {"context": {"slot": 1}, "value": vec![Value::Null; n]}})
        }
        _ => json!({"jsonrpc": "2.0", "id": id,
                    "error": {"code": -32016, "message": "Minimum context slot has not been reached"}}),
    };
    Ok(serde_json::to_vec(&answer).unwrap())
}

/// Serves one client connection (keep-alive) until it closes or a fault cuts it.
fn serve(
    client: TcpStream,
    upstream: &str,
    plan: Plan,
    stats: &Stats,
    blockhashes: &Blockhashes,
) -> std::io::Result<()> {
    client.set_read_timeout(Some(Duration::from_secs(60)))?;
    let mut writer = client.try_clone()?;
    let mut reader = BufReader::new(client);
    while let Some(body) = read_request(&mut reader)? {
        let n = stats.requests.fetch_add(1, Ordering::Relaxed);
        let fault = (draw(plan.seed, n) < plan.percent).then_some(plan.fault);
        let request: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
        if fault.is_some() {
            stats.faults.fetch_add(1, Ordering::Relaxed);
        }
        match fault {
            None => {
                let (status, answer) = forward(upstream, &body)?;
                respond(&mut writer, status, "", &answer)?;
            }
            Some(Fault::Latency(delay)) => {
                std::thread::sleep(delay);
                let (status, answer) = forward(upstream, &body)?;
                respond(&mut writer, status, "", &answer)?;
            }
            Some(Fault::CutOff) => {
                let (_, answer) = forward(upstream, &body)?;
                write!(
                    writer,
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
                    answer.len()
                )?;
                writer.write_all(&answer[..answer.len() / 2])?;
                writer.flush()?;
                return writer.shutdown(std::net::Shutdown::Both);
            }
            Some(Fault::TooManyRequests) => respond(&mut writer, 429, "Retry-After: 1\r\n", b"")?,
            Some(Fault::BadGateway) => respond(&mut writer, 502, "", b"")?,
            Some(Fault::Unavailable) => respond(&mut writer, 503, "", b"")?,
            Some(Fault::Lagging) => {
                let answer = lagging(upstream, &request, &body, blockhashes)?;
                respond(&mut writer, 200, "", &answer)?;
            }
        }
    }
    Ok(())
}
