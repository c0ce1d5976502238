//! A scripted AWS endpoint for fault injection at the HTTP layer: each request's `Action` (query
//! protocol form body) takes the next reply scripted for that action; the last one repeats.

use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

#[derive(Clone)]
pub struct Reply {
    pub action: &'static str,
    pub status: u16,
    pub body: String,
}

/// An EC2-style error (`<Response><Errors><Error>…`).
pub fn ec2_error(action: &'static str, status: u16, code: &str) -> Reply {
    Reply {
        action,
        status,
        body: format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Errors><Error><Code>{code}</Code>\
             <Message>{code} from the fault server</Message></Error></Errors>\
             <RequestID>req-1</RequestID></Response>"
        ),
    }
}

/// A query-protocol error (RDS, ELB, STS: `<ErrorResponse><Error>…`).
pub fn query_error(action: &'static str, status: u16, code: &str) -> Reply {
    Reply {
        action,
        status,
        body: format!(
            "<ErrorResponse><Error><Type>Sender</Type><Code>{code}</Code>\
             <Message>{code} from the fault server</Message></Error>\
             <RequestId>req-1</RequestId></ErrorResponse>"
        ),
    }
}

/// A `DescribeInstances` page with one running instance and an optional next token.
pub fn instances_page(instance_id: &str, next: Option<&str>) -> Reply {
    let token = next
        .map(|t| format!("<nextToken>{t}</nextToken>"))
        .unwrap_or_default();
    Reply {
        action: "DescribeInstances",
        status: 200,
        body: format!(
            "<DescribeInstancesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\
             <requestId>req-1</requestId><reservationSet><item><reservationId>r-1</reservationId>\
             <instancesSet><item><instanceId>{instance_id}</instanceId>\
             <instanceState><code>16</code><name>running</name></instanceState>\
             <privateIpAddress>10.0.0.1</privateIpAddress></item></instancesSet></item>\
             </reservationSet>{token}</DescribeInstancesResponse>"
        ),
    }
}

/// The S3 operation of a request target (path-style, as on custom endpoints).
fn s3_action(target: &str) -> &'static str {
    let query = target.split_once('?').map_or("", |(_, q)| q);
    if query
        .split('&')
        .any(|kv| kv == "tagging" || kv.starts_with("tagging="))
    {
        "GetBucketTagging"
    } else if query.contains("x-id=ListBuckets") || target == "/" || target.starts_with("/?") {
        "ListBuckets"
    } else {
        ""
    }
}

/// An S3 answer (`<Error>…` for errors, any document otherwise).
pub fn s3_reply(action: &'static str, status: u16, body: &str) -> Reply {
    Reply {
        action,
        status,
        body: body.to_owned(),
    }
}

pub struct Fault {
    pub url: String,
    /// The `Action` of every request received, in order.
    pub actions: Arc<Mutex<Vec<String>>>,
}

impl Fault {
    pub async fn start(script: Vec<Reply>) -> Fault {
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let actions = Arc::new(Mutex::new(Vec::new()));
        let script = Arc::new(Mutex::new(script));
        let seen = actions.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (seen, script) = (seen.clone(), script.clone());
                tokio::spawn(async move {
                    let _ = serve(stream, seen, script).await;
                });
            }
        });
        Fault { url, actions }
    }

    pub fn actions(&self) -> Vec<String> {
        self.actions.lock().unwrap().clone()
    }
}

async fn serve(
    mut stream: TcpStream,
    seen: Arc<Mutex<Vec<String>>>,
    script: Arc<Mutex<Vec<Reply>>>,
) -> std::io::Result<()> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let (head_end, length) = loop {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            return Ok(());
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..at]).to_ascii_lowercase();
            let length = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok())
                .unwrap_or(0);
            break (at + 4, length);
        }
    };
    while buf.len() < head_end + length {
        let n = stream.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
    let body = String::from_utf8_lossy(&buf[head_end..]).to_string();
    // Query-protocol services name the action in the form body; S3 (REST) in the request line.
    let target = String::from_utf8_lossy(&buf[..head_end])
        .split_whitespace()
        .nth(1)
        .unwrap_or("")
        .to_owned();
    let action = body
        .split('&')
        .find_map(|kv| kv.strip_prefix("Action="))
        .map(str::to_owned)
        .unwrap_or_else(|| s3_action(&target).to_owned());
    seen.lock().unwrap().push(action.clone());
    let reply = {
        let mut script = script.lock().unwrap();
        let matching: Vec<usize> = (0..script.len())
            .filter(|i| script[*i].action == action)
            .collect();
        match matching.as_slice() {
            [] => None,
            [only] => Some(script[*only].clone()),
            [first, ..] => Some(script.remove(*first)),
        }
    };
    let reply = reply.unwrap_or_else(|| ec2_error("", 400, "NoScriptedReply"));
    let response = format!(
        "HTTP/1.1 {} Fault\r\ncontent-type: text/xml\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{}",
        reply.status,
        reply.body.len(),
        reply.body
    );
    stream.write_all(response.as_bytes()).await?;
    stream.shutdown().await
}
