//! A minimal HTTP/1.1 client: one keep-alive connection, requests in turn
//! (Content-Length or chunked bodies). A few dozen lines on tokio's
//! `TcpStream`, so measuring adds no dependency and no pooling layer of its
//! own to the numbers.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{Context, bail};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

use crate::auth::totp;
use crate::clock;

/// A response larger than this is refused rather than buffered.
const MAX_BODY: usize = 64 * 1024 * 1024;
/// A request unanswered this long counts as failed: a load test must end
/// even when the server under test stops answering.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(120);

pub(crate) struct Response {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
}

impl Response {
    /// The body as JSON; `null` when it is not JSON.
    pub(crate) fn json(&self) -> Value {
        serde_json::from_slice(&self.body).unwrap_or(Value::Null)
    }
}

pub(crate) struct Http {
    addr: SocketAddr,
    conn: Option<BufReader<TcpStream>>,
}

impl Http {
    pub(crate) async fn connect(addr: SocketAddr) -> anyhow::Result<Http> {
        let mut http = Http { addr, conn: None };
        http.open().await?;
        Ok(http)
    }

    async fn open(&mut self) -> anyhow::Result<&mut BufReader<TcpStream>> {
        if self.conn.is_none() {
            let stream = TcpStream::connect(self.addr).await?;
            // Requests go out in one write; Nagle would only add delay.
            stream.set_nodelay(true)?;
            self.conn = Some(BufReader::new(stream));
        }
        self.conn.as_mut().context("no connection")
    }

    /// Signs in and returns the bearer token: the password, then, when the
    /// server asks for it, a TOTP code computed from `secret` (or from the
    /// secret the server hands out when it asks to enrol).
    pub(crate) async fn login(
        &mut self,
        username: &str,
        password: &str,
        secret: Option<&[u8]>,
    ) -> anyhow::Result<String> {
        let body = json!({"username": username, "password": password}).to_string();
        for attempt in 0..2 {
            let r = self.send("POST", "/api/login", None, Some(&body)).await?;
            if r.status != 200 {
                bail!(
                    "đăng nhập {username} thất bại ({}): {}",
                    r.status,
                    String::from_utf8_lossy(&r.body)
                );
            }
            let v = r.json();
            if let Some(token) = v.get("token").and_then(Value::as_str) {
                return Ok(token.to_string());
            }
            let challenge = v
                .get("challenge")
                .and_then(Value::as_str)
                .context("đăng nhập không trả về token hay challenge")?;
            let secret = v
                .get("secret")
                .and_then(Value::as_str)
                .and_then(totp::base32_decode)
                .or_else(|| secret.map(<[u8]>::to_vec))
                .with_context(|| format!("{username} cần mã TOTP mà không có khoá bí mật"))?;
            let code = totp::code_at(&secret, clock::system().now_ms());
            let step = json!({"challenge": challenge, "code": code}).to_string();
            let r = self
                .send("POST", "/api/login/totp", None, Some(&step))
                .await?;
            if r.status == 200 {
                return r
                    .json()
                    .get("token")
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .context("bước TOTP không trả về token");
            }
            if attempt == 0 {
                // A code is accepted once: a run just before may have used
                // this step's. The next step brings a fresh one.
                let now = clock::system().now_ms();
                let wait = totp::STEP_MS - now.rem_euclid(totp::STEP_MS) + 500;
                tokio::time::sleep(Duration::from_millis(wait.unsigned_abs())).await;
                continue;
            }
            bail!(
                "mã TOTP bị từ chối ({}): {}",
                r.status,
                String::from_utf8_lossy(&r.body)
            );
        }
        bail!("không đăng nhập được {username}")
    }

