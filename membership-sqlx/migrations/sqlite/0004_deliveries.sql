-- One delivery record per (webhook, destination): an outbox row is fanned out once to its
-- destinations (`dispatched_at`), then each destination succeeds, retries or fails on its
-- own, so one failing endpoint never makes the others receive a webhook again. Every
-- claim writes a random `lease_token`; only its holder's marks take (fencing).
DROP INDEX outbox_due;
ALTER TABLE outbox RENAME COLUMN delivered_at TO dispatched_at;
ALTER TABLE outbox ADD COLUMN lease_token TEXT;
CREATE INDEX outbox_undispatched ON outbox (due_at) WHERE dispatched_at IS NULL;
-- Pruning: dispatched rows by age.
CREATE INDEX outbox_dispatched ON outbox (dispatched_at) WHERE dispatched_at IS NOT NULL;

CREATE TABLE webhook_deliveries (
    webhook_id TEXT NOT NULL,
    destination TEXT NOT NULL,
    organization_id TEXT NOT NULL,
    -- 'pending' | 'delivered' | 'failed'
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL,
    due_at INTEGER NOT NULL,
    lease_token TEXT,
    lease_until INTEGER,
    finished_at INTEGER,
    last_error TEXT,
    PRIMARY KEY (webhook_id, destination)
);
-- Claiming: pending rows by due time. Listing what failed, for an operator. Pruning:
-- delivered rows by age.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (due_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_failed ON webhook_deliveries (finished_at) WHERE status = 'failed';
CREATE INDEX webhook_deliveries_delivered ON webhook_deliveries (finished_at) WHERE status = 'delivered';
