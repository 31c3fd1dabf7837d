//! CSV imports of contacts. The upload is checked at once (UTF-8 text, CSV with a `phone`
//! column and only known columns, at most 100 000 rows): a file that is not that is a 422 and
//! creates nothing. A good file is kept in its import row (same transaction as the job that
//! processes it, so there is never a job without its file or a file without its job) and the
//! worker applies it in batches of 500 rows, one tenant transaction per batch, updating the
//! progress (`processed`/`total`, `created`, `updated`, `failed`) after each. A crash loses at
//! most the batch in flight, which is redone from `processed` when the job is retried.
//!
//! Columns: `phone` (required, international format), `name`, `email`, `tags` (names separated
//! by `|`; missing tags are created), `opt_in` (unknown/opted_in/opted_out, or yes/no), `notes`,
//! and `attr:<key>` for custom attributes (a cell that reads as a number or true/false is
//! stored as one). An empty cell leaves the field as it is. A row whose phone is already a
//! contact updates it (attributes are merged, tags added); otherwise a contact is created.
//!
//! Rows whose cells are all empty are skipped. Bad rows never fail the import: each is skipped and
//! recorded with its line in the file (the header is line 1; the CSV reader does not count
//! entirely blank lines) and why; at most 1000 row errors are stored (the `failed` count goes on).
//! Each row runs in a savepoint, so even a row the database refuses leaves the batch intact.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::contacts::{self, ContactChanges};
use crate::db::{Store, TenantTx};
use crate::error::{Error, Result};
use crate::ids::TenantId;
use crate::jobs::{self, NewJob};
use crate::people::Actor;
use crate::schema::{contact_import_errors as ie, contact_imports as ci, contacts as k, tags};

/// The job that applies one import.
pub const IMPORT_CONTACTS: &str = "import_contacts";
/// The largest file accepted.
pub const MAX_BYTES: usize = 5 * 1024 * 1024;
/// The most data rows in one file.
pub const MAX_ROWS: usize = 100_000;
/// Rows per transaction.
pub const BATCH: usize = 500;
/// Row errors kept per import.
pub const MAX_STORED_ERRORS: i64 = 1000;

const KNOWN: [&str; 6] = ["phone", "name", "email", "tags", "opt_in", "notes"];

/// One row that could not be applied.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct RowError {
    /// The line in the file where the row starts (the header is line 1).
    pub row: i32,
    pub message: String,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ContactImport {
    pub id: Uuid,
    /// queued, running, done or failed (failed: the file could not be processed at all)
    pub status: String,
    pub filename: Option<String>,
    /// Data rows in the file.
    pub total: i32,
    pub processed: i32,
    pub created: i32,
    pub updated: i32,
    pub failed: i32,
    pub error: Option<String>,
    /// The first 1000 row errors, by line.
    pub errors: Vec<RowError>,
    pub created_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
}

/// Where each known column is.
#[derive(Debug, Clone)]
struct Columns {
    phone: usize,
    name: Option<usize>,
    email: Option<usize>,
    tags: Option<usize>,
    opt_in: Option<usize>,
    notes: Option<usize>,
    attributes: Vec<(String, usize)>,
}

fn invalid_file(message: impl Into<String>) -> Error {
    Error::Unprocessable {
        code: "import_invalid",
        message: message.into(),
    }
}

fn columns(header: &csv::StringRecord) -> Result<Columns> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut attributes = Vec::new();
    let mut unknown = Vec::new();
    for (i, raw) in header.iter().enumerate() {
        let name = raw.trim().to_ascii_lowercase();
        if name.is_empty() {
            continue;
        }
        if seen.insert(name.clone(), i).is_some() {
            return Err(invalid_file(format!(
                "The column {name:?} appears twice in the header."
            )));
        }
        if let Some(key) = name.strip_prefix("attr:") {
            contacts::check_attribute_key(key).map_err(|_| {
                invalid_file(format!(
                    "The column {raw:?}: attribute keys are 1 to 40 characters of a-z, 0-9 and _."
                ))
            })?;
            attributes.push((key.to_owned(), i));
        } else if !KNOWN.contains(&name.as_str()) {
            unknown.push(raw.trim().to_owned());
        }
    }
    if !unknown.is_empty() {
        return Err(invalid_file(format!(
            "Unknown columns: {}. Use phone, name, email, tags, opt_in, notes and attr:<key>.",
            unknown.join(", ")
        )));
    }
    if attributes.len() > contacts::MAX_ATTRIBUTES {
        return Err(invalid_file(format!(
            "At most {} attribute columns.",
            contacts::MAX_ATTRIBUTES
        )));
    }
    let Some(phone) = seen.get("phone").copied() else {
        return Err(invalid_file(
            "The file has no phone column: the first line must name the columns (phone, name, email, tags, opt_in, notes, attr:<key>).",
        ));
    };
    Ok(Columns {
        phone,
        name: seen.get("name").copied(),
        email: seen.get("email").copied(),
        tags: seen.get("tags").copied(),
        opt_in: seen.get("opt_in").copied(),
        notes: seen.get("notes").copied(),
        attributes,
    })
}

