use crate::helpers::*;
use reqwest::StatusCode;

on_both_stores!(the_report_numbers_rows_as_an_editor_does);

/// Issue #24, 7: a CRLF file, blank lines and a cell spanning two lines,
/// each row reported at the line a person sees in an editor.
async fn the_report_numbers_rows_as_an_editor_does(b: Backend) {
    let app = spawn(b).await;
    let sa = app.admin_token().await;
    let (a, _, _) = app.client(&sa, "Lines Co").await;
    let path = "/api/users-management/import?dryRun=true";
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
        let report = json_of(app.post_csv(path, &csv, Some(&sa)).await, StatusCode::OK).await;
        let got: Vec<i64> = report["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["line"].as_i64().unwrap())
            .collect();
        assert_eq!(got, lines, "{csv:?}");
    }
}
