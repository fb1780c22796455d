//! The platform's own ids of what it stores: an enterprise, a provider, an application. Each is
//! its own type, so an enterprise's id can never be passed where a provider's is meant; the
//! number is what the database stores (`get`) and what logs and stream names show (`Display`).
//! The keys people see (an enterprise number, an application's `W-…` key) are not these.

use std::fmt;

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(i64);

        impl $name {
            /// The id the database gave it.
            #[must_use]
            pub const fn new(id: i64) -> Self {
                $name(id)
            }

            /// The number, for the database.
            #[must_use]
            pub const fn get(self) -> i64 {
                self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                fmt::Display::fmt(&self.0, f)
            }
        }
    };
}

id_type!(
    /// A registered enterprise.
    EnterpriseId
);
id_type!(
    /// A registered provider.
    ProviderId
);
id_type!(
    /// An application (its key `W-…` is what people see).
    ApplicationId
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_shows_and_stores_its_number() {
        let e = EnterpriseId::new(42);
        assert_eq!(e.get(), 42);
        assert_eq!(e.to_string(), "42");
        assert_eq!(ProviderId::new(7), ProviderId::new(7));
        assert!(ApplicationId::new(1) < ApplicationId::new(2));
    }
}
