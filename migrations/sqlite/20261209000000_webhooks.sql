-- Outgoing webhooks: the owner names a URL and the events it wants; each
-- event becomes a delivery (channel 'webhook', target = the webhook's id)
-- in the same outbox as Telegram, X and the Fediverse, signed with the
-- webhook's secret.
CREATE TABLE webhooks (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    events TEXT NOT NULL,
    secret TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
