//! A real SMTP server inside the tests: it speaks the protocol (EHLO, MAIL,
//! RCPT, DATA, QUIT) on 127.0.0.1 and keeps what it receives.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

#[derive(Clone, Debug)]
pub struct Received {
    pub from: String,
    pub to: Vec<String>,
    pub data: String,
}

impl Received {
    /// The Subject header, decoded by a real MIME parser.
    pub fn subject(&self) -> String {
        mail_parser::MessageParser::default()
            .parse(self.data.as_bytes())
            .and_then(|m| m.subject().map(str::to_owned))
            .unwrap_or_default()
    }

    /// The message with its body decoded (base64 or quoted-printable), headers kept.
    pub fn text(&self) -> String {
        if let Some((headers, body)) = self.data.split_once("\r\n\r\n")
            && headers
                .to_ascii_lowercase()
                .contains("content-transfer-encoding: base64")
        {
            use base64::Engine;
            let compact: String = body.split_whitespace().collect();
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(compact)
                .unwrap_or_default();
            return format!("{headers}\r\n\r\n{}", String::from_utf8_lossy(&decoded));
        }
        // Multipart: base64 parts are decoded and appended.
        let mut decoded_parts = String::new();
        let lower = self.data.to_ascii_lowercase();
        let mut from = 0;
        while let Some(at) = lower[from..].find("content-transfer-encoding: base64") {
            let start = from + at;
            let Some(body_at) = self.data[start..].find("\r\n\r\n") else {
                break;
            };
            let body_start = start + body_at + 4;
            let body: String = self.data[body_start..]
                .lines()
                .take_while(|l| !l.starts_with("--"))
                .collect();
            use base64::Engine;
            let bytes = base64::engine::general_purpose::STANDARD
                .decode(body.trim())
                .unwrap_or_default();
            decoded_parts.push_str(&String::from_utf8_lossy(&bytes));
            decoded_parts.push('\n');
            from = body_start;
        }
        let joined = self.data.replace("=\r\n", "");
        let mut out = Vec::new();
        let bytes = joined.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'='
                && i + 2 < bytes.len()
                && let Ok(v) = u8::from_str_radix(&joined[i + 1..i + 3], 16)
            {
                out.push(v);
                i += 3;
                continue;
            }
            out.push(bytes[i]);
            i += 1;
        }
        String::from_utf8_lossy(&out).into_owned() + &decoded_parts
    }

    /// The plain-text body, decoded by a real MIME parser.
    pub fn body_text(&self) -> String {
        mail_parser::MessageParser::default()
            .parse(self.data.as_bytes())
            .and_then(|m| m.body_text(0).map(|t| t.into_owned()))
            .unwrap_or_default()
    }

    /// The first link in the message that starts with `prefix`.
    pub fn link(&self, prefix: &str) -> String {
        let text = self.text();
        let start = text
            .find(prefix)
            .unwrap_or_else(|| panic!("no {prefix} link in {text}"));
        text[start..].split_whitespace().next().unwrap().to_owned()
    }
}

pub struct SmtpServer {
    pub url: String,
    pub inbox: Arc<Mutex<Vec<Received>>>,
}

impl SmtpServer {
    pub async fn start() -> SmtpServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("smtp://{}", listener.local_addr().unwrap());
        let inbox: Arc<Mutex<Vec<Received>>> = Arc::default();
        let store = inbox.clone();
        let deferred: Arc<Mutex<std::collections::HashSet<String>>> = Arc::default();
        tokio::spawn(async move {
            while let Ok((socket, _)) = listener.accept().await {
                let store = store.clone();
                let deferred = deferred.clone();
                tokio::spawn(async move {
                    let (read, mut write) = socket.into_split();
                    let mut lines = BufReader::new(read).lines();
                    let _ = write.write_all(b"220 test.local ESMTP ready\r\n").await;
                    let (mut from, mut to) = (String::new(), Vec::new());
                    while let Ok(Some(line)) = lines.next_line().await {
                        let upper = line.to_ascii_uppercase();
                        let reply: &[u8] = if upper.starts_with("EHLO") || upper.starts_with("HELO")
                        {
                            b"250-test.local\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n"
                        } else if upper.starts_with("MAIL FROM:") {
                            from = line[10..].trim().to_owned();
                            b"250 OK\r\n"
                        } else if upper.starts_with("RCPT TO:")
                            && upper.contains("BUSY")
                            && deferred.lock().unwrap().insert(line.clone())
                        {
                            // Greylisting: the first try is deferred.
                            b"451 4.7.1 Greylisted, try again later\r\n"
                        } else if upper.starts_with("RCPT TO:") && upper.contains("BOUNCE") {
                            // A mailbox that does not exist: a hard bounce.
                            b"550 5.1.1 No such user here\r\n"
                        } else if upper.starts_with("RCPT TO:") {
                            to.push(line[8..].trim().trim_matches(['<', '>']).to_owned());
                            b"250 OK\r\n"
                        } else if upper == "DATA" {
                            let _ = write
                                .write_all(b"354 End data with <CR><LF>.<CR><LF>\r\n")
                                .await;
                            let mut data = String::new();
                            while let Ok(Some(body)) = lines.next_line().await {
                                if body == "." {
                                    break;
                                }
                                data.push_str(body.strip_prefix('.').unwrap_or(&body));
                                data.push_str("\r\n");
                            }
                            store.lock().unwrap().push(Received {
                                from: from.clone(),
                                to: std::mem::take(&mut to),
                                data,
                            });
                            b"250 OK: queued\r\n"
                        } else if upper == "QUIT" {
                            let _ = write.write_all(b"221 Bye\r\n").await;
                            break;
                        } else if upper == "RSET" || upper == "NOOP" {
                            b"250 OK\r\n"
                        } else {
                            b"502 Command not implemented\r\n"
                        };
                        if write.write_all(reply).await.is_err() {
                            break;
                        }
                    }
                });
            }
        });
        SmtpServer { url, inbox }
    }

    pub fn messages(&self) -> Vec<Received> {
        self.inbox.lock().unwrap().clone()
    }
}
