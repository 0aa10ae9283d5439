-- Webhook endpoints on Polar's contract (`WebhookEndpoint`): a name, the payload format, the
-- event types the endpoint receives, whether it is enabled, and when it last changed.
-- `events` is the event types space-separated; NULL (endpoints made by `setup` before
-- this migration) means every event the service sends, as such endpoints received until
-- now. `enabled` is 1 or 0.
ALTER TABLE server_webhook_endpoints ADD COLUMN name TEXT;
ALTER TABLE server_webhook_endpoints ADD COLUMN format TEXT NOT NULL DEFAULT 'raw';
ALTER TABLE server_webhook_endpoints ADD COLUMN events TEXT;
ALTER TABLE server_webhook_endpoints ADD COLUMN enabled BIGINT NOT NULL DEFAULT 1;
ALTER TABLE server_webhook_endpoints ADD COLUMN modified_at BIGINT;
