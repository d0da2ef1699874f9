//! Prometheus metrics: requests by route and status, a latency histogram by
//! route, login outcomes and the password jobs given to argon2. Rendered in the
//! text exposition format.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write;
use std::sync::Mutex;

const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    sum: f64,
    count: u64,
}

#[derive(Default)]
struct Inner {
    requests: BTreeMap<(String, String, u16), u64>,
    latency: HashMap<String, Histogram>,
    logins: BTreeMap<&'static str, u64>,
}

#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

impl Metrics {
    pub fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let Ok(mut m) = self.inner.lock() else { return };
        *m.requests
            .entry((method.to_owned(), route.to_owned(), status))
            .or_default() += 1;
        let h = m.latency.entry(route.to_owned()).or_default();
        h.sum += seconds;
        h.count += 1;
        for (i, le) in BUCKETS.iter().enumerate() {
            if seconds <= *le {
                h.counts[i] += 1;
            }
        }
    }

    pub fn login(&self, outcome: &'static str) {
        if let Ok(mut m) = self.inner.lock() {
            *m.logins.entry(outcome).or_default() += 1;
        }
    }

    /// The metrics, with `password_hashings` (counted by the password service,
    /// [`crate::auth::password::PasswordService::hashings`]) among them.
    pub fn render(&self, password_hashings: u64) -> String {
        let Ok(m) = self.inner.lock() else {
            return String::new();
        };
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP clientele_http_requests_total HTTP requests by route and status."
        );
        let _ = writeln!(out, "# TYPE clientele_http_requests_total counter");
        for ((method, route, status), n) in &m.requests {
            let _ = writeln!(
                out,
                "clientele_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                escape(route)
            );
        }
        let _ = writeln!(
            out,
            "# HELP clientele_http_request_duration_seconds HTTP request latency by route."
        );
        let _ = writeln!(
            out,
            "# TYPE clientele_http_request_duration_seconds histogram"
        );
        let mut routes: Vec<_> = m.latency.iter().collect();
        routes.sort_by(|a, b| a.0.cmp(b.0));
        for (route, h) in routes {
            let route = escape(route);
            for (i, le) in BUCKETS.iter().enumerate() {
                let _ = writeln!(
                    out,
                    "clientele_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{le}\"}} {}",
                    h.counts[i]
                );
            }
            let _ = writeln!(out, "clientele_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}", h.count);
            let _ = writeln!(
                out,
                "clientele_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                h.sum
            );
            let _ = writeln!(
                out,
                "clientele_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                h.count
            );
        }
        let _ = writeln!(
            out,
            "# HELP clientele_logins_total Login attempts by outcome."
        );
        let _ = writeln!(out, "# TYPE clientele_logins_total counter");
        for outcome in ["success", "failure", "throttled", "deactivated"] {
            let n = m.logins.get(outcome).copied().unwrap_or(0);
            let _ = writeln!(out, "clientele_logins_total{{outcome=\"{outcome}\"}} {n}");
        }
        let _ = writeln!(
            out,
            "# HELP clientele_password_hashings_total Password jobs handed to the argon2 threads: a hash, or a verification (with any rehash)."
        );
        let _ = writeln!(out, "# TYPE clientele_password_hashings_total counter");
        let _ = writeln!(out, "clientele_password_hashings_total {password_hashings}");
        out
    }
}

fn escape(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
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
        assert!(text.contains("clientele_password_hashings_total 7\n"));
    }
}
