//! A client's bulk work never delays anyone's sign-in (issue #24, 4): an
//! import's thousand hashes go to their own lane, behind every login.

use crate::helpers::*;
use reqwest::StatusCode;
use std::time::{Duration, Instant};

on_both_stores!(a_login_during_an_import_answers_while_the_import_is_still_hashing);

async fn a_login_during_an_import_answers_while_the_import_is_still_hashing(b: Backend) {
    // Production's argon2 cost: each hash takes tens of milliseconds.
    let app = spawn_with(b, |s| s.argon2 = clientele::config::Argon2Cost::OWASP).await;
    let sa = app.admin_token().await;
    let (a, _, _) = app.client(&sa, "Bulk Co").await;
    let rows: String = (0..150)
        .map(|i| format!("Bulk {i},bulk.{i},,{a}\n"))
        .collect();
    let csv = format!("name,username,email,companyId\n{rows}");
    let hashed_before = app.state.passwords.hashings();
    let import = {
        let client = app.client.clone();
        let url = app.url("/api/users-management/import");
        let token = sa.clone();
        tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .header("content-type", "text/csv")
                .body(csv)
                .send()
                .await
                .expect("the import answers")
        })
    };
    // The import's hashes are queued.
    let deadline = Instant::now() + Duration::from_secs(30);
    while app.state.passwords.hashings() < hashed_before + 150 {
        assert!(
            Instant::now() < deadline,
            "the import never started hashing"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let started = Instant::now();
    app.login(ADMIN_USERNAME, ADMIN_PASSWORD).await;
    let took = started.elapsed();
    assert!(
        !import.is_finished(),
        "the import finished first: the test proves nothing on this machine"
    );
    assert!(
        took < Duration::from_secs(1),
        "a login during an import took {took:?}"
    );
    let report = json_of(import.await.expect("the import task"), StatusCode::CREATED).await;
    assert_eq!(report["created"], 150);
}