/// The text of an uploaded file (UTF-8, byte order mark removed).
fn text_of(bytes: &[u8]) -> Result<&str> {
    if bytes.len() > MAX_BYTES {
        return Err(Error::TooLarge("A contact import is at most 5 MB.".into()));
    }
    let bytes = bytes.strip_prefix(b"\xef\xbb\xbf").unwrap_or(bytes);
    std::str::from_utf8(bytes).map_err(|_| {
        invalid_file(
            "The file is not CSV text (UTF-8): export it from your spreadsheet as CSV UTF-8.",
        )
    })
}

fn reader(text: &str) -> csv::Reader<&[u8]> {
    csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes())
}

/// Parsed rows: (line, cells).
type Rows = Vec<(i32, Vec<String>)>;

fn parse(text: &str) -> Result<(Columns, Rows)> {
    let mut r = reader(text);
    let header = r
        .headers()
        .map_err(|e| invalid_file(format!("The header cannot be read as CSV: {e}")))?
        .clone();
    let cols = columns(&header)?;
    let mut rows = Vec::new();
    for record in r.records() {
        let record =
            record.map_err(|e| invalid_file(format!("The file cannot be read as CSV: {e}")))?;
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        let line = record
            .position()
            .map(|p| i32::try_from(p.line()).unwrap_or(i32::MAX))
            .unwrap_or(0);
        rows.push((line, record.iter().map(str::to_owned).collect()));
        if rows.len() > MAX_ROWS {
            return Err(invalid_file(format!("At most {MAX_ROWS} rows per import.")));
        }
    }
    Ok((cols, rows))
}

/// Check an upload and queue its import (`contacts:manage` and `conversations:read_all`).
pub async fn start(
    tx: &mut TenantTx,
    actor: &Actor,
    filename: Option<&str>,
    bytes: &[u8],
) -> Result<ContactImport> {
    contacts::require_directory(actor)?;
    let text = text_of(bytes)?;
    let (_, rows) = parse(text)?;
    let id = Uuid::now_v7();
    let filename: Option<String> = filename
        .map(|f| {
            f.chars()
                .filter(|c| !c.is_control())
                .take(240)
                .collect::<String>()
        })
        .filter(|f| !f.trim().is_empty());
    diesel::insert_into(ci::table)
        .values((
            ci::tenant_id.eq(tx.tenant_id()),
            ci::id.eq(id),
            ci::created_by.eq(actor.membership_id.0),
            ci::filename.eq(&filename),
            ci::source.eq(text),
            ci::total.eq(i32::try_from(rows.len()).unwrap_or(i32::MAX)),
        ))
        .execute(tx.pg())
        .await?;
    let mut job = NewJob::new(IMPORT_CONTACTS, &serde_json::json!({ "import_id": id }))?;
    job.max_attempts = 5;
    jobs::enqueue(tx, job).await?;
    load(tx, id).await
}

/// An import's progress and row errors (the same permissions as starting one).
pub async fn get(tx: &mut TenantTx, actor: &Actor, id: Uuid) -> Result<ContactImport> {
    contacts::require_directory(actor)?;
    load(tx, id).await
}

