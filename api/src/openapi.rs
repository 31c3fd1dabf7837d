//! The OpenAPI document, generated from the handlers' annotations and the domain types.

use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::routes;

#[derive(OpenApi)]
#[openapi(
    info(title = "Chorus API", version = "1", description = "The shared WhatsApp team inbox. Errors are always {\"error\": {\"code\", \"message\"}}."),
    paths(
        routes::accounts::signup,
        routes::accounts::verify_email,
        routes::accounts::resend_verification,
        routes::accounts::login,
        routes::accounts::refresh,
        routes::accounts::logout,
        routes::accounts::switch,
        routes::accounts::forgot_password,
        routes::accounts::reset_password,
        routes::accounts::invitation_lookup,
        routes::accounts::invitation_accept,
        routes::me::me,
        routes::agents::list,
        routes::agents::update,
        routes::invitations::list,
        routes::invitations::create,
        routes::invitations::revoke,
        routes::roles::list,
        routes::roles::create,
        routes::roles::update,
        routes::roles::delete,
        routes::teams::list,
        routes::teams::create,
        routes::teams::update,
        routes::teams::delete,
        routes::tags::list,
        routes::tags::create,
        routes::tags::update,
        routes::tags::delete,
        routes::audit::list,
        routes::numbers::list,
        routes::numbers::connect,
        routes::numbers::embedded_signup_config,
        routes::numbers::embedded_signup,
        routes::numbers::disconnect,
        routes::meta_app::get,
        routes::meta_app::set,
        routes::meta_app::remove,
        routes::media::upload,
        routes::media::get,
        routes::media::content,
        routes::templates::list,
        routes::templates::create,
        routes::templates::sync,
        routes::conversations::list,
        routes::conversations::get,
        routes::conversations::messages_list,
        routes::conversations::send,
        routes::conversations::read,
        routes::conversations::update,
        routes::conversations::set_tags,
        routes::notes::create,
        routes::notes::mentionables,
        routes::notifications::list,
        routes::notifications::read,
        routes::notifications::read_all,
        routes::canned::list,
        routes::canned::create,
        routes::canned::update,
        routes::canned::delete,
        routes::bots::list,
        routes::bots::create,
        routes::bots::get,
        routes::bots::update,
        routes::bots::delete,
        routes::bots::stats,
        routes::bots::suggested_reply,
        routes::knowledge::list,
        routes::knowledge::search,
        routes::knowledge::create,
        routes::knowledge::update,
        routes::knowledge::delete,
        routes::contacts::get,
        routes::contacts::set_tags,
        routes::collision::view,
        routes::collision::leave,
        routes::collision::type_reply,
        routes::collision::stop_typing,
        routes::me::set_presence,
        routes::hours::list,
        routes::hours::save,
        routes::hours::remove_number,
        routes::routing::view,
        routes::routing::set_team,
        routes::routing::set_number,
        routes::routing::set_capacity,
        crate::realtime::socket,
        routes::sandbox::send,
        routes::sandbox::thread,
        routes::sandbox::read,
        routes::webhooks::verify,
        routes::webhooks::receive,
        routes::webhooks::verify_own,
        routes::webhooks::receive_own,
        routes::ops::healthz,
        routes::ops::readyz,
    ),
    modifiers(&BearerAuth),
    servers((url = "/api/v1", description = "this server")),
)]
pub struct ApiDoc;

struct BearerAuth;

impl Modify for BearerAuth {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .bearer_format("JWT")
                    .build(),
            ),
        );
    }
}
