//! Outgoing email. Messages are rendered here (English and Spanish) and sent by the worker's
//! `send_email` job, so a slow or failing SMTP server never slows a request and is retried.
//! With `CHORUS_SMTP_URL` set, mail goes out over SMTP (lettre); without it, each message is
//! written as an `.eml` file into a folder (`./.chorus/mail/` by default) for development and tests.

use std::path::PathBuf;

use lettre::message::{Mailbox, MultiPart, header::ContentType};
use lettre::{AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// A rendered message, as stored in a `send_email` job.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Email {
    pub to: String,
    pub subject: String,
    pub text: String,
    pub html: String,
}

/// Where mail goes.
#[derive(Clone)]
pub enum Mailer {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    Files {
        transport: AsyncFileTransport<Tokio1Executor>,
        dir: PathBuf,
        from: Mailbox,
    },
}

impl Mailer {
    pub fn smtp(url: &str, from: &str) -> anyhow::Result<Self> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)?.build();
        Ok(Self::Smtp {
            transport,
            from: from.parse()?,
        })
    }

    pub fn files(dir: PathBuf, from: &str) -> anyhow::Result<Self> {
        std::fs::create_dir_all(&dir)?;
        Ok(Self::Files {
            transport: AsyncFileTransport::new(&dir),
            dir,
            from: from.parse()?,
        })
    }

    pub fn describe(&self) -> String {
        match self {
            Self::Smtp { .. } => "smtp".into(),
            Self::Files { dir, .. } => format!("files in {}", dir.display()),
        }
    }

    pub async fn send(&self, email: &Email) -> Result<()> {
        let from = match self {
            Self::Smtp { from, .. } | Self::Files { from, .. } => from.clone(),
        };
        let to: Mailbox = email
            .to
            .parse()
            .map_err(|e| Error::Internal(anyhow::anyhow!("bad recipient {}: {e}", email.to)))?;
        let message = Message::builder()
            .from(from)
            .to(to)
            .subject(email.subject.clone())
            .multipart(MultiPart::alternative_plain_html(
                email.text.clone(),
                email.html.clone(),
            ))
            .map_err(|e| Error::Internal(anyhow::anyhow!("building mail: {e}")))?;
        let _ = ContentType::TEXT_PLAIN;
        match self {
            Self::Smtp { transport, .. } => transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| Error::Internal(anyhow::anyhow!("smtp: {e}"))),
            Self::Files { transport, .. } => transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| Error::Internal(anyhow::anyhow!("writing mail: {e}"))),
        }
    }
}

/// The language of a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Es,
}