async fn load(tx: &mut TenantTx, id: Uuid) -> Result<ContactImport> {
    #[allow(clippy::type_complexity)]
    let row: Option<(
        Uuid,
        String,
        Option<String>,
        i32,
        i32,
        i32,
        i32,
        i32,
        Option<String>,
        DateTime<Utc>,
        Option<DateTime<Utc>>,
    )> = ci::table
        .filter(ci::id.eq(id))
        .select((
            ci::id,
            ci::status,
            ci::filename,
            ci::total,
            ci::processed,
            ci::created,
            ci::updated,
            ci::failed,
            ci::error,
            ci::created_at,
            ci::finished_at,
        ))
        .first(tx.pg())
        .await
        .optional()?;
    let r = row.ok_or(Error::NotFound("import"))?;
    let errors: Vec<(i32, String)> = ie::table
        .filter(ie::import_id.eq(id))
        .order(ie::row_number)
        .limit(MAX_STORED_ERRORS)
        .select((ie::row_number, ie::message))
        .load(tx.pg())
        .await?;
    Ok(ContactImport {
        id: r.0,
        status: r.1,
        filename: r.2,
        total: r.3,
        processed: r.4,
        created: r.5,
        updated: r.6,
        failed: r.7,
        error: r.8,
        errors: errors
            .into_iter()
            .map(|(row, message)| RowError { row, message })
            .collect(),
        created_at: r.9,
        finished_at: r.10,
    })
}

/// An attribute cell: a number or boolean when it reads as one exactly, else text.
fn attribute_value(cell: &str) -> Value {
    match cell {
        "true" => return Value::Bool(true),
        "false" => return Value::Bool(false),
        _ => {}
    }
    if let Ok(n) = cell.parse::<i64>()
        && n.to_string() == cell
    {
        return Value::from(n);
    }
    if let Ok(f) = cell.parse::<f64>()
        && f.is_finite()
        && f.to_string() == cell
        && let Some(n) = serde_json::Number::from_f64(f)
    {
        return Value::Number(n);
    }
    Value::String(cell.to_owned())
}

enum Outcome {
    Created,
    Updated,
}

/// Tag ids by lower-cased name, created on first use.
async fn tag_id(tx: &mut TenantTx, cache: &mut HashMap<String, Uuid>, name: &str) -> Result<Uuid> {
    let key = name.to_lowercase();
    if let Some(id) = cache.get(&key) {
        return Ok(*id);
    }
    let found: Option<Uuid> = tags::table
        .filter(
            diesel::dsl::sql::<diesel::sql_types::Bool>("lower(tags.name) = ")
                .bind::<diesel::sql_types::Text, _>(&key),
        )
        .select(tags::id)
        .first(tx.pg())
        .await
        .optional()?;
    let id = match found {
        Some(id) => id,
        None => {
            let id = Uuid::now_v7();
            diesel::insert_into(tags::table)
                .values((
                    tags::tenant_id.eq(tx.tenant_id()),
                    tags::id.eq(id),
                    tags::name.eq(name),
                    tags::colour.eq("#9ca3af"),
                ))
                .execute(tx.pg())
                .await?;
            id
        }
    };
    cache.insert(key, id);
    Ok(id)
}

