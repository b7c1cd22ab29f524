//! The OpenAPI 3.0 document, generated from the route table and the types' JSON Schemas
//! (schemars, OpenAPI 3.0 dialect). Nothing here is written by hand per route.

use schemars::gen::SchemaSettings;
use serde_json::{json, Map, Value};

use crate::error::ErrorBody;
use crate::routes::RouteSpec;

pub fn document(routes: &[RouteSpec]) -> Value {
    let mut gen = SchemaSettings::openapi3().into_generator();
    let error = gen.subschema_for::<ErrorBody>();
    let mut paths: Map<String, Value> = Map::new();
    for r in routes {
        let mut op = Map::new();
        op.insert("operationId".into(), json!(r.operation_id));
        op.insert("summary".into(), json!(r.summary));
        op.insert("tags".into(), json!([r.tag]));
        if r.public {
            op.insert("security".into(), json!([]));
        } else {
            let roles: Vec<&str> = r.roles.iter().map(|x| x.label_sv()).collect();
            op.insert(
                "description".into(),
                json!(format!(
                    "Roller: {}.{}",
                    roles.join(", "),
                    r.scope.map(|s| format!(" Token-behörighet: `{s}`.")).unwrap_or_default()
                )),
            );
            op.insert("x-roles".into(), json!(r.roles));
        }
        let mut params = Vec::new();
        for seg in r.path.split('/') {
            if let Some(name) = seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                params.push(json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}}));
            }
        }
        for (name, desc, required) in r.query {
            params.push(json!({"name": name, "in": "query", "required": required, "description": desc, "schema": {"type": "string"}}));
        }
        if !params.is_empty() {
            op.insert("parameters".into(), Value::Array(params));
        }
        if let Some(body) = r.body {
            let s = body(&mut gen);
            op.insert("requestBody".into(), json!({"required": true, "content": {"application/json": {"schema": s}}}));
        }
        let mut responses = Map::new();
        let ok = match r.response {
            Some(f) => {
                let s = f(&mut gen);
                json!({"description": "OK", "content": {"application/json": {"schema": s}}})
            }
            None if r.operation_id == "openapi" => {
                json!({"description": "OpenAPI 3.0", "content": {"application/json": {"schema": {"type": "object"}}}})
            }
            None => json!({"description": "OK"}),
        };
        responses.insert(r.ok.to_string(), ok);
        responses.insert(
            "default".into(),
            json!({"description": "Fel (stabil kod, meddelande på svenska, fält)", "content": {"application/json": {"schema": error}}}),
        );
        op.insert("responses".into(), Value::Object(responses));
        let entry = paths.entry(r.path.to_owned()).or_insert_with(|| json!({}));
        if let Some(o) = entry.as_object_mut() {
            o.insert(crate::app::method_name(&r.method).to_owned(), Value::Object(op));
        }
    }
    let schemas: Map<String, Value> =
        gen.take_definitions().into_iter().map(|(k, v)| (k, serde_json::to_value(v).unwrap_or(Value::Null))).collect();
    let mut schemas = Value::Object(schemas);
    tuples_to_any_of(&mut schemas);
    json!({
        "openapi": "3.0.3",
        "info": {
            "title": "Skyndsam API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Ärendeflöde och kvalitetssäkring för den sociala barn- och ungdomsvården. Allt om en person är sekretess (26 kap. 1 § OSL): varje läsning av en akt loggas.",
        },
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {
            "schemas": schemas,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "Token från /api/auth/login eller en integrations-token"}},
        },
        "security": [{"bearer": []}],
    })
}

/// A tuple (a `(date, effect)` pair) is JSON Schema's `items: [a, b]`, which OpenAPI 3.0
/// does not have: written as `items: {anyOf: [a, b]}` (the length stays in min/maxItems).
fn tuples_to_any_of(v: &mut Value) {
    match v {
        Value::Object(o) => {
            if let Some(Value::Array(items)) = o.get("items") {
                let any = json!({ "anyOf": items });
                o.insert("items".into(), any);
            }
            o.values_mut().for_each(tuples_to_any_of);
        }
        Value::Array(a) => a.iter_mut().for_each(tuples_to_any_of),
        _ => {}
    }
}
