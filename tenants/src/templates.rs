//! Message templates: the only messages WhatsApp lets a business send outside the 24-hour
//! window. They belong to a WABA and are kept here as Meta last described them: synced when a
//! number is connected, every few hours, and whenever Meta sends
//! `message_template_status_update`. A send names a template and gives one value per variable;
//! the values are checked against the template here (count, names, kinds) so a mismatch is a
//! 422 for the agent, not error 132000 from Meta a second later.
//!
//! The sandbox number's WABA gets a few ready-made approved templates, and templates written
//! for it are approved at once, so the picker and the authoring form work offline.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::db::TenantTx;
use crate::error::{Error, Result};
use crate::jobs::{self, NewJob};
use crate::people::Actor;
use crate::permissions::Permission;
use crate::schema::templates as t;
use crate::whatsapp::graph::{
    ButtonSubType, MediaSource, ParameterValue, Template as MetaTemplate, TemplateComponent,
    TemplateMessage, TemplateParameter, placeholders,
};

/// The job that re-reads a number's templates from Meta (`{"number_id": ...}`).
pub const SYNC_TEMPLATES: &str = "sync_templates";
/// How often templates are re-read even without a webhook.
pub const SYNC_EVERY: chrono::Duration = chrono::Duration::hours(6);

/// A template as the API shows it.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Template {
    pub id: Uuid,
    pub waba_id: String,
    pub meta_id: Option<String>,
    pub name: String,
    pub language: String,
    /// APPROVED, PENDING, REJECTED, PAUSED, DISABLED, ... as Meta says.
    pub status: String,
    /// MARKETING, UTILITY or AUTHENTICATION.
    pub category: Option<String>,
    /// positional (`{{1}}`) or named (`{{first_name}}`).
    pub parameter_format: String,
    /// Meta's component objects: HEADER, BODY, FOOTER, BUTTONS.
    #[schema(value_type = Vec<Object>)]
    pub components: Vec<Value>,
    /// What a send must fill in.
    pub variables: Variables,
    pub rejected_reason: Option<String>,
    pub quality: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// The values a send must give, by place.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Variables {
    /// TEXT, IMAGE, VIDEO, DOCUMENT or LOCATION; null without a header.
    pub header_format: Option<String>,
    /// Variables of a TEXT header.
    pub header: Vec<String>,
    pub body: Vec<String>,
    /// Buttons that take a value (a URL button's suffix, a copy-code button's code).
    pub buttons: Vec<ButtonVariables>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ButtonVariables {
    /// The button's place among the template's buttons (0-based).
    pub index: u32,
    /// URL, COPY_CODE, ...
    #[serde(rename = "type")]
    pub kind: String,
    pub variables: Vec<String>,
}

fn component<'a>(components: &'a [Value], kind: &str) -> Option<&'a Value> {
    components.iter().find(|c| {
        c.get("type")
            .and_then(Value::as_str)
            .is_some_and(|t| t.eq_ignore_ascii_case(kind))
    })
}

fn text_of<'a>(v: Option<&'a Value>, key: &str) -> Option<&'a str> {
    v.and_then(|c| c.get(key)).and_then(Value::as_str)
}

/// What a template's components ask a send to fill in.
pub fn variables(components: &[Value]) -> Variables {
    let header = component(components, "HEADER");
    let header_format = text_of(header, "format").map(str::to_ascii_uppercase);
    let header_vars = match header_format.as_deref() {
        Some("TEXT") | None => placeholders(text_of(header, "text").unwrap_or_default()),
        _ => Vec::new(),
    };
    let body = placeholders(text_of(component(components, "BODY"), "text").unwrap_or_default());
    let mut buttons = Vec::new();
    if let Some(list) = component(components, "BUTTONS")
        .and_then(|b| b.get("buttons"))
        .and_then(Value::as_array)
    {
        for (index, button) in list.iter().enumerate() {
            let kind = text_of(Some(button), "type")
                .unwrap_or_default()
                .to_ascii_uppercase();
            let vars = match kind.as_str() {
                "URL" => placeholders(text_of(Some(button), "url").unwrap_or_default()),
                "COPY_CODE" => vec!["code".to_owned()],
                _ => Vec::new(),
            };
            if !vars.is_empty() {
                buttons.push(ButtonVariables {
                    index: u32::try_from(index).unwrap_or(u32::MAX),
                    kind,
                    variables: vars,
                });
            }
        }
    }
    Variables {
        header_format: header.map(|_| header_format.unwrap_or_else(|| "TEXT".into())),
        header: header_vars,
        body,
        buttons,
    }
}