/// Apply one row. `Err(Ok(message))` is a bad row; `Err(Err(e))` a database error.
async fn apply_row(
    tx: &mut TenantTx,
    cols: &Columns,
    cells: &[String],
    tag_cache: &mut HashMap<String, Uuid>,
) -> std::result::Result<Outcome, std::result::Result<String, Error>> {
    fn bad(e: Error) -> std::result::Result<String, Error> {
        match e {
            Error::Invalid { message, .. } => Ok(message),
            other => Err(other),
        }
    }
    let cell = |i: Option<usize>| -> Option<&str> {
        i.and_then(|i| cells.get(i))
            .map(|s| s.trim())
            .filter(|s| !s.is_empty())
    };
    let Some(phone) = cell(Some(cols.phone)) else {
        return Err(Ok("The phone is empty.".into()));
    };
    let wa_id = contacts::parse_phone(phone).map_err(bad)?;
    let mut changes = ContactChanges {
        name: cell(cols.name).map(str::to_owned),
        email: cell(cols.email).map(str::to_owned),
        notes: cell(cols.notes).map(str::to_owned),
        attributes: None,
        opt_in: cell(cols.opt_in).map(str::to_owned),
    };
    // Check every field before writing anything.
    if let Some(e) = &changes.email {
        contacts::check_email(e).map_err(bad)?;
    }
    if let Some(o) = &changes.opt_in {
        contacts::check_opt_in(o).map_err(bad)?;
    }
    if let Some(n) = &changes.name
        && n.chars().count() > 200
    {
        return Err(Ok("The name has more than 200 characters.".into()));
    }
    if let Some(n) = &changes.notes
        && n.chars().count() > 10_000
    {
        return Err(Ok("The notes have more than 10000 characters.".into()));
    }
    let mut attributes = serde_json::Map::new();
    for (key, i) in &cols.attributes {
        if let Some(v) = cell(Some(*i)) {
            let value = attribute_value(v);
            contacts::check_attribute_value(key, &value).map_err(bad)?;
            attributes.insert(key.clone(), value);
        }
    }
    let tag_names: Vec<String> = cell(cols.tags)
        .map(|t| {
            t.split('|')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    if let Some(long) = tag_names.iter().find(|t| t.chars().count() > 50) {
        return Err(Ok(format!("The tag {long:?} has more than 50 characters.")));
    }
    if tag_names.len() > 50 {
        return Err(Ok("At most 50 tags per contact.".into()));
    }
    let existing: Option<(Uuid, Value)> = k::table
        .filter(k::wa_id.eq(&wa_id))
        .select((k::id, k::attributes))
        .for_update()
        .first(tx.pg())
        .await
        .optional()
        .map_err(|e| Err(e.into()))?;
    let (id, outcome) = match existing {
        Some((id, current)) => {
            if !attributes.is_empty() {
                let mut merged = current.as_object().cloned().unwrap_or_default();
                merged.extend(attributes);
                if merged.len() > contacts::MAX_ATTRIBUTES {
                    return Err(Ok(format!(
                        "The contact would have more than {} attributes.",
                        contacts::MAX_ATTRIBUTES
                    )));
                }
                changes.attributes = Some(Value::Object(merged));
            }
            (id, Outcome::Updated)
        }
        None => {
            let id = Uuid::now_v7();
            diesel::insert_into(k::table)
                .values((
                    k::tenant_id.eq(tx.tenant_id()),
                    k::id.eq(id),
                    k::wa_id.eq(&wa_id),
                ))
                .execute(tx.pg())
                .await
                .map_err(|e| Err(e.into()))?;
            if !attributes.is_empty() {
                changes.attributes = Some(Value::Object(attributes));
            }
            (id, Outcome::Created)
        }
    };
    contacts::apply_changes(tx, id, &changes, "import")
        .await
        .map_err(bad)?;
    let mut ids = Vec::with_capacity(tag_names.len());
    for name in &tag_names {
        ids.push(tag_id(tx, tag_cache, name).await.map_err(Err)?);
    }
    contacts::add_tags(tx, id, &ids).await.map_err(Err)?;
    Ok(outcome)
}

async fn savepoint(tx: &mut TenantTx, sql: &str) -> Result<()> {
    diesel::sql_query(sql).execute(tx.pg()).await?;
    Ok(())
}

/// Apply rows `rows` and record the progress; the last batch finishes the import.
async fn apply_batch(
    tx: &mut TenantTx,
    id: Uuid,
    cols: &Columns,
    rows: &[(i32, Vec<String>)],
    last: bool,
) -> Result<()> {
    let (mut created, mut updated, mut failed) = (0, 0, 0);
    let mut errors: Vec<(i32, String)> = Vec::new();
    let mut tag_cache = HashMap::new();
    for (line, cells) in rows {
        savepoint(tx, "SAVEPOINT import_row").await?;
        match apply_row(tx, cols, cells, &mut tag_cache).await {
            Ok(outcome) => {
                savepoint(tx, "RELEASE SAVEPOINT import_row").await?;
                match outcome {
                    Outcome::Created => created += 1,
                    Outcome::Updated => updated += 1,
                }
            }
            Err(why) => {
                savepoint(tx, "ROLLBACK TO SAVEPOINT import_row").await?;
                // A tag created by a rolled-back row is gone again.
                tag_cache.clear();
                let message = match why {
                    Ok(message) => message,
                    Err(Error::Unavailable(e)) => return Err(Error::Unavailable(e)),
                    Err(e) => {
                        tracing::warn!(import = %id, line, error = %e, "import row refused by the database");
                        "The row could not be stored.".to_owned()
                    }
                };
                failed += 1;
                errors.push((*line, message));
            }
        }
    }
    let stored: i64 = ie::table
        .filter(ie::import_id.eq(id))
        .count()
        .get_result(tx.pg())
        .await?;
    let room = usize::try_from((MAX_STORED_ERRORS - stored).max(0)).unwrap_or(0);
    let values: Vec<_> = errors
        .iter()
        .take(room)
        .map(|(line, message)| {
            (
                ie::tenant_id.eq(tx.tenant_id()),
                ie::import_id.eq(id),
                ie::row_number.eq(*line),
                ie::message.eq(message),
            )
        })
        .collect();
    if !values.is_empty() {
        diesel::insert_into(ie::table)
            .values(values)
            .on_conflict_do_nothing()
            .execute(tx.pg())
            .await?;
    }
    let n = i32::try_from(rows.len()).unwrap_or(i32::MAX);
    let now = Utc::now();
    diesel::update(ci::table.filter(ci::id.eq(id)))
        .set((
            ci::processed.eq(ci::processed + n),
            ci::created.eq(ci::created + created),
            ci::updated.eq(ci::updated + updated),
            ci::failed.eq(ci::failed + failed),
            ci::status.eq(if last { "done" } else { "running" }),
            last.then(|| ci::finished_at.eq(now)),
            last.then(|| ci::source.eq(None::<String>)),
        ))
        .execute(tx.pg())
        .await?;
    Ok(())
}

/// The job: apply an import's remaining rows batch by batch.
pub async fn run(store: &Store, tenant: TenantId, id: Uuid) -> Result<()> {
    let loaded: Option<(String, Option<String>, i32)> = store
        .tenant(tenant, async |tx: &mut TenantTx| -> Result<_> {
            Ok(ci::table
                .filter(ci::id.eq(id))
                .select((ci::status, ci::source, ci::processed))
                .first(tx.pg())
                .await
                .optional()?)
        })
        .await?;
    let Some((status, Some(source), processed)) = loaded else {
        return Ok(());
    };
    if status == "done" || status == "failed" {
        return Ok(());
    }
    let (cols, rows) = match parse(&source) {
        Ok(parsed) => parsed,
        Err(e) => {
            // Checked at upload; only a changed parser could get here.
            let message = e.to_string();
            store
                .tenant(tenant, async |tx: &mut TenantTx| -> Result<()> {
                    diesel::update(ci::table.filter(ci::id.eq(id)))
                        .set((
                            ci::status.eq("failed"),
                            ci::error.eq(&message),
                            ci::finished_at.eq(Utc::now()),
                            ci::source.eq(None::<String>),
                        ))
                        .execute(tx.pg())
                        .await?;
                    Ok(())
                })
                .await?;
            return Ok(());
        }
    };
    let mut start = usize::try_from(processed).unwrap_or(0).min(rows.len());
    loop {
        let end = (start + BATCH).min(rows.len());
        let last = end == rows.len();
        let batch = &rows[start..end];
        let cols = &cols;
        store
            .tenant(tenant, async |tx: &mut TenantTx| {
                apply_batch(tx, id, cols, batch, last).await
            })
            .await?;
        if last {
            return Ok(());
        }
        start = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers() {
        let (cols, rows) =
            parse("Phone,Name,attr:plan\n+34600111222,Ana,gold\n,,\n34600111333,,\n").unwrap();
        assert_eq!(cols.phone, 0);
        assert_eq!(cols.name, Some(1));
        assert_eq!(cols.attributes, vec![("plan".to_owned(), 2)]);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].0, 2);
        assert_eq!(rows[1].0, 4);
        assert!(parse("name,email\nAna,a@b.co\n").is_err());
        assert!(parse("phone,colour\n1,2\n").is_err());
        assert!(parse("phone,phone\n1,2\n").is_err());
        assert!(parse("phone,attr:Bad-Key\n1,2\n").is_err());
        assert!(text_of(b"\xff\xfe\x00p").is_err());
        assert_eq!(text_of(b"\xef\xbb\xbfphone").unwrap(), "phone");
    }

    #[test]
    fn attribute_cells() {
        assert_eq!(attribute_value("4"), Value::from(4));
        assert_eq!(attribute_value("007"), Value::from("007"));
        assert_eq!(attribute_value("true"), Value::Bool(true));
        assert_eq!(attribute_value("2.5"), serde_json::json!(2.5));
        assert_eq!(attribute_value("gold"), Value::from("gold"));
    }
}
