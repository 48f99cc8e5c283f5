//! The Admin and Content APIs described in OpenAPI 3.1, generated from the
//! handlers' own annotations and served at `/api/openapi.json`. CI runs a
//! property-based tester (schemathesis) against the live app with this
//! document, so the description and the behaviour cannot drift apart.

use std::sync::LazyLock;

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::{ContentBuilder, ObjectBuilder, RefOr, ResponseBuilder, Type};
use utoipa::{Modify, OpenApi};

use crate::services::articles::{
    ArticleInput, CorrectionInput, CoverInput, PublishInput, SourceInput,
};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "newsdesk",
        description = "The Admin API (`/api/admin/`, with an API key) and the public Content API \
                       (`/api/content/`). See docs/API.md.",
        license(name = "MIT OR Apache-2.0")
    ),
    paths(
        super::articles::list_articles,
        super::articles::create_article,
        super::articles::find_article,
        super::articles::update_article,
        super::articles::publish_article,
        super::articles::unpublish_article,
        super::articles::add_correction,
        super::articles::start_live,
        super::articles::add_live_update,
        super::articles::close_live,
        super::articles::list_revisions,
        super::donations::list_donations,
        super::taxonomy::list_sections,
        super::taxonomy::name_section,
        super::taxonomy::name_tag,
        super::taxonomy::list_tags,
        super::taxonomy::list_staff,
        super::content::list_articles,
        super::content::show_article,
        super::content::list_sections,
        super::content::list_pages,
    ),
    components(schemas(ArticleInput, CoverInput, SourceInput, CorrectionInput, PublishInput, crate::services::taxonomy::NamesInput, crate::services::live::UpdateInput, crate::services::live::CloseInput)),
    modifiers(&Conventions),
    tags(
        (name = "admin", description = "The newsroom's own scripts and importers: Bearer API key with scopes"),
        (name = "content", description = "Published stories for apps and partners: open, or keyed by setting")
    )
)]
struct ApiDoc;

/// What every operation shares: the key scheme, and the error answers
/// (the one envelope of `http/error.rs`) that any of them may give.
struct Conventions;

impl Modify for Conventions {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "api_key",
            SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
        );
        let error = ObjectBuilder::new()
            .schema_type(Type::Object)
            .property(
                "errors",
                utoipa::openapi::ArrayBuilder::new().items(
                    ObjectBuilder::new()
                        .schema_type(Type::Object)
                        .property("detail", ObjectBuilder::new().schema_type(Type::String))
                        .property("field", ObjectBuilder::new().schema_type(Type::String)),
                ),
            )
            .required("errors")
            .build();
        components
            .schemas
            .insert("Error".into(), RefOr::T(error.into()));
        let errors = [
            (
                "400",
                "The request cannot be read (malformed JSON, wrong content type)",
            ),
            ("401", "No API key, or not a live one"),
            ("403", "The key lacks the scope this needs"),
            ("404", "No such thing (or not public)"),
            ("409", "The article changed since the version sent"),
            ("413", "The body is too large"),
            ("414", "The address is too long"),
            ("415", "The body is not JSON"),
            (
                "422",
                "Input that breaks a rule; every wrong field is named",
            ),
            (
                "429",
                "Too many requests from this address: wait and try again",
            ),
            (
                "503",
                "The database is overloaded or gone: try again (see Retry-After)",
            ),
        ];
        for item in openapi.paths.paths.values_mut() {
            for operation in [
                &mut item.get,
                &mut item.post,
                &mut item.patch,
                &mut item.put,
                &mut item.delete,
            ]
            .into_iter()
            .flatten()
            {
                for (code, description) in errors {
                    operation
                        .responses
                        .responses
                        .entry(code.into())
                        .or_insert_with(|| {
                            RefOr::T(
                                ResponseBuilder::new()
                                    .description(description)
                                    .content(
                                        "application/json",
                                        ContentBuilder::new()
                                            .schema(Some(utoipa::openapi::Ref::from_schema_name(
                                                "Error",
                                            )))
                                            .build(),
                                    )
                                    .build(),
                            )
                        });
                }
            }
        }
    }
}

static DOCUMENT: LazyLock<String> = LazyLock::new(|| {
    ApiDoc::openapi()
        .to_pretty_json()
        .unwrap_or_else(|_| "{}".into())
});

/// `GET /api/openapi.json`
pub async fn document() -> Response {
    (
        [
            (
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            ),
            (
                header::ACCESS_CONTROL_ALLOW_ORIGIN,
                HeaderValue::from_static("*"),
            ),
        ],
        DOCUMENT.as_str(),
    )
        .into_response()
}
