-- Refunds can be reported before the payment they refund; they wait here
-- and are applied when the payment is recorded.
CREATE TABLE refunds (
    provider TEXT NOT NULL,
    provider_payment_id TEXT NOT NULL,
    refunded_minor BIGINT NOT NULL,
    PRIMARY KEY (provider, provider_payment_id)
);