impl Lang {
    pub fn parse(s: &str) -> Self {
        if s.starts_with("es") {
            Lang::Es
        } else {
            Lang::En
        }
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn render(
    to: &str,
    subject: String,
    greeting: String,
    body: String,
    action: String,
    link: &str,
    footer: String,
) -> Email {
    let text = format!("{greeting}\n\n{body}\n\n{action}: {link}\n\n{footer}\n");
    let html = format!(
        "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;color:#1f2937\">\
<p>{}</p><p>{}</p><p><a href=\"{}\" style=\"background:#0f766e;color:#fff;padding:10px 16px;border-radius:6px;text-decoration:none\">{}</a></p>\
<p style=\"color:#6b7280;font-size:13px\">{}</p></body></html>",
        escape(&greeting),
        escape(&body),
        escape(link),
        escape(&action),
        escape(&footer)
    );
    Email {
        to: to.to_owned(),
        subject,
        text,
        html,
    }
}

/// "Confirm your email" after signup.
pub fn verify_email(lang: Lang, to: &str, name: &str, link: &str) -> Email {
    match lang {
        Lang::En => render(
            to,
            "Confirm your email for Chorus".into(),
            format!("Hi {name},"),
            "Welcome to Chorus. Please confirm your email address to start using your team inbox. The link is valid for 48 hours.".into(),
            "Confirm email".into(),
            link,
            "If you did not sign up, you can ignore this message.".into(),
        ),
        Lang::Es => render(
            to,
            "Confirma tu correo en Chorus".into(),
            format!("Hola {name}:"),
            "Te damos la bienvenida a Chorus. Confirma tu dirección de correo para empezar a usar la bandeja de tu equipo. El enlace vale 48 horas.".into(),
            "Confirmar correo".into(),
            link,
            "Si no te registraste, ignora este mensaje.".into(),
        ),
    }
}

/// "Reset your password".
pub fn reset_password(lang: Lang, to: &str, name: &str, link: &str) -> Email {
    match lang {
        Lang::En => render(
            to,
            "Reset your Chorus password".into(),
            format!("Hi {name},"),
            "Someone asked to reset the password of your Chorus account. The link is valid for one hour and can be used once.".into(),
            "Choose a new password".into(),
            link,
            "If it was not you, ignore this message: your password stays as it is.".into(),
        ),
        Lang::Es => render(
            to,
            "Restablece tu contraseña de Chorus".into(),
            format!("Hola {name}:"),
            "Alguien pidió restablecer la contraseña de tu cuenta de Chorus. El enlace vale una hora y se puede usar una vez.".into(),
            "Elegir una contraseña nueva".into(),
            link,
            "Si no fuiste tú, ignora este mensaje: tu contraseña no cambia.".into(),
        ),
    }
}

/// "A WhatsApp number stopped working": Meta refused its token (error 190 and friends).
pub fn number_needs_reconnect(
    lang: Lang,
    to: &str,
    name: &str,
    number: &str,
    business: &str,
    link: &str,
) -> Email {
    match lang {
        Lang::En => render(
            to,
            format!("Reconnect {number} in Chorus ({business})"),
            format!("Hi {name},"),
            format!(
                "WhatsApp no longer accepts the access token of {number}, so {business} cannot send or receive files on it until it is reconnected. Messages that failed show why in the inbox."
            ),
            "Reconnect the number".into(),
            link,
            "You receive this because you may manage WhatsApp numbers in this business.".into(),
        ),
        Lang::Es => render(
            to,
            format!("Vuelve a conectar {number} en Chorus ({business})"),
            format!("Hola {name}:"),
            format!(
                "WhatsApp ya no acepta el token de acceso de {number}, así que {business} no puede enviar ni recibir archivos con él hasta que lo vuelvas a conectar. Los mensajes que fallaron muestran el motivo en la bandeja."
            ),
            "Volver a conectar el número".into(),
            link,
            "Recibes este correo porque puedes gestionar números de WhatsApp en esta empresa."
                .into(),
        ),
    }
}

/// A number's quality dropped or its sends are failing (`what` says which, in `lang`).
pub fn quality_alert(
    lang: Lang,
    to: &str,
    name: &str,
    business: &str,
    number: &str,
    what: &str,
    link: &str,
) -> Email {
    match lang {
        Lang::En => render(
            to,
            format!("WhatsApp quality alert for {number} ({business})"),
            format!("Hi {name},"),
            format!("Meta reports a problem with {number}. {what}"),
            "See the number".into(),
            link,
            "You receive this because you may manage WhatsApp numbers in this business.".into(),
        ),
        Lang::Es => render(
            to,
            format!("Alerta de calidad de WhatsApp para {number} ({business})"),
            format!("Hola {name}:"),
            format!("Hay un problema con {number}. {what}"),
            "Ver el número".into(),
            link,
            "Recibes este correo porque puedes gestionar números de WhatsApp en esta empresa."
                .into(),
        ),
    }
}

/// "You are invited to join a business".
pub fn invitation(
    lang: Lang,
    to: &str,
    inviter: &str,
    business: &str,
    role: &str,
    link: &str,
) -> Email {
    match lang {
        Lang::En => render(
            to,
            format!("{inviter} invited you to {business} on Chorus"),
            "Hello,".into(),
            format!(
                "{inviter} invited you to answer {business}'s WhatsApp conversations on Chorus as {role}. The invitation is valid for 7 days."
            ),
            "Accept the invitation".into(),
            link,
            "If you were not expecting this, you can ignore it.".into(),
        ),
        Lang::Es => render(
            to,
            format!("{inviter} te invitó a {business} en Chorus"),
            "Hola:".into(),
            format!(
                "{inviter} te invitó a atender las conversaciones de WhatsApp de {business} en Chorus con el rol {role}. La invitación vale 7 días."
            ),
            "Aceptar la invitación".into(),
            link,
            "Si no lo esperabas, ignora este mensaje.".into(),
        ),
    }
}

/// "You were mentioned in a note" while away from Chorus.
pub fn mentioned(
    lang: Lang,
    to: &str,
    name: &str,
    author: &str,
    business: &str,
    excerpt: &str,
    link: &str,
) -> Email {
    match lang {
        Lang::En => render(
            to,
            format!("{author} mentioned you in {business}"),
            format!("Hi {name},"),
            format!("{author} mentioned you in an internal note: “{excerpt}”"),
            "Open the conversation".into(),
            link,
            "You receive this because you were offline when you were mentioned.".into(),
        ),
        Lang::Es => render(
            to,
            format!("{author} te mencionó en {business}"),
            format!("Hola {name}:"),
            format!("{author} te mencionó en una nota interna: “{excerpt}”"),
            "Abrir la conversación".into(),
            link,
            "Recibes este correo porque no estabas conectado cuando te mencionaron.".into(),
        ),
    }
}

/// "An SLA was breached" for supervisors.
#[allow(clippy::too_many_arguments)]
pub fn sla_breached(
    lang: Lang,
    to: &str,
    name: &str,
    business: &str,
    policy: &str,
    target: &str,
    customer: &str,
    link: &str,
) -> Email {
    match lang {
        Lang::En => render(
            to,
            format!("SLA breached in {business}: {customer}"),
            format!("Hi {name},"),
            format!(
                "The conversation with {customer} missed the {target} of the SLA policy “{policy}”. It is marked as breached in the inbox."
            ),
            "Open the conversation".into(),
            link,
            "You receive this because you supervise this business's conversations.".into(),
        ),
        Lang::Es => render(
            to,
            format!("SLA incumplido en {business}: {customer}"),
            format!("Hola {name}:"),
            format!(
                "La conversación con {customer} superó el {target} de la política de SLA “{policy}”. Aparece como incumplida en la bandeja."
            ),
            "Abrir la conversación".into(),
            link,
            "Recibes este correo porque supervisas las conversaciones de esta empresa.".into(),
        ),
    }
}
