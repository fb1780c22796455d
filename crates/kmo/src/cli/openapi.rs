//! `kmo openapi`: the API's OpenAPI document (the committed `openapi.json`).

pub fn run() -> u8 {
    println!("{}", kmo_http::openapi::document());
    0
}
