-- Lists: a provider's applications, page by page.
create index application_provider on application (provider_id, id);