type Row = (
    Uuid,
    String,
    Option<String>,
    String,
    String,
    String,
    Option<String>,
    String,
    Value,
    Option<String>,
    Option<String>,
    DateTime<Utc>,
);

macro_rules! columns {
    () => {
        (
            t::id,
            t::waba_id,
            t::meta_id,
            t::name,
            t::language,
            t::status,
            t::category,
            t::parameter_format,
            t::components,
            t::rejected_reason,
            t::quality,
            t::updated_at,
        )
    };
}

fn to_template(r: Row) -> Template {
    let components = match r.8 {
        Value::Array(items) => items,
        _ => Vec::new(),
    };
    Template {
        variables: variables(&components),
        id: r.0,
        waba_id: r.1,
        meta_id: r.2,
        name: r.3,
        language: r.4,
        status: r.5,
        category: r.6,
        parameter_format: r.7,
        components,
        rejected_reason: r.9,
        quality: r.10,
        updated_at: r.11,
    }
}

/// Which templates to list.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
pub struct TemplateFilter {
    /// Only the templates this number can send (those of its WABA).
    pub number_id: Option<Uuid>,
    /// APPROVED, PENDING, REJECTED, ...
    pub status: Option<String>,
}

/// Every template of the business's WABAs, by name and language. Any member may list them (an
/// agent picks one to send).
pub async fn list(tx: &mut TenantTx, filter: &TemplateFilter) -> Result<Vec<Template>> {
    let mut q = t::table
        .select(columns!())
        .order((t::name, t::language))
        .limit(1000)
        .into_boxed();
    if let Some(number) = filter.number_id {
        let waba = crate::numbers::get(tx, number).await?.waba_id;
        q = q.filter(t::waba_id.eq(waba));
    }
    if let Some(status) = filter.status.as_deref() {
        q = q.filter(t::status.eq(status.trim().to_ascii_uppercase()));
    }
    let rows: Vec<Row> = q.load(tx.pg()).await?;
    Ok(rows.into_iter().map(to_template).collect())
}

pub async fn get(tx: &mut TenantTx, id: Uuid) -> Result<Template> {
    let row: Option<Row> = t::table
        .filter(t::id.eq(id))
        .select(columns!())
        .first(tx.pg())
        .await
        .optional()?;
    row.map(to_template).ok_or(Error::NotFound("template"))
}

fn format_of(meta: Option<&str>) -> &'static str {
    match meta {
        Some(f) if f.eq_ignore_ascii_case("named") => "named",
        _ => "positional",
    }
}

/// Replace what is stored for `waba_id` with Meta's list: upsert by (name, language), and
/// remove templates Meta no longer has. Returns how many are stored.
pub async fn store_synced(
    tx: &mut TenantTx,
    waba_id: &str,
    list: &[MetaTemplate],
) -> Result<usize> {
    let tenant = tx.tenant_id();
    let now = Utc::now();
    let mut keep: Vec<String> = Vec::with_capacity(list.len());
    for m in list {
        if m.name.is_empty() || m.language.is_empty() {
            continue;
        }
        keep.push(m.id.clone());
        diesel::insert_into(t::table)
            .values((
                t::tenant_id.eq(tenant),
                t::id.eq(Uuid::now_v7()),
                t::waba_id.eq(waba_id),
                t::meta_id.eq(&m.id),
                t::name.eq(&m.name),
                t::language.eq(&m.language),
                t::status.eq(m.status.to_ascii_uppercase()),
                t::category.eq(&m.category),
                t::parameter_format.eq(format_of(m.parameter_format.as_deref())),
                t::components.eq(Value::Array(m.components.clone())),
            ))
            .on_conflict((t::tenant_id, t::waba_id, t::name, t::language))
            .do_update()
            .set((
                t::meta_id.eq(&m.id),
                t::status.eq(m.status.to_ascii_uppercase()),
                t::category.eq(&m.category),
                t::parameter_format.eq(format_of(m.parameter_format.as_deref())),
                t::components.eq(Value::Array(m.components.clone())),
                t::updated_at.eq(now),
            ))
            .execute(tx.pg())
            .await?;
    }
    diesel::delete(
        t::table
            .filter(t::waba_id.eq(waba_id))
            .filter(t::meta_id.is_not_null())
            .filter(t::meta_id.ne_all(&keep)),
    )
    .execute(tx.pg())
    .await?;
    Ok(keep.len())
}

