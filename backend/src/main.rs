use clap::{Parser, Subcommand};
use clientele::config::Settings;
use clientele::domain::Role;
use clientele::services::accounts::{self, NewAdmin};
use clientele::services::client_stores;
use clientele::startup::Application;
use clientele::state::AppState;
use clientele::{store, telemetry};
use secrecy::SecretString;

/// Clientele: onboard client companies and manage everyone who logs in for them.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the HTTP service (the default).
    Serve,
    /// Apply the database migrations and exit.
    Migrate,
    /// Manage operator accounts.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Print the OpenAPI document.
    Openapi,
    /// Compare each client's own database with the main database, row by
    /// row, and with --repair bring it in line. Exits 1 when drift remains.
    Reconcile {
        /// Only this client (its account number, e.g. ACC001).
        #[arg(long)]
        client: Option<String>,
        /// Write the drift away (each repair is recorded in the activity log).
        #[arg(long)]
        repair: bool,
    },
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an operator account (a super admin unless --role admin).
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// Defaults to the part of the e-mail address before the @.
        #[arg(long)]
        username: Option<String>,
        /// Omit to have one generated, printed once, and changed at first login.
        #[arg(long, env = "CLIENTELE_NEW_ADMIN_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        #[arg(long, default_value = "super_admin", value_parser = ["super_admin", "admin"])]
        role: String,
    },
}

/// mimalloc frees memory across threads without a lock (sqlx hands every row
/// from the thread that read it to the one that uses it): docs/performance.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    match run(Cli::parse()).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn run(cli: Cli) -> anyhow::Result<()> {
    match cli.command.unwrap_or(Command::Serve) {
        Command::Openapi => {
            println!("{}", clientele::routes::openapi().to_pretty_json()?);
            Ok(())
        }
        Command::Serve => {
            let settings = Settings::from_env()?;
            telemetry::init(settings.log_format);
            let app = Application::build(settings).await?;
            tracing::info!(port = app.port(), "Clientele is ready");
            app.run_until_stopped().await?;
            Ok(())
        }
        Command::Migrate => {
            let settings = Settings::from_env()?;
            store::migrate(&settings.database_url).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Reconcile { client, repair } => {
            let settings = Settings::from_env()?;
            let state = AppState::build(settings).await?;
            let done = client_stores::reconcile_all(&state, client.as_deref(), repair).await?;
            let mut drifting = 0;
            for r in &done {
                if r.drift.is_empty() {
                    println!("{}: in line", r.account_number.as_str());
                    continue;
                }
                drifting += 1;
                let what = if r.repaired {
                    "repaired"
                } else {
                    "not repaired"
                };
                println!(
                    "{}: {} rows differ ({what})",
                    r.account_number.as_str(),
                    r.drift.len()
                );
                for d in &r.drift {
                    let fields = if d.fields.is_empty() {
                        String::new()
                    } else {
                        format!(" ({})", d.fields.join(", "))
                    };
                    println!("  user {}: {}{fields}", d.user_id, d.kind.as_str());
                }
            }
            println!(
                "{} clients compared, {drifting} with drift{}",
                done.len(),
                if repair && drifting > 0 {
                    ", repaired"
                } else {
                    ""
                }
            );
            if drifting > 0 && !repair {
                anyhow::bail!(
                    "drift found; run again with --repair to bring the clients' databases in line"
                );
            }
            Ok(())
        }
        Command::Admin {
            command:
                AdminCommand::Create {
                    email,
                    name,
                    username,
                    password,
                    role,
                },
        } => {
            let settings = Settings::from_env()?;
            let state = AppState::build(settings).await?;
            let role = Role::parse(&role).map_err(|e| anyhow::anyhow!("--role {e}"))?;
            let created = accounts::create_admin(
                &state,
                NewAdmin {
                    email: Some(email),
                    name,
                    username,
                    password: password.map(SecretString::from),
                    role,
                },
            )
            .await
            .map_err(|e| match e {
                clientele::error::Error::Validation { details, .. } => {
                    anyhow::anyhow!("invalid account: {details:?}")
                }
                e => anyhow::anyhow!("{e}"),
            })?;
            println!("created {} {}", role.as_str(), created.user.username);
            if let Some(pw) = created.generated_password {
                println!(
                    "password: {} (shown once; must be changed at first login)",
                    pw.expose()
                );
            }
            Ok(())
        }
    }
}
