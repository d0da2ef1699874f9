//! Bulk import of users from CSV: a dry run's report, all or nothing, the
//! caller's scope, and each row reported at the line an editor shows.

use crate::helpers::*;
use reqwest::StatusCode;
use serde_json::json;

on_both_stores!(
    import_dry_run_reports_and_writes_nothing,
    import_is_all_or_nothing,
    the_report_numbers_rows_as_an_editor_does,
);

const UM: &str = "/api/users-management";

async fn import_dry_run_reports_and_writes_nothing(b: Backend) {
    let app = spawn(b).await;
    let sa = app.admin_token().await;
    let (a, _, _) = app.client(&sa, "Import Co").await;
    json_of(app.create_user(&sa, &json!({"name": "Old", "username": "taken", "password": INITIAL_PASSWORD, "companyId": a, "email": "old@example.com"})).await, StatusCode::CREATED).await;
    let before = count_users(&app, &sa).await;
    let csv = format!(
        "name,username,email,role,permissions,companyId\n\
         Good One,good.one,g1@example.com,user,1;2,{a}\n\
         Bad Name,x,not-an-email,user,7,{a}\n\
         Taken,taken,old@example.com,user,,{a}\n\
         Twice,good.one,g2@example.com,user,,{a}\n\
         Staff,staff.x,,technician,,\n\
         Nowhere,nowhere,,user,,999999\n"
    );
    let report = json_of(
        app.import_users(&sa, "dryRun=true", &csv).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(report["dryRun"], true);
    assert_eq!(report["total"], 6);
    assert_eq!(report["valid"], 1);
    assert_eq!(report["invalid"], 5);
    assert_eq!(report["created"], 0);
    let rows = report["rows"].as_array().unwrap();
    assert_eq!(rows[0]["line"], 2);
    assert_eq!(rows[0]["status"], "valid");
    assert!(rows[0].get("password").is_none());
    assert!(rows[1]["errors"]["username"].is_array());
    assert!(rows[1]["errors"]["email"].is_array());
    assert!(rows[1]["errors"]["permissions"].is_array());
    assert_eq!(rows[2]["errors"]["username"][0], "Username already exists");
    assert!(rows[2]["errors"]["email"].is_array());
    assert!(rows[3]["errors"]["username"][0]
        .as_str()
        .unwrap()
        .contains("line 2"));
    assert!(rows[4]["errors"]["role"].is_array());
    assert_eq!(rows[5]["errors"]["companyId"][0], "no such client");
    assert_eq!(count_users(&app, &sa).await, before);
    // A clean dry run: 200 and still nothing written.
    let ok = format!("name,username,companyId\nA,dry.a,{a}\nB,dry.b,{a}\n");
    let report = json_of(
        app.import_users(&sa, "dryRun=true", &ok).await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(report["valid"], 2);
    assert_eq!(count_users(&app, &sa).await, before);
    // Unreadable files are refused as a whole.
    for bad in [
        "",
        "name,username,shoeSize\nA,b,42\n",
        "username\nabc\n",
        "name,username\n",
        "name,username\n\"unterminated,x\n",
    ] {
        let err = json_of(
            app.import_users(&sa, "dryRun=true", bad).await,
            StatusCode::BAD_REQUEST,
        )
        .await;
        assert!(err["details"]["csv"].is_array(), "{bad:?}: {err}");
    }
    let too_many = format!(
        "name,username,companyId\n{}",
        (0..1001)
            .map(|i| format!("N,u{i},{a}\n"))
            .collect::<String>()
    );
    json_of(
        app.import_users(&sa, "dryRun=true", &too_many).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    let res = app
        .post(&format!("{UM}/import"), &json!({"name": "x"}), Some(&sa))
        .await;
    assert_eq!(res.status(), StatusCode::UNSUPPORTED_MEDIA_TYPE);
}

async fn import_is_all_or_nothing(b: Backend) {
    let app = spawn(b).await;
    let sa = app.admin_token().await;
    let (a, _, created) = app.client(&sa, "Atomic Co").await;
    let before = count_users(&app, &sa).await;
    let mixed = format!(
        "name,username,email,companyId\nA,atom.a,a@example.com,{a}\nB,atom.b,a@example.com,{a}\n"
    );
    let err = json_of(
        app.import_users(&sa, "", &mixed).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert!(err["error"]
        .as_str()
        .unwrap()
        .contains("nothing was imported"));
    assert_eq!(err["report"]["invalid"], 1);
    assert_eq!(count_users(&app, &sa).await, before);
    let good = format!(
        "username,name,permissions,email,role,companyId\n\
         atom.a,Anna Atom,1 2,anna@example.com,user,{a}\n\
         atom.b,Bob Atom,,,client_admin,{a}\n\
         atom.c,=HYPERLINK(\"x\"),1,,,{a}\n"
    );
    let report = json_of(app.import_users(&sa, "", &good).await, StatusCode::CREATED).await;
    assert_eq!(report["created"], 3);
    assert_eq!(count_users(&app, &sa).await, before + 3);
    let rows = report["rows"].as_array().unwrap();
    assert!(rows
        .iter()
        .all(|r| r["status"] == "created" && r["userId"].is_i64()));
    // Each user logs in with its one-time password, and must change it.
    let pw = rows[0]["password"].as_str().unwrap();
    let session = app.login_ok("atom.a", pw).await;
    assert_eq!(session["mustChangePassword"], true);
    assert_eq!(session["user"]["permissions"], json!([1, 2]));
    assert_eq!(session["user"]["companyId"], a);
    // A client admin imports into its own company only.
    let owner = app
        .first_login(
            created["credentials"]["username"].as_str().unwrap(),
            created["credentials"]["password"].as_str().unwrap(),
        )
        .await;
    let (b_id, _, _) = app.client(&sa, "Elsewhere").await;
    let foreign = format!("name,username,companyId\nF,foreign.f,{b_id}\n");
    let err = json_of(
        app.import_users(&owner, "", &foreign).await,
        StatusCode::BAD_REQUEST,
    )
    .await;
    assert_eq!(
        err["report"]["rows"][0]["errors"]["companyId"][0],
        "no such client"
    );
    let own = "name,username\nO,own.o\n";
    let report = json_of(app.import_users(&owner, "", own).await, StatusCode::CREATED).await;
    let oid = report["rows"][0]["userId"].as_i64().unwrap();
    let o = json_of(app.get_user(&sa, oid).await, StatusCode::OK).await;
    assert_eq!(o["user"]["companyId"], a);
    // The import is in the activity log, without any password.
    let log = json_of(
        app.list_activity(&sa, "action=import").await,
        StatusCode::OK,
    )
    .await;
    assert_eq!(log["pagination"]["total"], 2);
    assert!(!log.to_string().contains(pw));
}

/// Issue #24, 7: a CRLF file, blank lines and a cell spanning two lines,
/// each row reported at the line a person sees in an editor.
async fn the_report_numbers_rows_as_an_editor_does(b: Backend) {
    let app = spawn(b).await;
    let sa = app.admin_token().await;
    let (a, _, _) = app.client(&sa, "Lines Co").await;
    for (csv, lines) in [
        (
            format!("name,username,companyId\nA,aa1,{a}\nB,bb2,{a}\n"),
            vec![2, 3],
        ),
        (
            format!("name,username,companyId\r\nA,aa1,{a}\r\nB,bb2,{a}\r\n"),
            vec![2, 3],
        ),
        (
            format!("name,username,companyId\r\n\r\nA,aa1,{a}\r\n\r\nB,bb2,{a}\r\n"),
            vec![3, 5],
        ),
        (
            format!("name,username,companyId\n\"Ann\nMarie\",aa1,{a}\nB,bb2,{a}\n"),
            vec![2, 4],
        ),
    ] {
        let report = json_of(
            app.import_users(&sa, "dryRun=true", &csv).await,
            StatusCode::OK,
        )
        .await;
        let got: Vec<i64> = report["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["line"].as_i64().unwrap())
            .collect();
        assert_eq!(got, lines, "{csv:?}");
    }
}
