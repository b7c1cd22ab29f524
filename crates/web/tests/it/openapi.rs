//! The OpenAPI document: served, valid, and listing every route of the table — and every
//! route the table lists answers (is routed).

use crate::harness::*;
use skyndsam_web::routes::table;
use std::io::Write;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_document_lists_every_route_and_validates() {
    let t = TestApp::spawn().await;
    let doc = t.get(None, "/api/openapi.json").await;
    assert_eq!(doc.status, 200);
    let paths = doc.json["paths"].as_object().unwrap();
    for r in table() {
        let method = r.method.as_str().to_lowercase();
        let op = &paths.get(r.path).unwrap_or_else(|| panic!("{} missing from the OpenAPI document", r.path))[&method];
        assert_eq!(op["operationId"], r.operation_id.as_str(), "{method} {}", r.path);
        // Every route is routed: without a token it is refused as unauthenticated (or
        // answered, for the public ones) — never the router's "unknown route".
        let res =
            t.send(r.method.clone(), None, &r.path.replace("{id}", &uuid::Uuid::new_v4().to_string()), None).await;
        assert_ne!(res.code(), "UNKNOWN_ROUTE", "{method} {} is documented but not routed", r.path);
        if !r.public {
            assert_eq!(res.status, 401, "{method} {} answered without a token", r.path);
        }
    }
    let documented: usize = paths.values().map(|p| p.as_object().unwrap().len()).sum();
    assert_eq!(documented, table().len());

    // Validate with the reference validator (openapi-spec-validator, installed by .ci/run).
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("openapi.json");
    std::fs::File::create(&file).unwrap().write_all(doc.body.as_bytes()).unwrap();
    let out = std::process::Command::new("python3")
        .args(["-c", "import sys; from openapi_spec_validator import validate; from openapi_spec_validator.readers import read_from_filename; validate(read_from_filename(sys.argv[1])[0]); print('ok')"])
        .arg(&file)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "the OpenAPI document does not validate (or openapi-spec-validator is missing: pip install openapi-spec-validator):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_routes_and_methods_get_the_error_shape() {
    let t = TestApp::spawn().await;
    let r = t.get(None, "/api/finns-inte").await;
    assert_eq!((r.status, r.code()), (404, "UNKNOWN_ROUTE"));
    assert!(r.json["correlation_id"].as_str().is_some_and(|c| !c.is_empty()));
    let m = t.send(reqwest::Method::PUT, None, "/api/cases", None).await;
    assert_eq!((m.status, m.code()), (405, "METHOD_NOT_ALLOWED"));
}
