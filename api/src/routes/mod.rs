//! HTTP routes under `/api/v1`, one module per resource.

pub mod accounts;
pub mod agents;
pub mod audit;
pub mod bots;
pub mod canned;
pub mod collision;
pub mod contacts;
pub mod conversations;
pub mod csat;
pub mod hooks;
pub mod hours;
pub mod invitations;
pub mod knowledge;
pub mod me;
pub mod media;
pub mod meta_app;
pub mod notes;
pub mod notifications;
pub mod numbers;
pub mod operator;
pub mod ops;
pub mod portal;
pub mod reports;
pub mod roles;
pub mod routing;
pub mod sandbox;
pub mod sla;
pub mod tags;
pub mod teams;
pub mod templates;
pub mod webhooks;
pub mod workflow;

use serde::Deserialize;

use chorus_tenants::pagination::PageRequest;

/// `?cursor=&limit=` of every list.
#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// Opaque cursor from the previous page's `next_cursor`.
    pub cursor: Option<String>,
    /// 1 to 200, default 50.
    pub limit: Option<i64>,
}

impl ListQuery {
    pub fn page(&self) -> chorus_tenants::Result<PageRequest> {
        PageRequest::parse(self.cursor.as_deref(), self.limit)
    }
}

/// A set of tags to put on a conversation or contact (replacing what it had).
#[derive(Debug, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TagIds {
    pub tag_ids: Vec<uuid::Uuid>,
}

/// Register every `/api/v1` route.
pub fn configure(cfg: &mut actix_web::web::ServiceConfig) {
    cfg.service(accounts::signup)
        .service(accounts::verify_email)
        .service(accounts::resend_verification)
        .service(accounts::login)
        .service(accounts::refresh)
        .service(accounts::logout)
        .service(accounts::switch)
        .service(accounts::forgot_password)
        .service(accounts::reset_password)
        .service(accounts::invitation_lookup)
        .service(accounts::invitation_accept)
        .service(me::me)
        .service(agents::list)
        .service(agents::update)
        .service(invitations::list)
        .service(invitations::create)
        .service(invitations::revoke)
        .service(roles::list)
        .service(roles::create)
        .service(roles::update)
        .service(roles::delete)
        .service(teams::list)
        .service(teams::create)
        .service(teams::update)
        .service(teams::delete)
        .service(tags::list)
        .service(tags::create)
        .service(tags::update)
        .service(tags::delete)
        .service(audit::list)
        .service(numbers::list)
        .service(numbers::connect)
        .service(numbers::embedded_signup_config)
        .service(numbers::embedded_signup)
        .service(numbers::disconnect)
        .service(meta_app::get)
        .service(meta_app::set)
        .service(meta_app::remove)
        .service(media::upload)
        .service(media::get)
        .service(media::content)
        .service(templates::list)
        .service(templates::create)
        .service(templates::sync)
        .service(conversations::list)
        .service(conversations::get)
        .service(conversations::messages_list)
        .service(conversations::send)
        .service(conversations::read)
        .service(conversations::update)
        .service(conversations::set_tags)
        .service(notes::create)
        .service(notes::mentionables)
        .service(notifications::list)
        .service(notifications::read_all)
        .service(notifications::read)
        .service(canned::list)
        .service(canned::create)
        .service(canned::update)
        .service(canned::delete)
        // Literal paths before `/contacts/{id}`.
        .service(contacts::list)
        .service(contacts::create)
        .service(contacts::export)
        .service(contacts::import)
        .service(contacts::import_get)
        .service(bots::list)
        .service(bots::create)
        .service(bots::get)
        .service(bots::update)
        .service(bots::delete)
        .service(bots::stats)
        .service(bots::suggested_reply)
        .service(knowledge::search)
        .service(knowledge::list)
        .service(knowledge::create)
        .service(knowledge::update)
        .service(knowledge::delete)
        .service(contacts::get)
        .service(contacts::consent)
        .service(contacts::update)
        .service(contacts::set_tags)
        .service(contacts::block)
        .service(contacts::unblock)
        .service(contacts::merge)
        .service(contacts::duplicates)
        .service(collision::view)
        .service(collision::leave)
        .service(collision::type_reply)
        .service(collision::stop_typing)
        .service(me::set_presence)
        .service(hours::list)
        .service(hours::save)
        .service(hours::remove_number)
        .service(routing::view)
        .service(routing::set_team)
        .service(routing::set_number)
        .service(routing::set_capacity)
        .service(routing::list_rules)
        .service(routing::create_rule)
        .service(routing::order_rules)
        .service(routing::update_rule)
        .service(routing::delete_rule)
        .service(csat::get)
        .service(csat::put)
        .service(csat::of_conversation)
        .service(reports::overview_csv)
        .service(reports::floor)
        .service(numbers::quality)
        .service(reports::overview)
        .service(hooks::list)
        .service(hooks::create)
        .service(hooks::get)
        .service(hooks::update)
        .service(hooks::remove)
        .service(hooks::rotate_secret)
        .service(hooks::ping)
        .service(hooks::deliveries)
        .service(hooks::redeliver)
        .service(sla::list)
        .service(sla::create)
        .service(sla::order)
        .service(sla::replace)
        .service(sla::remove)
        .service(workflow::view)
        .service(workflow::save)
        .service(workflow::keywords)
        .service(workflow::set_keywords)
        .service(operator::failed_jobs)
        .service(operator::retry)
        .service(crate::realtime::socket)
        .service(sandbox::send)
        .service(sandbox::thread)
        .service(sandbox::read);
}
