//! Prometheus metrics, kept in a registry of the application's own (the
//! `prometheus` crate): requests by route and status, a latency histogram by
//! route, login outcomes, the password jobs given to argon2, and how far the
//! clients' own databases are behind (the outbox's backlog, the oldest
//! change's age, the rows applied and the attempts failed).

use prometheus::{
    Encoder, Gauge, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge, Opts,
    Registry, TextEncoder,
};

const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

/// The login outcomes, each shown from zero.
const LOGIN_OUTCOMES: [&str; 4] = ["success", "failure", "throttled", "deactivated"];

pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    latency: HistogramVec,
    logins: IntCounterVec,
    hashings: IntCounter,
    outbox_backlog: IntGauge,
    outbox_oldest: Gauge,
    outbox_applied: IntCounter,
    outbox_failures: IntCounter,
    client_connections: IntGauge,
    /// One render at a time brings `hashings` up to the password service's count.
    rendering: std::sync::Mutex<()>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new().expect("the metrics' names and labels are valid")
    }
}

impl Metrics {
    fn new() -> prometheus::Result<Self> {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "clientele_http_requests_total",
                "HTTP requests by route and status.",
            ),
            &["method", "route", "status"],
        )?;
        let latency = HistogramVec::new(
            HistogramOpts::new(
                "clientele_http_request_duration_seconds",
                "HTTP request latency by route.",
            )
            .buckets(BUCKETS.to_vec()),
            &["route"],
        )?;
        let logins = IntCounterVec::new(
            Opts::new("clientele_logins_total", "Login attempts by outcome."),
            &["outcome"],
        )?;
        let hashings = IntCounter::new(
            "clientele_password_hashings_total",
            "Password jobs handed to the argon2 threads: a hash, or a verification (with any rehash).",
        )?;
        let outbox_backlog = IntGauge::new(
            "clientele_client_outbox_backlog",
            "Changes waiting to reach the clients' own databases.",
        )?;
        let outbox_oldest = Gauge::new(
            "clientele_client_outbox_oldest_age_seconds",
            "How long the oldest waiting change has waited (0 when none waits).",
        )?;
        let outbox_applied = IntCounter::new(
            "clientele_client_outbox_applied_total",
            "Outbox rows applied to the clients' own databases.",
        )?;
        let outbox_failures = IntCounter::new(
            "clientele_client_outbox_failures_total",
            "Attempts to bring a client's own database in line that failed.",
        )?;
        let client_connections = IntGauge::new(
            "clientele_client_database_connections",
            "Connections open now to the clients' own databases.",
        )?;
        for c in [&outbox_applied, &outbox_failures] {
            registry.register(Box::new(c.clone()))?;
        }
        for g in [&outbox_backlog, &client_connections] {
            registry.register(Box::new(g.clone()))?;
        }
        registry.register(Box::new(outbox_oldest.clone()))?;
        registry.register(Box::new(requests.clone()))?;
        registry.register(Box::new(latency.clone()))?;
        registry.register(Box::new(logins.clone()))?;
        registry.register(Box::new(hashings.clone()))?;
        for outcome in LOGIN_OUTCOMES {
            logins.with_label_values(&[outcome]);
        }
        Ok(Self {
            registry,
            requests,
            latency,
            logins,
            hashings,
            outbox_backlog,
            outbox_oldest,
            outbox_applied,
            outbox_failures,
            client_connections,
            rendering: std::sync::Mutex::new(()),
        })
    }

    pub fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        self.requests
            .with_label_values(&[method, route, &status.to_string()])
            .inc();
        self.latency.with_label_values(&[route]).observe(seconds);
    }

    pub fn login(&self, outcome: &'static str) {
        self.logins.with_label_values(&[outcome]).inc();
    }

    /// Outbox rows that reached a client's database.
    pub fn client_sync_applied(&self, rows: usize) {
        self.outbox_applied.inc_by(rows as u64);
    }

    /// An attempt on a client's database failed.
    pub fn client_sync_failed(&self) {
        self.outbox_failures.inc();
    }

    /// The outbox as a scrape finds it: changes waiting, the oldest's age,
    /// connections open to clients' databases.
    pub fn set_client_sync(&self, backlog: i64, oldest_age_seconds: f64, connections: usize) {
        self.outbox_backlog.set(backlog);
        self.outbox_oldest.set(oldest_age_seconds);
        self.client_connections.set(connections as i64);
    }

    /// The metrics in Prometheus' text format, with `password_hashings`
    /// (counted by the password service,
    /// [`crate::auth::password::PasswordService::hashings`]) among them.
    pub fn render(&self, password_hashings: u64) -> String {
        let _one = self
            .rendering
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let seen = self.hashings.get();
        self.hashings.inc_by(password_hashings.saturating_sub(seen));
        let mut out = Vec::new();
        if TextEncoder::new()
            .encode(&self.registry.gather(), &mut out)
            .is_err()
        {
            return String::new();
        }
        String::from_utf8(out).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_histograms() {
        let m = Metrics::default();
        m.observe("GET", "/api/auth/me", 200, 0.003);
        m.observe("GET", "/api/auth/me", 200, 0.2);
        m.login("success");
        let text = m.render(7);
        assert!(text.contains(
            "clientele_http_requests_total{method=\"GET\",route=\"/api/auth/me\",status=\"200\"} 2"
        ));
        assert!(text.contains("route=\"/api/auth/me\",le=\"0.005\"} 1"));
        assert!(text.contains("route=\"/api/auth/me\",le=\"+Inf\"} 2"));
        assert!(text.contains("clientele_logins_total{outcome=\"success\"} 1"));
        assert!(text.contains("clientele_logins_total{outcome=\"throttled\"} 0"));
        assert!(text.contains("clientele_password_hashings_total 7\n"));
        m.client_sync_applied(3);
        m.client_sync_failed();
        m.set_client_sync(4, 1.5, 2);
        let text = m.render(7);
        assert!(text.contains("clientele_client_outbox_applied_total 3\n"));
        assert!(text.contains("clientele_client_outbox_failures_total 1\n"));
        assert!(text.contains("clientele_client_outbox_backlog 4\n"));
        assert!(text.contains("clientele_client_outbox_oldest_age_seconds 1.5\n"));
        assert!(text.contains("clientele_client_database_connections 2\n"));
        assert_eq!(
            m.render(9)
                .matches("clientele_password_hashings_total 9\n")
                .count(),
            1
        );
    }
}
