//! Meta's error codes (sheet §8): what to do about them, and what to tell an agent.
//!
//! The same numeric codes arrive two ways: synchronously in a Graph API error body
//! (`{"error": {"code": 131047, ...}}`, §5.4) and asynchronously in webhooks (a `failed`
//! status's `errors[]`, a message's `errors[]`, or a value-level `errors[]`, §3.3/§3.5).
//! Both are decided here, from the **code** (Meta: "build logic around `code` and `details`, not
//! titles"), so a send that fails at once and one that fails later end the same way.
//!
//! [`ErrorClass`] drives the worker: retry (and when), switch to a template, reconnect the
//! number, or give up. [`explain`] gives the sentence an agent sees next to a failed message,
//! in English or Spanish; unknown codes fall back to Meta's own title, so nothing is ever shown
//! as a bare number.

use std::time::Duration;

use serde::{Deserialize, Serialize};

/// One error as Meta reports it in webhooks (`{code, title, message, error_data: {details},
/// href}`); also built from a Graph API error body. Only `code` is always present.
/// (De)serialises in Meta's webhook shape, with `details` inside `error_data`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "WireError", into = "WireError")]
pub struct MetaError {
    pub code: i64,
    pub title: Option<String>,
    pub message: Option<String>,
    /// `error_data.details`: the most specific text Meta gives.
    pub details: Option<String>,
    /// A link to Meta's docs; sometimes relative, so only for display.
    pub href: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct WireError {
    code: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error_data: Option<ErrorData>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    href: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct ErrorData {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    details: Option<String>,
}

impl From<WireError> for MetaError {
    fn from(w: WireError) -> Self {
        Self {
            code: w.code,
            title: w.title,
            message: w.message,
            details: w.error_data.and_then(|d| d.details),
            href: w.href,
        }
    }
}

impl From<MetaError> for WireError {
    fn from(e: MetaError) -> Self {
        Self {
            code: e.code,
            title: e.title,
            message: e.message,
            error_data: e.details.map(|details| ErrorData {
                details: Some(details),
            }),
            href: e.href,
        }
    }
}

impl MetaError {
    pub fn class(&self) -> ErrorClass {
        classify(self.code)
    }

    /// A plain sentence for agents; see [`explain`].
    pub fn explain(&self, lang: Lang) -> String {
        explain(
            self.code,
            self.title.as_deref().or(self.message.as_deref()),
            lang,
        )
    }
}

/// What a sender should do after an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "class", rename_all = "snake_case")]
pub enum ErrorClass {
    /// Transient: try the same call again. `after` is the least wait Meta's guidance implies
    /// (e.g. 6 s for the pair rate limit); `None` means "use your own backoff". Senders should
    /// still back off exponentially (Meta suggests 4^n seconds for 131056) and cap attempts.
    Retryable { after: Option<Duration> },
    /// 131047: the 24-hour customer service window is closed; only a template can be sent.
    WindowClosed,
    /// The number's access token is expired, revoked or lacks a permission: every call with it
    /// will fail until the business reconnects the number. Do not retry blindly.
    TokenInvalid,
    /// This message will never go through as it is (bad request, undeliverable recipient,
    /// template problem, policy block). Mark it failed with the explanation.
    Permanent,
}

impl ErrorClass {
    pub fn is_retryable(&self) -> bool {
        matches!(self, ErrorClass::Retryable { .. })
    }
}

/// Classify a Meta error code (from a Graph error body or a webhook).
///
/// Decisions beyond the sheet's table:
/// - Graph's generic transient codes 1, 2, 17, 32, 341 and 613 are retryable like 4 and 80007.
/// - 3, 10, 200–299 and 131005 (capability or permission missing) count as [`ErrorClass::TokenInvalid`]:
///   the fix is the same as for an expired token (reconnect the number with the right scopes).
/// - 131048 (spam rate limit) and 131049 (per-user marketing limit) are [`ErrorClass::Permanent`]
///   for the message: retrying within minutes cannot succeed, and a re-send a day later is a
///   new decision for a person, not for the queue. [`pauses_number`] flags 131048.
pub fn classify(code: i64) -> ErrorClass {
    let after = |secs: u64| ErrorClass::Retryable {
        after: Some(Duration::from_secs(secs)),
    };
    match code {
        // Throughput (per-number mps) reached: slow down a little.
        130429 => after(1),
        // Pair rate limit: 1 message per 6 s to the same user.
        131056 => after(6),
        // Unknown error, service unavailable: "retry a few times".
        131000 => ErrorClass::Retryable { after: None },
        131016 => after(30),
        // Maintenance (e.g. throughput upgrade): "retry after about 1 min".
        131057 => after(60),
        // Registration server unavailable.
        133004 => after(60),
        // Graph API and app-level rate limits, WABA-level management limit.
        4 | 17 | 32 | 613 | 80007 => after(60),
        // Graph's generic temporary errors.
        1 | 2 | 341 => ErrorClass::Retryable { after: None },
        // 470 is the pre-Cloud-API code for the same rule.
        131047 | 470 => ErrorClass::WindowClosed,
        0 | 3 | 10 | 190 | 200..=299 | 131005 => ErrorClass::TokenInvalid,
        _ => ErrorClass::Permanent,
    }
}

/// Classify a Graph API failure from its HTTP status and, when Meta sent one, its error body.
/// Meta's code wins; without one, 5xx, 408 and 429 are transient and the rest permanent.
/// Graph's own `is_transient: true` also makes an otherwise permanent code retryable.
pub fn classify_http(status: u16, code: Option<i64>, is_transient: bool) -> ErrorClass {
    match code {
        Some(code) => match classify(code) {
            ErrorClass::Permanent if is_transient || status >= 500 => {
                ErrorClass::Retryable { after: None }
            }
            class => class,
        },
        None if status >= 500 || status == 408 || status == 429 => {
            ErrorClass::Retryable { after: None }
        }
        None if status == 401 => ErrorClass::TokenInvalid,
        None => ErrorClass::Permanent,
    }
}

/// Codes that mean the whole number (or account) cannot send right now, so the worker should
/// stop the number's queue and alert an admin instead of failing messages one by one.
pub fn pauses_number(code: i64) -> bool {
    matches!(
        code,
        368 | 131031 | 131042 | 131045 | 131048 | 133010 | 131063 | 131064
    ) || classify(code) == ErrorClass::TokenInvalid
}

/// The languages agent-facing explanations exist in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Es,
}

impl Lang {
    /// From a BCP 47 tag or a template language code (`es`, `es-MX`, `es_AR`); English otherwise.
    pub fn from_tag(tag: &str) -> Self {
        let primary = tag.split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("es") {
            Lang::Es
        } else {
            Lang::En
        }
    }
}

/// A plain explanation of `code` for an agent, in `lang`. `title` is Meta's title (or message)
/// and is used for codes without a written explanation.
pub fn explain(code: i64, title: Option<&str>, lang: Lang) -> String {
    if let Some((en, es)) = known(code) {
        return match lang {
            Lang::En => en,
            Lang::Es => es,
        }
        .to_owned();
    }
    let title = title.map(str::trim).filter(|t| !t.is_empty());
    match (lang, title) {
        (Lang::En, Some(t)) => format!("WhatsApp did not accept the message: {t} (error {code})."),
        (Lang::En, None) => format!("WhatsApp did not accept the message (error {code})."),
        (Lang::Es, Some(t)) => format!("WhatsApp no aceptó el mensaje: {t} (error {code})."),
        (Lang::Es, None) => format!("WhatsApp no aceptó el mensaje (error {code})."),
    }
}

/// (English, Spanish) for the codes an agent is likely to meet.
fn known(code: i64) -> Option<(&'static str, &'static str)> {
    Some(match code {
        0 | 190 => (
            "This number's connection to WhatsApp has expired. An admin must reconnect the number.",
            "La conexión de este número con WhatsApp ha caducado. Un administrador debe volver a conectar el número.",
        ),
        3 | 10 | 200..=299 | 131005 => (
            "Chorus is missing a WhatsApp permission for this number. An admin must reconnect the number and grant all permissions.",
            "A Chorus le falta un permiso de WhatsApp para este número. Un administrador debe volver a conectar el número y conceder todos los permisos.",
        ),
        4 | 17 | 32 | 613 | 80007 => (
            "WhatsApp is limiting how fast this account can make requests. The message will be retried shortly.",
            "WhatsApp está limitando la velocidad de peticiones de esta cuenta. El mensaje se reintentará en breve.",
        ),
        100 | 131008 | 131009 | 135000 => (
            "WhatsApp rejected the message as invalid (a missing or wrong value). Check its content; resending it unchanged will fail again.",
            "WhatsApp rechazó el mensaje por no ser válido (falta un dato o es incorrecto). Revisa su contenido; reenviarlo sin cambios volverá a fallar.",
        ),
        368 => (
            "WhatsApp has temporarily blocked this business account for a policy violation. Messages cannot be sent until the block ends.",
            "WhatsApp ha bloqueado temporalmente esta cuenta de empresa por incumplir sus políticas. No se pueden enviar mensajes hasta que termine el bloqueo.",
        ),
        130403 => (
            "This customer is blocked by the business, so WhatsApp did not deliver the message.",
            "Este cliente está bloqueado por la empresa, así que WhatsApp no entregó el mensaje.",
        ),
        130429 => (
            "This number is sending faster than WhatsApp allows. The message will be retried shortly.",
            "Este número está enviando más rápido de lo que WhatsApp permite. El mensaje se reintentará en breve.",
        ),
        130472 => (
            "WhatsApp did not deliver this message because the customer is part of a WhatsApp experiment.",
            "WhatsApp no entregó este mensaje porque el cliente forma parte de un experimento de WhatsApp.",
        ),
        130497 => (
            "This business account may not message customers in this country.",
            "Esta cuenta de empresa no puede enviar mensajes a clientes de este país.",
        ),
        131000 | 131016 => (
            "WhatsApp had a temporary problem sending this message. It will be retried.",
            "WhatsApp tuvo un problema temporal al enviar este mensaje. Se reintentará.",
        ),
        131021 => (
            "The recipient is this business's own number.",
            "El destinatario es el propio número de la empresa.",
        ),
        131026 => (
            "The message could not be delivered: the customer may not use WhatsApp, may not have accepted its latest terms, or may have a very old app version.",
            "No se pudo entregar el mensaje: puede que el cliente no use WhatsApp, no haya aceptado sus últimas condiciones o tenga una versión muy antigua de la aplicación.",
        ),
        131031 => (
            "This business account is locked by WhatsApp (policy, or a wrong two-step verification PIN). An admin must resolve it in WhatsApp Manager.",
            "WhatsApp ha bloqueado esta cuenta de empresa (por políticas o por un PIN de verificación en dos pasos incorrecto). Un administrador debe resolverlo en WhatsApp Manager.",
        ),
        131042 => (
            "There is a payment problem with this WhatsApp business account. An admin must check its payment method.",
            "Hay un problema de pago con esta cuenta de WhatsApp Business. Un administrador debe revisar su método de pago.",
        ),
        131045 | 133010 => (
            "This number is not registered with the WhatsApp Cloud API. An admin must register (reconnect) it.",
            "Este número no está registrado en la API de WhatsApp Cloud. Un administrador debe registrarlo (volver a conectarlo).",
        ),
        131047 => (
            "More than 24 hours have passed since the customer last wrote. Only an approved template can be sent until they reply.",
            "Han pasado más de 24 horas desde el último mensaje del cliente. Solo se puede enviar una plantilla aprobada hasta que responda.",
        ),
        131048 => (
            "WhatsApp is limiting this number because earlier messages were blocked or reported as spam. Sending is paused; check the number's quality.",
            "WhatsApp está limitando este número porque mensajes anteriores fueron bloqueados o marcados como spam. El envío está en pausa; revisa la calidad del número.",
        ),
        131049 => (
            "WhatsApp did not deliver this marketing message to keep engagement healthy. Wait at least 24 hours before trying this customer again.",
            "WhatsApp no entregó este mensaje de marketing para mantener una interacción saludable. Espera al menos 24 horas antes de volver a intentarlo con este cliente.",
        ),
        131050 => (
            "The customer has stopped marketing messages from this business.",
            "El cliente ha desactivado los mensajes de marketing de esta empresa.",
        ),
        131051 => (
            "WhatsApp does not support this type of message.",
            "WhatsApp no admite este tipo de mensaje.",
        ),
        131052 => (
            "The customer's file could not be downloaded (it may be larger than 100 MB). Ask them to send it again.",
            "No se pudo descargar el archivo del cliente (puede superar los 100 MB). Pídele que lo vuelva a enviar.",
        ),
        131053 => (
            "WhatsApp could not use the attached file (unsupported format, too large, or the link could not be downloaded).",
            "WhatsApp no pudo usar el archivo adjunto (formato no admitido, demasiado grande o no se pudo descargar el enlace).",
        ),
        131056 => (
            "Too many messages were sent to this customer in a short time. The message will be retried in a few seconds.",
            "Se enviaron demasiados mensajes a este cliente en poco tiempo. El mensaje se reintentará en unos segundos.",
        ),
        131057 => (
            "This WhatsApp account is in maintenance. The message will be retried in about a minute.",
            "Esta cuenta de WhatsApp está en mantenimiento. El mensaje se reintentará en aproximadamente un minuto.",
        ),
        131063 => (
            "Marketing templates are disabled for this business account.",
            "Las plantillas de marketing están desactivadas para esta cuenta de empresa.",
        ),
        131064 => (
            "This account's messaging limit is reduced because of template category violations. Wait for the enforcement period to end.",
            "El límite de mensajes de esta cuenta está reducido por infracciones de categoría de plantillas. Espera a que termine el periodo de sanción.",
        ),
        132000 => (
            "The number of values filled in does not match the template's variables.",
            "El número de valores rellenados no coincide con las variables de la plantilla.",
        ),
        132001 => (
            "This template does not exist in the chosen language, or it is not approved yet.",
            "Esta plantilla no existe en el idioma elegido o todavía no está aprobada.",
        ),
        132005 => (
            "The template text is too long once its values are filled in.",
            "El texto de la plantilla es demasiado largo una vez rellenados sus valores.",
        ),
        132007 => (
            "The template's content breaks WhatsApp's policies.",
            "El contenido de la plantilla incumple las políticas de WhatsApp.",
        ),
        132012 => (
            "A template value has the wrong format (for example text where an image is expected).",
            "Un valor de la plantilla tiene un formato incorrecto (por ejemplo, texto donde se espera una imagen).",
        ),
        132015 => (
            "This template is paused by WhatsApp for low quality. It cannot be used until it is reinstated.",
            "WhatsApp ha pausado esta plantilla por baja calidad. No se puede usar hasta que se reactive.",
        ),
        132016 => (
            "This template has been permanently disabled by WhatsApp. Create a new one.",
            "WhatsApp ha desactivado esta plantilla de forma permanente. Crea una nueva.",
        ),
        133005 => (
            "The two-step verification PIN is incorrect.",
            "El PIN de verificación en dos pasos es incorrecto.",
        ),
        133006 => (
            "The phone number must be verified before it can be registered.",
            "El número de teléfono debe verificarse antes de poder registrarlo.",
        ),
        133016 => (
            "Too many registration attempts for this number. Wait before trying again.",
            "Demasiados intentos de registro para este número. Espera antes de volver a intentarlo.",
        ),
        470 => (
            "More than 24 hours have passed since the customer last wrote. Only an approved template can be sent until they reply.",
            "Han pasado más de 24 horas desde el último mensaje del cliente. Solo se puede enviar una plantilla aprobada hasta que responda.",
        ),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classification_of_the_codes_the_design_names() {
        assert_eq!(classify(131047), ErrorClass::WindowClosed);
        assert_eq!(classify(190), ErrorClass::TokenInvalid);
        assert_eq!(classify(131026), ErrorClass::Permanent);
        assert_eq!(classify(132000), ErrorClass::Permanent);
        assert_eq!(classify(132001), ErrorClass::Permanent);
        assert_eq!(classify(100), ErrorClass::Permanent);
        assert_eq!(classify(368), ErrorClass::Permanent);
        assert_eq!(
            classify(131056),
            ErrorClass::Retryable {
                after: Some(Duration::from_secs(6))
            }
        );
        assert!(classify(130429).is_retryable());
        assert!(classify(131000).is_retryable());
        assert!(classify(131057).is_retryable());
        assert!(classify(80007).is_retryable());
    }

    #[test]
    fn http_status_without_a_meta_code() {
        assert!(classify_http(500, None, false).is_retryable());
        assert!(classify_http(503, None, false).is_retryable());
        assert!(classify_http(429, None, false).is_retryable());
        assert_eq!(classify_http(401, None, false), ErrorClass::TokenInvalid);
        assert_eq!(classify_http(404, None, false), ErrorClass::Permanent);
    }

    #[test]
    fn the_meta_code_wins_over_the_http_status() {
        // 190 arrives as 400 or 401; either way it is the token.
        assert_eq!(
            classify_http(400, Some(190), false),
            ErrorClass::TokenInvalid
        );
        assert_eq!(
            classify_http(401, Some(190), false),
            ErrorClass::TokenInvalid
        );
        assert_eq!(
            classify_http(400, Some(131047), false),
            ErrorClass::WindowClosed
        );
        // A 5xx with an otherwise permanent code, or Graph's is_transient, is retried.
        assert!(classify_http(500, Some(134102), false).is_retryable());
        assert!(classify_http(400, Some(99999), true).is_retryable());
        assert_eq!(
            classify_http(400, Some(99999), false),
            ErrorClass::Permanent
        );
    }

    #[test]
    fn number_level_problems() {
        for code in [368, 131031, 131042, 131048, 133010, 190, 10] {
            assert!(pauses_number(code), "{code}");
        }
        for code in [131047, 131026, 132000, 130429] {
            assert!(!pauses_number(code), "{code}");
        }
    }

    #[test]
    fn every_listed_code_has_both_languages() {
        for code in [
            131047, 131026, 131051, 131052, 131053, 132000, 132001, 132005, 132007, 132012, 133010,
            130429, 131056, 190, 100, 131009, 131008, 470, 368, 131048, 131049, 131050, 132015,
            132016, 131000, 131042, 131031, 130403, 80007, 0, 10,
        ] {
            let (en, es) = known(code).unwrap_or_else(|| panic!("{code} has no explanation"));
            assert_eq!(explain(code, Some("ignored"), Lang::En), en);
            assert_eq!(explain(code, Some("ignored"), Lang::Es), es);
            assert_ne!(en, es);
        }
    }

    #[test]
    fn unknown_codes_fall_back_to_metas_title() {
        assert_eq!(
            explain(137000, Some("Identity key hash mismatch"), Lang::En),
            "WhatsApp did not accept the message: Identity key hash mismatch (error 137000)."
        );
        assert_eq!(
            explain(137000, Some(" "), Lang::Es),
            "WhatsApp no aceptó el mensaje (error 137000)."
        );
        let e = MetaError {
            code: 999,
            title: None,
            message: Some("Something odd".into()),
            details: None,
            href: None,
        };
        assert!(e.explain(Lang::En).contains("Something odd"));
        assert_eq!(e.class(), ErrorClass::Permanent);
    }

    #[test]
    fn language_tags() {
        assert_eq!(Lang::from_tag("es"), Lang::Es);
        assert_eq!(Lang::from_tag("es-MX"), Lang::Es);
        assert_eq!(Lang::from_tag("ES_ar"), Lang::Es);
        assert_eq!(Lang::from_tag("en_US"), Lang::En);
        assert_eq!(Lang::from_tag("pt_BR"), Lang::En);
        assert_eq!(Lang::from_tag(""), Lang::En);
    }

    #[test]
    fn a_webhook_error_deserialises() {
        let e: MetaError = serde_json::from_value(serde_json::json!({
            "code": 131047, "title": "Re-engagement message", "message": "Re-engagement message",
            "error_data": {"details": "more than 24 hours"}, "href": "https://x.test/"
        }))
        .unwrap();
        assert_eq!(e.code, 131047);
        assert_eq!(e.details.as_deref(), Some("more than 24 hours"));
        assert_eq!(e.class(), ErrorClass::WindowClosed);
        // It serialises back in the same shape.
        let again: MetaError = serde_json::from_value(serde_json::to_value(&e).unwrap()).unwrap();
        assert_eq!(again, e);
    }
}
