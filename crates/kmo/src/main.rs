//! `kmo`: see `kmo --help`. All the work is in the `kmo` library (`cli::run`).

fn main() -> std::process::ExitCode {
    kmo::cli::main()
}
