-- The provider's customer (Stripe cus_…), so donors can open Stripe's Customer Portal.
ALTER TABLE subscriptions ADD COLUMN provider_customer TEXT;
