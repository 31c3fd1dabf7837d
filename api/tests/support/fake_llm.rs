//! A local stand-in for an OpenAI-compatible provider: `POST /v1/chat/completions` answering
//! `{"choices": [{"message": {"role": "assistant", "content": ...}}]}`, recording each request
//! (path, authorization header, JSON body). The answer is chosen by the test.

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

#[derive(Debug, Clone)]
pub struct LlmRequest {
    pub path: String,
    pub authorization: Option<String>,
    pub body: Value,
}

#[derive(Clone)]
pub struct FakeLlm {
    pub base_url: String,
    answer: Arc<Mutex<String>>,
    requests: Arc<Mutex<Vec<LlmRequest>>>,
}

impl FakeLlm {
    pub async fn start(answer: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base_url = format!("http://{}/v1", listener.local_addr().unwrap());
        let fake = Self {
            base_url,
            answer: Arc::new(Mutex::new(answer.to_owned())),
            requests: Arc::default(),
        };
        let me = fake.clone();
        tokio::spawn(async move {
            while let Ok((mut socket, _)) = listener.accept().await {
                let me = me.clone();
                tokio::spawn(async move {
                    let mut buf = Vec::new();
                    let mut chunk = [0u8; 8192];
                    let (head_end, length) = loop {
                        let Ok(n) = socket.read(&mut chunk).await else {
                            return;
                        };
                        if n == 0 {
                            return;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                            let head = String::from_utf8_lossy(&buf[..i]).to_lowercase();
                            let length = head
                                .lines()
                                .find_map(|l| l.strip_prefix("content-length:"))
                                .and_then(|v| v.trim().parse::<usize>().ok())
                                .unwrap_or(0);
                            break (i + 4, length);
                        }
                    };
                    while buf.len() < head_end + length {
                        let Ok(n) = socket.read(&mut chunk).await else {
                            return;
                        };
                        if n == 0 {
                            break;
                        }
                        buf.extend_from_slice(&chunk[..n]);
                    }
                    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
                    let path = head
                        .lines()
                        .next()
                        .and_then(|l| l.split_whitespace().nth(1))
                        .unwrap_or("")
                        .to_owned();
                    let authorization = head.lines().find_map(|l| {
                        let (k, v) = l.split_once(':')?;
                        k.eq_ignore_ascii_case("authorization")
                            .then(|| v.trim().to_owned())
                    });
                    let body: Value =
                        serde_json::from_slice(&buf[head_end..]).unwrap_or(Value::Null);
                    me.requests.lock().unwrap().push(LlmRequest {
                        path: path.clone(),
                        authorization,
                        body,
                    });
                    let (status, reply) = if path == "/v1/chat/completions" {
                        let content = me.answer.lock().unwrap().clone();
                        (
                            "200 OK",
                            json!({
                                "id": "chatcmpl-fake", "object": "chat.completion", "model": "fake-model",
                                "choices": [{"index": 0, "finish_reason": "stop",
                                             "message": {"role": "assistant", "content": content}}]
                            }),
                        )
                    } else {
                        (
                            "404 Not Found",
                            json!({"error": {"message": "no such route"}}),
                        )
                    };
                    let bytes = reply.to_string();
                    let response = format!(
                        "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{bytes}",
                        bytes.len()
                    );
                    let _ = socket.write_all(response.as_bytes()).await;
                    let _ = socket.shutdown().await;
                });
            }
        });
        fake
    }

    pub fn answer_with(&self, answer: &str) {
        *self.answer.lock().unwrap() = answer.to_owned();
    }

    pub fn requests(&self) -> Vec<LlmRequest> {
        self.requests.lock().unwrap().clone()
    }

    /// The configuration pointing Chorus at this fake.
    pub fn config(&self) -> chorus_tenants::llm::LlmConfig {
        chorus_tenants::llm::LlmConfig::from_parts(
            Some(self.base_url.clone()),
            Some("sk-test-key".into()),
            Some("fake-model".into()),
        )
        .unwrap()
    }
}
