//! A client's credits: a ledger that never goes negative, and concurrent
//! adjustments that lose nothing.

use crate::clients::{abc, create};
use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

on_both_stores!(
    credits_never_go_negative,
    concurrent_credit_adjustments_lose_nothing,
);

async fn credits_never_go_negative(b: Backend) {
    let app = spawn(b).await;
    let t = app.admin_token().await;
    let id = create(&app, &t, abc()).await["client"]["id"]
        .as_i64()
        .unwrap();
    let add = json_of(
        app.adjust_client_credits(&t, id, &json!({"delta": 100, "reason": "Top-up"}))
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(add["balance"], 100);
    assert_eq!(add["entry"]["delta"], 100);
    assert_eq!(add["entry"]["balanceAfter"], 100);
    let spend = json_of(
        app.adjust_client_credits(&t, id, &json!({"delta": -40, "reason": "Report run"}))
            .await,
        StatusCode::CREATED,
    )
    .await;
    assert_eq!(spend["balance"], 60);
    let err = json_of(
        app.adjust_client_credits(&t, id, &json!({"delta": -61, "reason": "Too much"}))
            .await,
        StatusCode::CONFLICT,
    )
    .await;
    assert!(err["error"].as_str().unwrap().contains("Insufficient"));
    for bad in [
        json!({"delta": 0, "reason": "x"}),
        json!({"delta": 5, "reason": ""}),
        json!({"delta": 2_000_000_000i64, "reason": "x"}),
        json!({"delta": 1.5, "reason": "x"}),
        json!({"delta": 5}),
    ] {
        json_of(
            app.adjust_client_credits(&t, id, &bad).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
    }
    let ledger = json_of(
        app.list_client_credits(&t, id, "limit=1").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ledger["balance"], 60);
    assert_eq!(
        ledger["pagination"],
        json!({"total": 2, "limit": 1, "offset": 0, "hasMore": true, "totalExact": true})
    );
    assert_eq!(ledger["entries"][0]["reason"], "Report run");
    let c = json_of(app.get_client(&t, id).await, StatusCode::OK).await;
    assert_eq!(c["client"]["credits"], 60);
    json_of(
        app.adjust_client_credits(&t, 999, &json!({"delta": 1, "reason": "x"}))
            .await,
        StatusCode::NOT_FOUND,
    )
    .await;
    json_of(
        app.list_client_credits(&t, 999, "").await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

async fn concurrent_credit_adjustments_lose_nothing(b: Backend) {
    let app = spawn_with(b, |s| s.workers = Some(4)).await;
    let t = app.admin_token().await;
    let id = create(&app, &t, abc()).await["client"]["id"]
        .as_i64()
        .unwrap();
    json_of(
        app.adjust_client_credits(&t, id, &json!({"delta": 1000, "reason": "seed"}))
            .await,
        StatusCode::CREATED,
    )
    .await;
    let futures = (0..200).map(|i| {
        let delta = if i % 2 == 0 { 7 } else { -3 };
        let (app, t) = (&app, &t);
        async move {
            app.adjust_client_credits(t, id, &json!({"delta": delta, "reason": format!("op {i}")}))
                .await
                .status()
        }
    });
    let statuses = futures_util::future::join_all(futures).await;
    assert!(
        statuses.iter().all(|s| *s == StatusCode::CREATED),
        "{statuses:?}"
    );
    let c = json_of(app.get_client(&t, id).await, StatusCode::OK).await;
    assert_eq!(c["client"]["credits"], 1000 + 100 * 7 - 100 * 3);
    let ledger = json_of(
        app.list_client_credits(&t, id, "limit=1").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(ledger["pagination"]["total"], 201);
}
