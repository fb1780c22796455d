//! The clock lives in `kmo_app::kernel::clock`; this path is kept for the crates that use it.

pub use kmo_app::kernel::clock::{Clock, FixedClock, SystemClock};
