//! Every integration test of qunshu, in one test binary: one link of the
//! library instead of one per file, which keeps a clean `cargo test` small on
//! disk and quick to link. Each module is one area (`cargo test --test it
//! search::` runs one area; `cargo test --test it -- --list` lists them).

mod common;

mod architecture;
mod book;
mod book_pdf;
mod browser_a11y;
mod browser_http;
mod browser_search;
mod browser_serve;
mod build;
mod deliver;
mod deliver_render;
mod deploy_s3;
mod hostile;
mod hostile_fs;
mod import;
mod init_new;
mod privacy;
mod robustness;
mod run_plan;
mod schedule;
mod search;
mod serve;
mod share;
