//! Prometheus metrics, kept in a registry of the application's own (the
//! `prometheus` crate): requests by route and status, a latency histogram by
//! route, login outcomes and the password jobs given to argon2.

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, Opts, Registry, TextEncoder,
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
        assert_eq!(
            m.render(9)
                .matches("clientele_password_hashings_total 9\n")
                .count(),
            1
        );
    }
}