/// `message_template_status_update`: returns false when the template is not known here yet (the
/// caller then syncs the WABA).
pub async fn apply_status(
    tx: &mut TenantTx,
    waba_id: &str,
    meta_id: Option<&str>,
    name: Option<&str>,
    language: Option<&str>,
    status: &str,
    reason: Option<&str>,
) -> Result<bool> {
    let reason = reason.filter(|r| !r.eq_ignore_ascii_case("NONE"));
    let mut q = diesel::update(t::table)
        .filter(t::waba_id.eq(waba_id))
        .into_boxed();
    q = match (meta_id, name, language) {
        (Some(id), _, _) => q.filter(t::meta_id.eq(id)),
        (None, Some(n), Some(l)) => q.filter(t::name.eq(n)).filter(t::language.eq(l)),
        _ => return Ok(false),
    };
    let n = q
        .set((
            t::status.eq(status.to_ascii_uppercase()),
            t::rejected_reason.eq(reason),
            t::updated_at.eq(Utc::now()),
        ))
        .execute(tx.pg())
        .await?;
    Ok(n > 0)
}

/// `message_template_quality_update`.
pub async fn apply_quality(
    tx: &mut TenantTx,
    waba_id: &str,
    meta_id: &str,
    quality: &str,
) -> Result<()> {
    diesel::update(
        t::table
            .filter(t::waba_id.eq(waba_id))
            .filter(t::meta_id.eq(meta_id)),
    )
    .set((t::quality.eq(quality), t::updated_at.eq(Utc::now())))
    .execute(tx.pg())
    .await?;
    Ok(())
}

/// Queue a re-read of the number's templates, now or `at` a later time.
pub async fn queue_sync(
    tx: &mut TenantTx,
    number_id: Uuid,
    at: Option<DateTime<Utc>>,
) -> Result<()> {
    let mut job = NewJob::new(SYNC_TEMPLATES, &json!({ "number_id": number_id }))?;
    job.run_at = at;
    job.max_attempts = 5;
    // One waiting sync "now" and one periodic sync per number: a scheduled periodic sync must
    // not swallow a sync asked for now.
    let when = if at.is_some() { "later" } else { "now" };
    job.dedupe_key = Some(format!("{SYNC_TEMPLATES}:{number_id}:{when}"));
    jobs::enqueue(tx, job).await?;
    Ok(())
}

/// A template an admin writes in the app.
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTemplate {
    /// The number whose WABA gets the template.
    pub number_id: Uuid,
    /// Lowercase letters, digits and underscores, at most 512 characters.
    pub name: String,
    /// e.g. `en_US`, `es`.
    pub language: String,
    /// MARKETING, UTILITY or AUTHENTICATION.
    pub category: String,
    /// Meta's component objects; one BODY is required.
    #[schema(value_type = Vec<Object>)]
    pub components: Vec<Value>,
}

