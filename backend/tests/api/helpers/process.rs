//! The `clientele` binary run as a process of its own, as an operator runs
//! it: [`bin`] with no `CLIENTELE_` setting inherited, and [`Server`], a
//! `clientele serve` whose log lines are read as they come.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_clientele"));
    for (k, _) in std::env::vars() {
        if k.starts_with("CLIENTELE_") {
            c.env_remove(k);
        }
    }
    c
}

pub struct Server {
    pub child: Child,
    lines: std::sync::mpsc::Receiver<String>,
    seen: Vec<String>,
}

/// A test that fails leaves no server behind.
impl Drop for Server {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

impl Server {
    pub fn start(data: &std::path::Path, extra: &[(&str, &str)]) -> (Self, u16) {
        let mut cmd = bin();
        cmd.env("CLIENTELE_DATA_DIR", data)
            .env("CLIENTELE_BIND", "127.0.0.1:0")
            .env("CLIENTELE_LOG_FORMAT", "json")
            .env("CLIENTELE_LOG", "debug")
            .arg("serve")
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        for (k, v) in extra {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        for stream in [
            Box::new(child.stdout.take().unwrap()) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().unwrap()),
        ] {
            let tx = tx.clone();
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    let _ = tx.send(line);
                }
            });
        }
        let mut server = Server {
            child,
            lines: rx,
            seen: vec![],
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        let port = loop {
            assert!(
                Instant::now() < deadline,
                "no ready line: {:?}",
                server.seen
            );
            let Ok(line) = server.lines.recv_timeout(Duration::from_secs(1)) else {
                continue;
            };
            server.seen.push(line.clone());
            if let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) {
                if v["message"] == "Clientele is ready" {
                    break v["port"].as_u64().unwrap() as u16;
                }
            }
        };
        (server, port)
    }

    pub fn drain(&mut self) -> String {
        while let Ok(l) = self.lines.recv_timeout(Duration::from_millis(300)) {
            self.seen.push(l);
        }
        self.seen.join("\n")
    }
}
