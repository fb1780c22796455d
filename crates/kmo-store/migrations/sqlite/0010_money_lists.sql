-- Money lists: the payouts a provider received and the refunds an enterprise received, read
-- by ledger sequence. Partial indexes: only the payout and refund transfers (a few per run or
-- closing) are indexed, so the hot path of submissions and deposits writes nothing more.
create index ledger_transfer_provider_paid on ledger_transfer (debit_account, seq) where code = 'provider_paid';
create index ledger_transfer_refund_paid on ledger_transfer (application_id, seq) where code = 'refund_paid';