impl NewTemplate {
    /// Shape checks before anything is sent to Meta. Returns the normalised template and its
    /// parameter format.
    pub fn check(&self) -> Result<(String, String, String, &'static str)> {
        let name = self.name.trim();
        if name.is_empty()
            || name.len() > 512
            || !name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            return Err(Error::invalid(
                "name",
                "Use lowercase letters, digits and underscores, e.g. order_update.",
            ));
        }
        let language = self.language.trim();
        let lang_ok = {
            let mut parts = language.split('_');
            let base = parts.next().unwrap_or_default();
            (2..=3).contains(&base.len())
                && base.chars().all(|c| c.is_ascii_lowercase())
                && parts.all(|p| {
                    (2..=4).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric())
                })
        };
        if !lang_ok {
            return Err(Error::invalid(
                "language",
                "Use a language code such as en, en_US, es or pt_BR.",
            ));
        }
        let category = self.category.trim().to_ascii_uppercase();
        if !matches!(
            category.as_str(),
            "MARKETING" | "UTILITY" | "AUTHENTICATION"
        ) {
            return Err(Error::invalid(
                "category",
                "The category is MARKETING, UTILITY or AUTHENTICATION.",
            ));
        }
        let Some(body) = component(&self.components, "BODY") else {
            return Err(Error::invalid("components", "A template needs a BODY."));
        };
        let body_text = text_of(Some(body), "text").unwrap_or_default();
        if body_text.trim().is_empty() || body_text.chars().count() > 1024 {
            return Err(Error::invalid(
                "components",
                "The body has 1 to 1024 characters.",
            ));
        }
        for c in &self.components {
            let kind = text_of(Some(c), "type")
                .unwrap_or_default()
                .to_ascii_uppercase();
            if !matches!(kind.as_str(), "HEADER" | "BODY" | "FOOTER" | "BUTTONS") {
                return Err(Error::invalid(
                    "components",
                    "Components are HEADER, BODY, FOOTER and BUTTONS.",
                ));
            }
        }
        if let Some(header) = component(&self.components, "HEADER")
            && text_of(Some(header), "format").is_none_or(|f| f.eq_ignore_ascii_case("TEXT"))
            && text_of(Some(header), "text").is_none_or(|s| s.chars().count() > 60)
        {
            return Err(Error::invalid(
                "components",
                "A text header has 1 to 60 characters.",
            ));
        }
        if let Some(footer) = component(&self.components, "FOOTER")
            && text_of(Some(footer), "text").is_none_or(|s| s.chars().count() > 60)
        {
            return Err(Error::invalid(
                "components",
                "A footer has 1 to 60 characters.",
            ));
        }
        if let Some(buttons) = component(&self.components, "BUTTONS") {
            let list = buttons.get("buttons").and_then(Value::as_array);
            if list.is_none_or(|l| l.is_empty() || l.len() > 10) {
                return Err(Error::invalid("components", "BUTTONS has 1 to 10 buttons."));
            }
            for b in list.into_iter().flatten() {
                if text_of(Some(b), "text")
                    .is_none_or(|s| s.trim().is_empty() || s.chars().count() > 25)
                {
                    return Err(Error::invalid(
                        "components",
                        "A button's text has 1 to 25 characters.",
                    ));
                }
            }
        }
        // Positional ({{1}}, {{2}}, ...) or named ({{first_name}}), never both.
        let vars = placeholders(body_text);
        let numeric = vars
            .iter()
            .filter(|v| v.chars().all(|c| c.is_ascii_digit()))
            .count();
        let format = if numeric == vars.len() {
            "positional"
        } else if numeric == 0 {
            "named"
        } else {
            return Err(Error::invalid(
                "components",
                "Use either numbered variables ({{1}}) or named ones ({{first_name}}), not both.",
            ));
        };
        if format == "positional" {
            for (i, v) in vars.iter().enumerate() {
                if v.parse::<usize>().ok() != Some(i + 1) {
                    return Err(Error::invalid(
                        "components",
                        "Number the variables {{1}}, {{2}}, ... in order.",
                    ));
                }
            }
        } else if vars
            .iter()
            .any(|v| v.chars().any(|c| c.is_ascii_uppercase()))
        {
            return Err(Error::invalid(
                "components",
                "Named variables use lowercase letters, digits and underscores.",
            ));
        }
        Ok((name.to_owned(), language.to_owned(), category, format))
    }

    /// The body Meta's create endpoint takes.
    pub fn meta_body(&self, name: &str, language: &str, category: &str, format: &str) -> Value {
        json!({
            "name": name,
            "language": language,
            "category": category,
            "parameter_format": format.to_ascii_uppercase(),
            "components": self.components,
        })
    }
}

