//! Building and running the HTTP server.

use crate::config::Settings;
use crate::domain::Password;
use crate::error::Error;
use crate::http::head_guard::GuardedStream;
use crate::http::middleware;
use crate::routes;
use crate::services::accounts;
use crate::state::AppState;
use crate::workers;
use actix_http::error::DispatchError;
use actix_http::{HttpService, KeepAlive, Protocol};
use actix_service::{fn_service, map_config, IntoServiceFactory, ServiceFactoryExt};
use actix_web::dev::AppConfig;
use actix_web::dev::Server;
use actix_web::middleware::{from_fn, ErrorHandlers};
use actix_web::rt::net::TcpStream;
use actix_web::{error::JsonPayloadError, web, App, HttpRequest, HttpResponse};
use std::net::TcpListener;
use std::time::Duration;
use tracing_actix_web::TracingLogger;
use utoipa_actix_web::AppExt;
use utoipa_swagger_ui::SwaggerUi;

pub struct Application {
    port: u16,
    server: Server,
    pub state: web::Data<AppState>,
    /// The generated password of a super admin created at this start, if any.
    pub bootstrap_password: Option<Password>,
}

impl Application {
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let listener = TcpListener::bind(&settings.bind)
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", settings.bind))?;
        let state = web::Data::new(AppState::build(settings).await?);
        let bootstrap_password = bootstrap(&state).await?;
        let port = listener.local_addr()?.port();
        let server = run(listener, state.clone())?;
        workers::housekeeping::spawn(state.clone());
        workers::search_upkeep::spawn(state.clone());
        workers::outbox::spawn(state.clone());
        Ok(Self {
            port,
            server,
            state,
            bootstrap_password,
        })
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serve until SIGINT/SIGTERM, then drain: readiness fails, the listener
    /// closes, every response closes its connection, and the requests in
    /// flight finish within `CLIENTELE_SHUTDOWN_GRACE`.
    pub async fn run_until_stopped(self) -> std::io::Result<()> {
        let handle = self.server.handle();
        let state = self.state.clone();
        tokio::spawn(async move {
            stop_signal().await;
            tracing::info!("stopping: finishing the requests in flight");
            state
                .draining
                .store(true, std::sync::atomic::Ordering::Relaxed);
            handle.stop(true).await;
        });
        self.server.await
    }
}

