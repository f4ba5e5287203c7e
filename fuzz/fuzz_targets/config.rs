//! Config parsing: any text is a config or a list of problems, each of
//! which renders as `file:line: key: message`; never a panic.
#![no_main]

use std::path::Path;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Err(errors) = reformwatch::config::parse(text, Path::new("/etc/reformwatch/fuzz.toml")) {
        let _ = errors.to_string();
    }
});
