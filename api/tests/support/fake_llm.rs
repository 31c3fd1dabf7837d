//! A local stand-in for an OpenAI-compatible provider: `POST /v1/chat/completions` answering
//! `{"choices": [{"message": {"role": "assistant", "content": ...}}]}`, recording each request
//! (path, authorization header, JSON body). The answer is chosen by the test.

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

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
        let answer = Arc::new(Mutex::new(answer.to_owned()));
        let requests: Arc<Mutex<Vec<LlmRequest>>> = Arc::default();
        let (seen, content) = (requests.clone(), answer.clone());
        let addr = super::tiny_http::serve(move |req| {
            seen.lock().unwrap().push(LlmRequest {
                path: req.path.clone(),
                authorization: req.header("authorization").map(str::to_owned),
                body: serde_json::from_slice(&req.body).unwrap_or(Value::Null),
            });
            if req.path == "/v1/chat/completions" {
                let content = content.lock().unwrap().clone();
                let reply = json!({
                    "id": "chatcmpl-fake", "object": "chat.completion", "model": "fake-model",
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": content}}]
                });
                ("200 OK", reply.to_string())
            } else {
                let reply = json!({"error": {"message": "no such route"}});
                ("404 Not Found", reply.to_string())
            }
        })
        .await;
        Self {
            base_url: format!("http://{addr}/v1"),
            answer,
            requests,
        }
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