/// SIGTERM (a process manager) or SIGINT (Ctrl-C).
async fn stop_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) {
        (Ok(mut term), Ok(mut int)) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
        }
        _ => {
            tracing::warn!("cannot listen for SIGTERM; stopping on Ctrl-C only");
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

async fn bootstrap(state: &AppState) -> anyhow::Result<Option<Password>> {
    let Some(created) = accounts::ensure_bootstrap_admin(state).await? else {
        return Ok(None);
    };
    tracing::info!(username = %created.user.username, "created the first super admin");
    if let (Some(pw), true) = (
        &created.generated_password,
        state.settings.print_bootstrap_password,
    ) {
        // Printed once, to the terminal only: never through the log.
        println!(
            "\n  First super admin created.\n    username: {}\n    password: {}\n  \
             It must be changed at first login; it is not shown again.\n",
            created.user.username,
            pw.expose()
        );
    }
    Ok(created.generated_password)
}

fn json_config(limit: usize) -> web::JsonConfig {
    web::JsonConfig::default()
        .limit(limit)
        .error_handler(move |err, _req| json_error(err, limit).into())
}

/// Turn a body that could not be read into the API's error.
fn json_error(err: JsonPayloadError, limit: usize) -> Error {
    match err {
        JsonPayloadError::ContentType => {
            Error::UnsupportedMediaType("Content-Type must be application/json".into())
        }
        JsonPayloadError::Overflow { .. } | JsonPayloadError::OverflowKnownLength { .. } => {
            Error::PayloadTooLarge(format!("The request body is larger than {limit} bytes"))
        }
        JsonPayloadError::Deserialize(e) => crate::error::from_json_error(&e),
        JsonPayloadError::Payload(actix_web::error::PayloadError::Overflow) => {
            Error::PayloadTooLarge(format!("The request body is larger than {limit} bytes"))
        }
        other => Error::BadRequest(format!("Invalid request body: {other}")),
    }
}

/// Unknown routes: the SPA's index for page paths when it is served, else 404.
async fn fallback(req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let is_page = req.method() == actix_web::http::Method::GET && !req.path().starts_with("/api");
    if let (true, Some(dir)) = (is_page, &state.settings.frontend_dir) {
        if let Ok(file) = actix_files::NamedFile::open(dir.join("index.html")) {
            return file.into_response(&req);
        }
    }
    let allowed = routes::methods_at(req.path());
    if !allowed.is_empty() {
        let allow = allowed.join(", ");
        return HttpResponse::MethodNotAllowed()
            .insert_header((actix_web::http::header::ALLOW, allow.clone()))
            .json(crate::error::ErrorBody {
                error: format!("Method not allowed: use {allow}"),
                details: None,
            });
    }
    HttpResponse::NotFound().json(crate::error::ErrorBody {
        error: "Not found: no such route".into(),
        details: None,
    })
}

pub fn run(listener: TcpListener, state: web::Data<AppState>) -> anyhow::Result<Server> {
    let settings = state.settings.clone();
    // The document is built and serialised once, and its bytes shared by every
    // worker: a copy of the document per worker cost about 1.5 MiB each.
    let openapi = web::Bytes::from(serde_json::to_vec(&routes::openapi())?);
    let limit = settings.body_limit;
    let workers = settings.workers;
    let grace = settings.shutdown_grace.as_secs();
    let make_app = move || {
        let app = App::new()
            .into_utoipa_app()
            .configure(routes::configure)
            .into_app()
            .app_data(state.clone())
            .app_data(json_config(limit))
            .app_data(web::PayloadConfig::new(limit))
            .app_data(web::PathConfig::default().error_handler(|e, _| {
                Error::BadRequest(format!("Invalid path parameter: {e}")).into()
            }))
            .app_data(web::QueryConfig::default().error_handler(|e, _| {
                Error::BadRequest(format!("Invalid query parameter: {e}")).into()
            }))
            .app_data(web::Data::new(routes::ops::OpenApiDocument(
                openapi.clone(),
            )))
            .service(SwaggerUi::new("/api/docs/{_:.*}").config(routes::ops::OPENAPI_PATH.into()));
        let app = match &settings.frontend_dir {
            Some(dir) if dir.join("index.html").exists() => app.service(
                actix_files::Files::new("/", dir)
                    .index_file("index.html")
                    .default_handler(web::to(fallback)),
            ),
            _ => app,
        };
        app.default_service(web::to(fallback))
            .wrap(middleware::cors(settings.cors_origins.clone()))
            .wrap(ErrorHandlers::new().default_handler(middleware::json_error_body))
            .wrap(from_fn(middleware::security_headers))
            .wrap(from_fn(middleware::close_when_draining))
            .wrap(from_fn(middleware::metrics))
            .wrap(from_fn(middleware::refused_head))
            .wrap(from_fn(middleware::api_host))
            .wrap(from_fn(middleware::request_id_header))
            .wrap(TracingLogger::default())
    };
    // actix-web's `HttpServer`, but with each connection read through the
    // request-head guard (`head_guard`): the same settings as its defaults.
    let addr = listener.local_addr()?;
    let mut builder = actix_web::dev::Server::build()
        .backlog(1024)
        .disable_signals()
        .shutdown_timeout(grace);
    if let Some(n) = workers {
        builder = builder.workers(n);
    }
    let server = builder
        .listen("clientele", listener, move || {
            let app = make_app()
                .into_factory()
                .map_err(|err| err.error_response());
            let http = HttpService::build()
                .keep_alive(KeepAlive::Timeout(Duration::from_secs(5)))
                .client_request_timeout(Duration::from_secs(5))
                .client_disconnect_timeout(Duration::from_secs(1))
                .local_addr(addr)
                .finish(map_config(app, |_| AppConfig::default()));
            fn_service(|io: TcpStream| async move {
                let peer = io.peer_addr().ok();
                Ok::<_, DispatchError>((GuardedStream::new(io), Protocol::Http1, peer))
            })
            .and_then(http)
        })?
        .run();
    Ok(server)
}
