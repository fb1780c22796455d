//! Reading fields of JSON answers without indexing (which the workspace lints refuse).

use serde_json::Value;

/// JSON `null`, for a missing field or element.
pub static NULL: Value = Value::Null;

/// The field `key` of `v`, or `null` when `v` has none (what `v[key]` gives, without indexing).
#[must_use]
pub fn at<'a>(v: &'a Value, key: &str) -> &'a Value {
    v.get(key).unwrap_or(&NULL)
}