    pub(crate) async fn send(
        &mut self,
        method: &str,
        path: &str,
        token: Option<&str>,
        body: Option<&str>,
    ) -> anyhow::Result<Response> {
        let host = self.addr.to_string();
        let mut req = format!(
            "{method} {path} HTTP/1.1\r\nHost: {host}\r\nAccept: application/json\r\nConnection: keep-alive\r\n"
        );
        if let Some(t) = token {
            req.push_str(&format!("Authorization: Bearer {t}\r\n"));
        }
        if let Some(b) = body {
            req.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n",
                b.len()
            ));
        }
        req.push_str("\r\n");
        if let Some(b) = body {
            req.push_str(b);
        }
        let result =
            match tokio::time::timeout(REQUEST_TIMEOUT, self.exchange(req.as_bytes())).await {
                Ok(result) => result,
                Err(_) => Err(anyhow::anyhow!(
                    "{method} {path}: không có trả lời sau {} s",
                    REQUEST_TIMEOUT.as_secs()
                )),
            };
        if result.is_err() {
            // A broken connection is not reused.
            self.conn = None;
        }
        let (response, close) = result?;
        if close {
            self.conn = None;
        }
        Ok(response)
    }

    async fn exchange(&mut self, request: &[u8]) -> anyhow::Result<(Response, bool)> {
        let conn = self.open().await?;
        conn.get_mut().write_all(request).await?;
        let mut line = String::new();
        if conn.read_line(&mut line).await? == 0 {
            bail!("the server closed the connection");
        }
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .with_context(|| format!("bad status line {line:?}"))?;
        let mut length = None;
        let mut chunked = false;
        let mut close = false;
        loop {
            line.clear();
            if conn.read_line(&mut line).await? == 0 {
                bail!("the server closed the connection in the headers");
            }
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                let value = value.trim();
                match name.trim().to_ascii_lowercase().as_str() {
                    "content-length" => length = Some(value.parse::<usize>()?),
                    "transfer-encoding" => {
                        chunked = value.to_ascii_lowercase().contains("chunked");
                    }
                    "connection" => close = value.eq_ignore_ascii_case("close"),
                    _ => {}
                }
            }
        }
        let mut body = Vec::new();
        if chunked {
            loop {
                line.clear();
                conn.read_line(&mut line).await?;
                let size_text = line.trim().split(';').next().unwrap_or("");
                let size = usize::from_str_radix(size_text, 16)
                    .with_context(|| format!("bad chunk size {line:?}"))?;
                if size == 0 {
                    // Trailers, up to the empty line.
                    loop {
                        line.clear();
                        if conn.read_line(&mut line).await? == 0 || line.trim_end().is_empty() {
                            break;
                        }
                    }
                    break;
                }
                if body.len() + size > MAX_BODY {
                    bail!("response larger than {MAX_BODY} bytes");
                }
                let start = body.len();
                body.resize(start + size, 0);
                conn.read_exact(&mut body[start..]).await?;
                let mut crlf = [0u8; 2];
                conn.read_exact(&mut crlf).await?;
            }
        } else if let Some(n) = length {
            if n > MAX_BODY {
                bail!("response larger than {MAX_BODY} bytes");
            }
            body.resize(n, 0);
            conn.read_exact(&mut body).await?;
        } else if !(status == 204 || status == 304 || (100..200).contains(&status)) {
            // No length: the body runs to the end of the connection.
            conn.take(MAX_BODY as u64).read_to_end(&mut body).await?;
            close = true;
        }
        Ok((Response { status, body }, close))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The client reads chunked and sized bodies from a tiny server.
    #[tokio::test]
    async fn the_client_reads_chunked_and_sized_bodies() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            let (stream, _) = listener.accept().await.expect("accept");
            let mut stream = BufReader::new(stream);
            for answer in [
                "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2;x=y\r\nde\r\n0\r\n\r\n",
                "HTTP/1.1 404 Not Found\r\nContent-Length: 2\r\n\r\nno",
            ] {
                let mut line = String::new();
                loop {
                    line.clear();
                    stream.read_line(&mut line).await.expect("read");
                    if line.trim_end().is_empty() {
                        break;
                    }
                }
                stream
                    .get_mut()
                    .write_all(answer.as_bytes())
                    .await
                    .expect("write");
            }
        });
        let mut http = Http::connect(addr).await.expect("connect");
        let r = http.send("GET", "/a", None, None).await.expect("first");
        assert_eq!((r.status, r.body.as_slice()), (200, &b"abcde"[..]));
        let r = http
            .send("GET", "/b", Some("t"), None)
            .await
            .expect("second");
        assert_eq!((r.status, r.body.as_slice()), (404, &b"no"[..]));
    }
}