/// Store a template just created (Meta answered with its id and status, or the sandbox).
#[allow(clippy::too_many_arguments)]
pub async fn insert_created(
    tx: &mut TenantTx,
    actor: &Actor,
    waba_id: &str,
    meta_id: &str,
    status: &str,
    category: &str,
    input: &NewTemplate,
    names: (&str, &str, &str),
) -> Result<Template> {
    actor.require(Permission::NumbersManage)?;
    let (name, language, format) = names;
    let id = Uuid::now_v7();
    diesel::insert_into(t::table)
        .values((
            t::tenant_id.eq(tx.tenant_id()),
            t::id.eq(id),
            t::waba_id.eq(waba_id),
            t::meta_id.eq(meta_id),
            t::name.eq(name),
            t::language.eq(language),
            t::status.eq(status.to_ascii_uppercase()),
            t::category.eq(category),
            t::parameter_format.eq(format),
            t::components.eq(Value::Array(input.components.clone())),
        ))
        .execute(tx.pg())
        .await
        .map_err(|e| {
            Error::from(e).on_unique(
                "templates_name",
                "conflict",
                "A template with this name and language already exists.",
            )
        })?;
    let template = get(tx, id).await?;
    crate::audit::record(
        tx,
        crate::audit::Entry {
            actor: Some(actor.membership_id),
            action: "template.created",
            target_type: "template",
            target_id: Some(id),
            before: None,
            after: crate::audit::snapshot(&template),
        },
    )
    .await?;
    Ok(template)
}

/// Is (name, language) already taken in this WABA?
pub async fn exists(tx: &mut TenantTx, waba_id: &str, name: &str, language: &str) -> Result<bool> {
    let n: i64 = t::table
        .filter(t::waba_id.eq(waba_id))
        .filter(t::name.eq(name))
        .filter(t::language.eq(language))
        .count()
        .get_result(tx.pg())
        .await?;
    Ok(n > 0)
}

/// The values of a template send, keyed by variable name (`"1"`, `"2"` or `"first_name"`;
/// buttons by their index).
#[derive(Debug, Clone, Default, Deserialize, Serialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateValues {
    #[serde(default)]
    pub header: BTreeMap<String, String>,
    /// An uploaded file (`POST /media`) for an IMAGE, VIDEO or DOCUMENT header.
    #[serde(default)]
    pub header_media_id: Option<Uuid>,
    #[serde(default)]
    pub body: BTreeMap<String, String>,
    #[serde(default)]
    pub buttons: BTreeMap<String, String>,
}

/// A checked template send: what goes to Meta, and the body as the customer reads it.
#[derive(Debug, Clone)]
pub struct PreparedTemplate {
    pub message: TemplateMessage,
    pub rendered_body: String,
}

fn mismatch(message: String) -> Error {
    Error::Unprocessable {
        code: "template_parameters",
        message,
    }
}

fn check_value(place: &str, name: &str, value: &str) -> Result<()> {
    let v = value.trim();
    if v.is_empty() {
        return Err(mismatch(format!("Fill in {{{{{name}}}}} in the {place}.")));
    }
    if v.contains(['\n', '\t']) || v.contains("    ") {
        return Err(mismatch(format!(
            "{{{{{name}}}}} in the {place}: WhatsApp does not allow line breaks, tabs or more than three spaces in a row in template values."
        )));
    }
    if v.chars().count() > 1024 {
        return Err(mismatch(format!(
            "{{{{{name}}}}} in the {place} is longer than 1024 characters."
        )));
    }
    Ok(())
}

