-- The providers' service catalogue (rules.md §7): a listed service is one a provider offers,
-- with a name and a price; the services copied onto applications stay unlisted (listed = 0).
alter table service add column listed bigint not null default 0;
alter table service add column name text;
create index service_listed_by_provider on service (provider_id) where listed = 1;