fn check_set(place: &str, expected: &[String], given: &BTreeMap<String, String>) -> Result<()> {
    let missing: Vec<&String> = expected
        .iter()
        .filter(|v| !given.contains_key(*v))
        .collect();
    let extra: Vec<&String> = given.keys().filter(|k| !expected.contains(k)).collect();
    if !missing.is_empty() || !extra.is_empty() {
        let list = |v: &[&String]| {
            v.iter()
                .map(|s| format!("{{{{{s}}}}}"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let mut parts = Vec::new();
        if !missing.is_empty() {
            parts.push(format!("missing {}", list(&missing)));
        }
        if !extra.is_empty() {
            parts.push(format!("not in the template: {}", list(&extra)));
        }
        return Err(mismatch(format!(
            "The {place} takes {} value(s) ({}); {}.",
            expected.len(),
            expected
                .iter()
                .map(|s| format!("{{{{{s}}}}}"))
                .collect::<Vec<_>>()
                .join(", "),
            parts.join("; ")
        )));
    }
    for name in expected {
        check_value(place, name, &given[name])?;
    }
    Ok(())
}

fn substitute(text: &str, values: &BTreeMap<String, String>) -> String {
    let mut out = text.to_owned();
    for (name, value) in values {
        out = out.replace(&format!("{{{{{name}}}}}", name = name), value.trim());
        out = out.replace(&format!("{{{{ {name} }}}}", name = name), value.trim());
    }
    out
}

/// Check `values` against the template and build the send. Media headers reference the
/// uploaded file as `chorus:<media id>`; the sender swaps in Meta's media id.
pub fn prepare(template: &Template, values: &TemplateValues) -> Result<PreparedTemplate> {
    if !template.status.eq_ignore_ascii_case("APPROVED") {
        return Err(Error::Unprocessable {
            code: "template_not_approved",
            message: format!(
                "The template {} ({}) is {}: only approved templates can be sent.",
                template.name,
                template.language,
                template.status.to_ascii_lowercase()
            ),
        });
    }
    let vars = &template.variables;
    let named = template.parameter_format == "named";
    let param = |name: &str, value: &str| TemplateParameter {
        name: named.then(|| name.to_owned()),
        value: ParameterValue::Text(value.trim().to_owned()),
    };
    let mut components = Vec::new();
    match vars.header_format.as_deref() {
        Some("IMAGE" | "VIDEO" | "DOCUMENT") => {
            let format = vars.header_format.as_deref().unwrap_or_default();
            let Some(media) = values.header_media_id else {
                return Err(mismatch(format!(
                    "This template's header is a {}: attach one.",
                    format.to_ascii_lowercase()
                )));
            };
            if !values.header.is_empty() {
                return Err(mismatch(
                    "This template's header takes a file, not text.".into(),
                ));
            }
            let source = MediaSource::Id(format!("chorus:{media}"));
            let value = match format {
                "IMAGE" => ParameterValue::Image(source),
                "VIDEO" => ParameterValue::Video(source),
                _ => ParameterValue::Document {
                    media: source,
                    filename: None,
                },
            };
            components.push(TemplateComponent::Header {
                parameters: vec![TemplateParameter { name: None, value }],
            });
        }
        _ => {
            if values.header_media_id.is_some() {
                return Err(mismatch("This template's header takes no file.".into()));
            }
            check_set("header", &vars.header, &values.header)?;
            if !vars.header.is_empty() {
                components.push(TemplateComponent::Header {
                    parameters: vars
                        .header
                        .iter()
                        .map(|v| param(v, &values.header[v]))
                        .collect(),
                });
            }
        }
    }
    check_set("body", &vars.body, &values.body)?;
    if !vars.body.is_empty() {
        components.push(TemplateComponent::Body {
            parameters: vars
                .body
                .iter()
                .map(|v| param(v, &values.body[v]))
                .collect(),
        });
    }
    let expected_buttons: Vec<String> = vars.buttons.iter().map(|b| b.index.to_string()).collect();
    check_set("buttons", &expected_buttons, &values.buttons)?;
    for b in &vars.buttons {
        let value = values.buttons[&b.index.to_string()].trim().to_owned();
        let (sub_type, parameter) = match b.kind.as_str() {
            "COPY_CODE" => (
                ButtonSubType::CopyCode,
                TemplateParameter {
                    name: None,
                    value: ParameterValue::CouponCode(value),
                },
            ),
            _ => (ButtonSubType::Url, TemplateParameter::text(value)),
        };
        components.push(TemplateComponent::Button {
            sub_type,
            index: b.index,
            parameters: vec![parameter],
        });
    }
    let body_text = text_of(component(&template.components, "BODY"), "text").unwrap_or_default();
    Ok(PreparedTemplate {
        message: TemplateMessage {
            name: template.name.clone(),
            language: template.language.clone(),
            components,
        },
        rendered_body: substitute(body_text, &values.body),
    })
}

/// The ready-made templates of a sandbox WABA (approved at once; the test phone shows them).
pub(crate) async fn seed_sandbox(
    conn: &mut diesel_async::AsyncPgConnection,
    tenant: crate::ids::TenantId,
    waba_id: &str,
) -> Result<()> {
    let samples = [
        (
            "welcome",
            "en_US",
            "UTILITY",
            "positional",
            json!([
                {"type": "BODY", "text": "Hi {{1}}, thanks for contacting us! How can we help you today?"},
            ]),
        ),
        (
            "order_update",
            "en_US",
            "UTILITY",
            "positional",
            json!([
                {"type": "HEADER", "format": "TEXT", "text": "Order update"},
                {"type": "BODY", "text": "Your order {{1}} is now {{2}}. Reply to this message if you have any questions."},
                {"type": "FOOTER", "text": "Sent by the sandbox number"},
                {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "Thanks!"}, {"type": "QUICK_REPLY", "text": "Talk to an agent"}]},
            ]),
        ),
        (
            "appointment_reminder",
            "en_US",
            "UTILITY",
            "named",
            json!([
                {"type": "BODY", "text": "Hello {{first_name}}, this is a reminder of your appointment on {{date}}."},
                {"type": "BUTTONS", "buttons": [{"type": "QUICK_REPLY", "text": "Confirm"}, {"type": "QUICK_REPLY", "text": "Reschedule"}]},
            ]),
        ),
        (
            "bienvenida",
            "es",
            "UTILITY",
            "positional",
            json!([
                {"type": "BODY", "text": "Hola {{1}}, gracias por escribirnos. ¿En qué podemos ayudarte?"},
            ]),
        ),
    ];
    for (name, language, category, format, components) in samples {
        diesel::insert_into(t::table)
            .values((
                t::tenant_id.eq(tenant),
                t::id.eq(Uuid::now_v7()),
                t::waba_id.eq(waba_id),
                t::meta_id.eq(format!("sandbox-{name}-{language}")),
                t::name.eq(name),
                t::language.eq(language),
                t::status.eq("APPROVED"),
                t::category.eq(category),
                t::parameter_format.eq(format),
                t::components.eq(components),
            ))
            .on_conflict_do_nothing()
            .execute(conn)
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn template(components: Value, format: &str) -> Template {
        let components = components.as_array().cloned().unwrap_or_default();
        Template {
            id: Uuid::nil(),
            waba_id: "1".into(),
            meta_id: Some("9".into()),
            name: "order_update".into(),
            language: "es".into(),
            status: "APPROVED".into(),
            category: Some("UTILITY".into()),
            parameter_format: format.into(),
            variables: variables(&components),
            components,
            rejected_reason: None,
            quality: None,
            updated_at: Utc::now(),
        }
    }

    fn values(body: &[(&str, &str)]) -> TemplateValues {
        TemplateValues {
            body: body
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            ..TemplateValues::default()
        }
    }

    #[test]
    fn variables_by_place() {
        let v = variables(
            json!([
                {"type": "HEADER", "format": "TEXT", "text": "Hi {{1}}"},
                {"type": "BODY", "text": "Order {{1}} is {{2}}, {{1}}"},
                {"type": "BUTTONS", "buttons": [
                    {"type": "QUICK_REPLY", "text": "Ok"},
                    {"type": "URL", "text": "Track", "url": "https://x.test/t/{{1}}"},
                    {"type": "COPY_CODE", "example": "SAVE10"}
                ]}
            ])
            .as_array()
            .unwrap_or(&Vec::new()),
        );
        assert_eq!(v.header_format.as_deref(), Some("TEXT"));
        assert_eq!(v.header, vec!["1"]);
        assert_eq!(v.body, vec!["1", "2"]);
        assert_eq!(v.buttons.len(), 2);
        assert_eq!((v.buttons[0].index, v.buttons[0].kind.as_str()), (1, "URL"));
        assert_eq!(
            (v.buttons[1].index, v.buttons[1].kind.as_str()),
            (2, "COPY_CODE")
        );
    }

    #[test]
    fn prepare_checks_count_and_renders() {
        let t = template(
            json!([{"type": "BODY", "text": "Order {{1}} is {{2}}."}]),
            "positional",
        );
        let ok = prepare(&t, &values(&[("1", "A-7"), ("2", "shipped")])).unwrap();
        assert_eq!(ok.rendered_body, "Order A-7 is shipped.");
        assert_eq!(ok.message.components.len(), 1);

        let missing = prepare(&t, &values(&[("1", "A-7")])).unwrap_err();
        assert!(matches!(
            missing,
            Error::Unprocessable {
                code: "template_parameters",
                ..
            }
        ));
        assert!(missing.to_string().contains("{{2}}") || format!("{missing:?}").contains("{{2}}"));
        let extra = prepare(&t, &values(&[("1", "a"), ("2", "b"), ("3", "c")])).unwrap_err();
        assert!(matches!(
            extra,
            Error::Unprocessable {
                code: "template_parameters",
                ..
            }
        ));
        let newline = prepare(&t, &values(&[("1", "a\nb"), ("2", "b")])).unwrap_err();
        assert!(matches!(
            newline,
            Error::Unprocessable {
                code: "template_parameters",
                ..
            }
        ));
    }

    #[test]
    fn named_parameters_carry_their_names() {
        let t = template(
            json!([{"type": "BODY", "text": "Hi {{first_name}}"}]),
            "named",
        );
        let ok = prepare(&t, &values(&[("first_name", "Ana")])).unwrap();
        let json = serde_json::to_value(&ok.message.components).unwrap();
        assert_eq!(json[0]["parameters"][0]["name"], "first_name");
    }

    #[test]
    fn media_header_needs_a_file_and_unapproved_is_refused() {
        let t = template(
            json!([{"type": "HEADER", "format": "IMAGE"}, {"type": "BODY", "text": "Look"}]),
            "positional",
        );
        assert!(prepare(&t, &values(&[])).is_err());
        let with = TemplateValues {
            header_media_id: Some(Uuid::nil()),
            ..TemplateValues::default()
        };
        assert!(prepare(&t, &with).is_ok());
        let mut pending = t.clone();
        pending.status = "PENDING".into();
        assert!(matches!(
            prepare(&pending, &with).unwrap_err(),
            Error::Unprocessable {
                code: "template_not_approved",
                ..
            }
        ));
    }

    #[test]
    fn authoring_checks() {
        let good = NewTemplate {
            number_id: Uuid::nil(),
            name: "order_update".into(),
            language: "en_US".into(),
            category: "utility".into(),
            components: vec![json!({"type": "BODY", "text": "Order {{1}} is {{2}}"})],
        };
        let (_, _, category, format) = good.check().unwrap();
        assert_eq!((category.as_str(), format), ("UTILITY", "positional"));
        let mut bad = good.clone();
        bad.name = "Order Update".into();
        assert!(bad.check().is_err());
        let mut mixed = good.clone();
        mixed.components = vec![json!({"type": "BODY", "text": "{{1}} and {{name}}"})];
        assert!(mixed.check().is_err());
        let mut gap = good.clone();
        gap.components = vec![json!({"type": "BODY", "text": "{{1}} and {{3}}"})];
        assert!(gap.check().is_err());
        let mut nobody = good;
        nobody.components = vec![json!({"type": "FOOTER", "text": "x"})];
        assert!(nobody.check().is_err());
    }
}
